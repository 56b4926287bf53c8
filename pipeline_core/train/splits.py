"""Which rows train, validate and test: the held-out split and the cross-validation folds of a spec.

Everything is decided from row positions before anything is fitted. Group and time-series schemes
hold out whole groups or the latest rows, so the test score is as honest as the folds.
"""

import json

import numpy as np
import pandas as pd

from pipeline_core.catalog.schemes import SCHEMES
from pipeline_core.spec import PipelineSpec

Folds = list[tuple[np.ndarray, np.ndarray]]


def scheme(spec: PipelineSpec) -> str:
    """The scheme in force: 'auto' is stratified for classes and plain k-fold for numbers."""
    return SCHEMES[spec.evaluation.cv_scheme].resolved(spec.data.task).key


def describe(spec: PipelineSpec) -> str:
    """The validation in plain words, for the pages and the model card."""
    evaluation, chosen = spec.evaluation, SCHEMES[scheme(spec)]
    column = _role_column(spec, chosen.role) if chosen.role else None
    how = chosen.folds_wording.format(folds=evaluation.cv_folds, column=column)
    repeats = f" repeated {evaluation.cv_repeats} times" if evaluation.cv_repeats > 1 else ""
    return (
        f"{how} cross-validation{repeats} on the training rows; {chosen.test_wording} {evaluation.test_size:.0%} of "
        "rows held out and scored once at the end"
    )


def split_key(spec: PipelineSpec) -> str:
    """Equal for two specs that split the same data into the same rows and folds, so their fold scores pair."""
    data, evaluation = spec.data, spec.evaluation
    decides = {
        "data": data.model_dump(include={"dataset_fingerprint", "target", "task", "row_steps", "filters", "roles"}),
        "evaluation": evaluation.model_dump(include={"cv_folds", "cv_repeats", "test_size", "seed"}),
        "scheme": scheme(spec),  # 'auto' and the scheme it stands for split alike
    }
    return json.dumps(decides, sort_keys=True, default=str)


def split(spec: PipelineSpec, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, Folds]:
    """Positions of the training and test rows, and the folds as positions within the training rows.

    Raises:
        DataError: too few groups, or time stamps that cannot be read.
    """
    evaluation, chosen = spec.evaluation, SCHEMES[scheme(spec)]
    y = frame[spec.data.target]
    by = chosen.read_role(frame[_role_column(spec, chosen.role)], evaluation.cv_folds) if chosen.role else None
    train, test = chosen.hold_out(y, by, test_size=evaluation.test_size, seed=evaluation.seed)
    splitter = chosen.splitter(evaluation.cv_folds, evaluation.cv_repeats, evaluation.seed, spec.data.task)
    groups = by[train] if chosen.keeps_groups else None
    return train, test, list(splitter.split(train, y.iloc[train], groups))


def _role_column(spec: PipelineSpec, role: str) -> str:
    return next(column for column, its_role in spec.data.roles.items() if its_role == role)
