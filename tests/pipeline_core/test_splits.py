"""Validation schemes: which rows train, validate and test, decided before anything is fitted."""

import numpy as np
import pandas as pd
import pytest

from pipeline_core.errors import DataError, SpecError
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train import splits
from pipeline_core.train.supervised import train


def _spec(frame_roles: dict, task: str = "classification", target: str = "churn", **evaluation) -> PipelineSpec:
    spec = default_spec(target=target, task=task, roles=frame_roles)
    return PipelineSpec.from_dict(
        spec.model_dump() | {"evaluation": spec.evaluation.model_dump() | evaluation, "models": []}
    )


@pytest.fixture(scope="module")
def shops(churn):
    """The churn table with a shop each customer belongs to and the day they joined."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", periods=len(churn), freq="D")
    return churn.assign(shop=rng.integers(0, 25, len(churn)).astype(str), joined=rng.permutation(days))


def test_group_k_fold_never_splits_a_group_between_training_and_validation_or_test(shops):
    spec = _spec({"shop": "group", "customer_id": "id"}, cv_scheme="group")
    train_rows, test_rows, folds = splits.split(spec, shops)
    shop = shops["shop"].to_numpy()
    assert not set(shop[train_rows]) & set(shop[test_rows])
    for fit, valid in folds:
        assert not set(shop[train_rows][fit]) & set(shop[train_rows][valid])
    assert "group (by `shop`)" in splits.describe(spec)


def test_time_series_split_always_validates_and_tests_on_later_rows(shops):
    spec = _spec({"joined": "datetime", "customer_id": "id"}, cv_scheme="time_series", cv_folds=4)
    train_rows, test_rows, folds = splits.split(spec, shops)
    when = shops["joined"].to_numpy()
    assert when[train_rows].max() < when[test_rows].min()
    for fit, valid in folds:
        assert when[train_rows][fit].max() < when[train_rows][valid].min()
    assert len(folds) == 4 and len(test_rows) == 60


def test_repeated_k_fold_scores_every_repeat_and_the_seed_repeats_it(churn):
    spec = _spec({"customer_id": "id"}, cv_repeats=3, cv_folds=3)
    spec = PipelineSpec.from_dict(spec.model_dump() | {"models": [{"kind": "logistic_regression"}]})
    first, second = train(spec, churn), train(spec, churn)
    scores = first.models[1].cv_scores["roc_auc"]
    assert len(scores) == 9 and len(set(scores)) > 3  # three different shuffles of three folds
    assert scores == second.models[1].cv_scores["roc_auc"]


def test_regression_trains_with_plain_k_fold_and_refuses_stratification(diabetes):
    with pytest.raises(SpecError, match="stratified k-fold keeps a class balance"):
        _spec({}, task="regression", target="progression", cv_scheme="stratified")
    spec = _spec({}, task="regression", target="progression", cv_scheme="kfold", cv_repeats=2)
    assert "5-fold cross-validation repeated 2 times" in splits.describe(spec)
    assert len(splits.split(spec, diabetes)[2]) == 10


@pytest.mark.parametrize(
    ("roles", "evaluation", "message"),
    [
        ({}, {"cv_scheme": "group"}, "needs exactly one column with the role 'Group'"),
        ({}, {"cv_scheme": "time_series"}, "needs exactly one column with the role 'Time order'"),
        ({"shop": "group"}, {"cv_scheme": "group", "cv_repeats": 2}, "cannot be repeated"),
    ],
)
def test_schemes_without_what_they_need_are_refused_in_plain_words(roles, evaluation, message):
    with pytest.raises(SpecError, match=message):
        _spec(roles, **evaluation)


def test_too_few_groups_or_unreadable_times_stop_before_any_fit(shops):
    few = shops.assign(shop=np.where(shops.index % 2, "north", "south"))
    with pytest.raises(DataError, match="needs at least 7 groups .* it has 2"):
        train(_spec({"shop": "group", "customer_id": "id"}, cv_scheme="group"), few)
    gaps = shops.assign(joined=shops["joined"].where(shops.index % 50 > 0))
    with pytest.raises(DataError, match="'joined' has 6 missing or unreadable"):
        train(_spec({"joined": "datetime", "customer_id": "id"}, cv_scheme="time_series"), gaps)


def test_precision_recall_and_f1_follow_the_chosen_averaging(churn):
    scores = {}
    for average in ("macro", "weighted", "micro"):
        spec = _spec({"customer_id": "id"}, average=average)
        spec = PipelineSpec.from_dict(spec.model_dump() | {"models": [{"kind": "decision_tree"}]})
        scores[average] = train(spec, churn).models[1].cv_scores
    assert scores["micro"]["f1"] == pytest.approx(scores["micro"]["accuracy"])  # micro F1 is accuracy
    assert scores["macro"]["f1"] != scores["weighted"]["f1"]
