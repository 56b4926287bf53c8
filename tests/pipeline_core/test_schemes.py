"""The catalog's cross-validation schemes: training and the standalone script split as each entry says."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn import model_selection

from pipeline_core.catalog.schemes import SCHEMES
from pipeline_core.export.script import standalone_script
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train import splits

ROLES = {"shop": "group", "joined": "datetime", "customer_id": "id"}
TARGETS = {"classification": "churn", "regression": "monthly_charges", "clustering": "churn"}
CASES = [(key, task) for key, scheme in SCHEMES.items() for task in sorted(scheme.tasks)]
# The script reads no group or time order column, and clustering has no scores for it to reproduce.
SCRIPTED = [(key, task) for key, task in CASES if task != "clustering" and not SCHEMES[key].resolved(task).role]


@pytest.fixture(scope="module")
def shops(churn):
    """The churn table with a shop each customer belongs to and the day they joined."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=len(churn), freq="D")
    return churn.assign(shop=rng.integers(0, 25, len(churn)).astype(str), joined=rng.permutation(days))


def _spec(key: str, task: str) -> PipelineSpec:
    spec = default_spec(target=TARGETS[task], task=task, roles=ROLES)
    repeats = 2 if SCHEMES[key].repeatable else 1
    return spec.replace(evaluation={"cv_scheme": key, "cv_folds": 4, "cv_repeats": repeats, "seed": 7}, models=[])


def _same(folds, expected) -> bool:
    expected = list(expected)
    return len(folds) == len(expected) and all(
        np.array_equal(fit, other_fit) and np.array_equal(valid, other_valid)
        for (fit, valid), (other_fit, other_valid) in zip(folds, expected, strict=True)
    )


@pytest.mark.parametrize(("key", "task"), CASES)
def test_each_scheme_makes_its_folds_with_its_own_splitter(shops, key, task):
    spec, scheme = _spec(key, task), SCHEMES[key].resolved(task)
    evaluation = spec.evaluation
    train_rows, _, folds = splits.split(spec, shops)
    splitter = scheme.splitter(evaluation.cv_folds, evaluation.cv_repeats, evaluation.seed, task)
    groups = shops["shop"].to_numpy()[train_rows] if scheme.keeps_groups else None
    assert _same(folds, splitter.split(train_rows, shops[spec.data.target].iloc[train_rows], groups))


@pytest.mark.parametrize(("key", "task"), SCRIPTED)
def test_the_script_writes_the_splitter_and_the_test_split_that_training_uses(shops, key, task):
    spec, scheme = _spec(key, task), SCHEMES[key].resolved(task)
    evaluation, y = spec.evaluation, shops[spec.data.target]
    train_rows, _, folds = splits.split(spec, shops)
    script = standalone_script(spec, shops, title="Shops")

    written = re.search(r"^    folds = (.+)$", script, re.MULTILINE).group(1)
    splitter = eval(written, vars(model_selection) | {"SEED": evaluation.seed})
    assert repr(splitter) == repr(scheme.splitter(evaluation.cv_folds, evaluation.cv_repeats, evaluation.seed, task))
    stratify = y if re.search(r"stratify=(\w+)", script).group(1) == "y" else None
    held_out = model_selection.train_test_split(
        np.arange(len(shops)), test_size=evaluation.test_size, random_state=evaluation.seed, stratify=stratify
    )
    assert np.array_equal(held_out[0], train_rows)
    assert _same(folds, splitter.split(train_rows, y.iloc[train_rows]))
