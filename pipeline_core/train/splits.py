"""Which rows train, validate and test: the held-out split and the cross-validation folds of a spec.

Everything is decided from row positions before anything is fitted. Group and time-series schemes
hold out whole groups or the latest rows, so the test score is as honest as the folds.
"""

import json

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
    train_test_split,
)

from pipeline_core.columns import parse_dates
from pipeline_core.errors import DataError
from pipeline_core.spec import PipelineSpec

Folds = list[tuple[np.ndarray, np.ndarray]]


def scheme(spec: PipelineSpec) -> str:
    """The scheme in force: 'auto' is stratified for classes and plain k-fold for numbers."""
    chosen = spec.evaluation.cv_scheme
    if chosen != "auto":
        return chosen
    return "stratified" if spec.data.task == "classification" else "kfold"


def describe(spec: PipelineSpec) -> str:
    """The validation in plain words, for the pages and the model card."""
    evaluation, chosen = spec.evaluation, scheme(spec)
    k = evaluation.cv_folds
    if chosen == "group":
        how = f"{k}-fold group (by `{_role_column(spec, 'group')}`)"
    elif chosen == "time_series":
        how = f"{k}-split time-series (ordered by `{_role_column(spec, 'datetime')}`)"
    else:
        how = f"{k}-fold stratified" if chosen == "stratified" else f"{k}-fold"
    repeats = f" repeated {evaluation.cv_repeats} times" if evaluation.cv_repeats > 1 else ""
    held_out = {"time_series": "the latest", "group": "whole groups making"}.get(chosen, "a random")
    return (
        f"{how} cross-validation{repeats} on the training rows; {held_out} {evaluation.test_size:.0%} of rows "
        "held out and scored once at the end"
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
    evaluation, y = spec.evaluation, frame[spec.data.target]
    positions = np.arange(len(frame))
    chosen = scheme(spec)
    if chosen == "time_series":
        order = np.argsort(_times(spec, frame).to_numpy(), kind="stable")
        n_test = int(np.ceil(evaluation.test_size * len(frame)))
        train, test = order[:-n_test], order[-n_test:]
        return train, test, list(TimeSeriesSplit(evaluation.cv_folds).split(train))
    if chosen == "group":
        groups = _groups(spec, frame)
        train, test = next(
            GroupShuffleSplit(1, test_size=evaluation.test_size, random_state=evaluation.seed).split(
                positions, groups=groups
            )
        )
        kind = StratifiedGroupKFold if spec.data.task == "classification" else GroupKFold
        splitter = kind(evaluation.cv_folds, shuffle=True, random_state=evaluation.seed)
        return train, test, list(splitter.split(train, y.iloc[train], groups[train]))
    stratified = chosen == "stratified"
    train, test = train_test_split(
        positions, test_size=evaluation.test_size, random_state=evaluation.seed, stratify=y if stratified else None
    )
    if evaluation.cv_repeats > 1:
        splitter = (RepeatedStratifiedKFold if stratified else RepeatedKFold)(
            n_splits=evaluation.cv_folds, n_repeats=evaluation.cv_repeats, random_state=evaluation.seed
        )
    else:
        splitter = (StratifiedKFold if stratified else KFold)(
            evaluation.cv_folds, shuffle=True, random_state=evaluation.seed
        )
    return train, test, list(splitter.split(train, y.iloc[train]))


def _role_column(spec: PipelineSpec, role: str) -> str:
    return next(column for column, its_role in spec.data.roles.items() if its_role == role)


def _groups(spec: PipelineSpec, frame: pd.DataFrame) -> np.ndarray:
    column = _role_column(spec, "group")
    groups = frame[column].astype("str").to_numpy()
    needed = spec.evaluation.cv_folds + 2
    if len(set(groups)) < needed:
        raise DataError(
            f"Group k-fold by '{column}' needs at least {needed} groups ({spec.evaluation.cv_folds} folds and a "
            f"held-out test part); it has {len(set(groups))}. Use fewer folds or another scheme."
        )
    return groups


def _times(spec: PipelineSpec, frame: pd.DataFrame) -> pd.Series:
    column = _role_column(spec, "datetime")
    values = frame[column]
    times = values if pd.api.types.is_numeric_dtype(values) else parse_dates(values)
    unreadable = int(times.isna().sum())
    if unreadable:
        raise DataError(
            f"The time order column '{column}' has {unreadable} missing or unreadable value(s): a time-series "
            "split cannot place those rows. Filter them out on the Data page, or use another scheme."
        )
    return times
