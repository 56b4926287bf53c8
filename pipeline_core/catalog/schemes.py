"""The cross-validation schemes, declared once: what each is called, which tasks and columns it needs, and how
it splits the rows.

The spec validates against these entries, training and the searches take their scikit-learn splitters from
them, the pages show their labels and the standalone script writes their splitter.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np
import pandas as pd

from pipeline_core.catalog import Task
from pipeline_core.columns import Role, parse_dates
from pipeline_core.errors import DataError

Rows = tuple[np.ndarray, np.ndarray]  # positions of the training rows and of the test rows
# (folds, repeats, seed, task) → a scikit-learn splitter (repeated k-fold is not a BaseCrossValidator)
Splitter = Callable[[int, int, int, Task], Any]


@dataclass(frozen=True, kw_only=True)
class Scheme:
    """A way of cross-validating: its identity, what it needs of the spec and the data, and its splitter."""

    key: str
    name: str  # what messages call it
    summary: str = ""  # what the pickers add after the name
    tasks: frozenset[Task] = frozenset(get_args(Task))
    task_refusal: str = ""  # why the other tasks cannot use it, and what to use instead
    stands_for: dict[Task, str] = field(default_factory=dict)  # 'auto' only: the scheme each task gets
    role: Role | None = None  # the column it splits by needs this role, on exactly one column
    role_label: str = ""  # that role as the Data page names it
    # The role column as the split uses it (groups, or times), checked against the number of folds.
    read_role: Callable[[pd.Series, int], np.ndarray] | None = None
    repeatable: bool = True  # may be repeated with new shuffles (repeated k-fold); the spec refuses it otherwise
    stratified: bool = False  # the test part and the folds keep the class balance
    splitter: Splitter | None = None  # None for 'auto', which splits as the scheme it stands for
    # How the test part is taken from the role column's values (test_size, seed); None: rows drawn at random.
    test_rows: Callable[[np.ndarray, float, int], Rows] | None = None
    # Whose folds a search inside an outer fold uses; 'auto': shuffled, stratified for classes.
    inner_scheme: str = "auto"
    folds_wording: str = "{folds}-fold"  # in plain words, of `folds` folds by `column`
    test_wording: str = "a random"  # which share of the rows is held out, in plain words
    training_grows: bool = False  # each fold trains on more rows than the one before (time order)

    @property
    def label(self) -> str:
        return f"{self.name}: {self.summary}" if self.summary else self.name

    @property
    def keeps_groups(self) -> bool:
        """Its splitter takes the role column as scikit-learn's groups, to keep each group's rows together."""
        return self.role == "group"

    def resolved(self, task: Task) -> "Scheme":
        """The scheme that splits for `task`: itself, or the one 'auto' stands for."""
        return SCHEMES[self.stands_for[task]] if self.stands_for else self

    def hold_out(self, y: pd.Series, by: np.ndarray | None, *, test_size: float, seed: int) -> Rows:
        """The training and test rows, by the role column's values `by` when the scheme splits by one."""
        if self.test_rows is not None:
            return self.test_rows(by, test_size, seed)
        stratify = y if self.stratified else None
        split = _model_selection("train_test_split")
        train, test = split(np.arange(len(y)), test_size=test_size, random_state=seed, stratify=stratify)
        return train, test

    def inner_folds(self, folds: int, seed: int, task: Task):
        """The splitter of a search inside an outer fold. A group scheme's inner folds are not grouped: the
        choice of settings may be optimistic, the outer scores stay honest."""
        return SCHEMES[self.inner_scheme].resolved(task).splitter(folds, 1, seed, task)


def _model_selection(name: str):
    """One of scikit-learn's splitters, imported when a split is made: reading a spec needs none of them."""
    return getattr(importlib.import_module("sklearn.model_selection"), name)


def _shuffled(once: str, repeated: str) -> Splitter:
    """k-fold shuffled by the seed, or repeated with a new shuffle each time."""

    def splitter(folds: int, repeats: int, seed: int, task: Task):
        if repeats > 1:
            return _model_selection(repeated)(n_splits=folds, n_repeats=repeats, random_state=seed)
        return _model_selection(once)(folds, shuffle=True, random_state=seed)

    return splitter


def _by_group(folds: int, repeats: int, seed: int, task: Task):
    kind = _model_selection("StratifiedGroupKFold" if task == "classification" else "GroupKFold")
    return kind(folds, shuffle=True, random_state=seed)


def _in_time_order(folds: int, repeats: int, seed: int, task: Task):
    return _model_selection("TimeSeriesSplit")(folds)


def _groups(column: pd.Series, folds: int) -> np.ndarray:
    groups = column.astype("str").to_numpy()
    needed = folds + 2
    if len(set(groups)) < needed:
        raise DataError(
            f"Group k-fold by '{column.name}' needs at least {needed} groups ({folds} folds and a held-out test "
            f"part); it has {len(set(groups))}. Use fewer folds or another scheme."
        )
    return groups


def _times(column: pd.Series, folds: int) -> np.ndarray:
    times = column if pd.api.types.is_numeric_dtype(column) else parse_dates(column)
    unreadable = int(times.isna().sum())
    if unreadable:
        raise DataError(
            f"The time order column '{column.name}' has {unreadable} missing or unreadable value(s): a time-series "
            "split cannot place those rows. Filter them out on the Data page, or use another scheme."
        )
    return times.to_numpy()


def _whole_groups(groups: np.ndarray, test_size: float, seed: int) -> Rows:
    positions = np.arange(len(groups))
    splitter = _model_selection("GroupShuffleSplit")(1, test_size=test_size, random_state=seed)
    return next(splitter.split(positions, groups=groups))


def _latest(times: np.ndarray, test_size: float, seed: int) -> Rows:
    order = np.argsort(times, kind="stable")
    n_test = int(np.ceil(test_size * len(times)))
    return order[:-n_test], order[-n_test:]


SCHEMES: dict[str, Scheme] = {
    scheme.key: scheme
    for scheme in [
        Scheme(
            key="auto",
            name="Stratified k-fold for classes, k-fold for numbers",
            stands_for={"classification": "stratified", "regression": "kfold", "clustering": "kfold"},
        ),
        Scheme(key="kfold", name="k-fold (shuffled)", splitter=_shuffled("KFold", "RepeatedKFold")),
        Scheme(
            key="stratified",
            name="Stratified k-fold",
            summary="each fold keeps the class balance",
            tasks=frozenset({"classification"}),
            task_refusal="stratified k-fold keeps a class balance, so it needs classification; use k-fold",
            stratified=True,
            splitter=_shuffled("StratifiedKFold", "RepeatedStratifiedKFold"),
            folds_wording="{folds}-fold stratified",
        ),
        Scheme(
            key="group",
            name="Group k-fold",
            summary="a group's rows never span training and validation",
            role="group",
            role_label="Group",
            read_role=_groups,
            repeatable=False,
            splitter=_by_group,
            test_rows=_whole_groups,
            folds_wording="{folds}-fold group (by `{column}`)",
            test_wording="whole groups making",
        ),
        Scheme(
            key="time_series",
            name="Time-series split",
            summary="always validate on later rows than the training ones",
            role="datetime",
            role_label="Time order",
            read_role=_times,
            repeatable=False,
            splitter=_in_time_order,
            test_rows=_latest,
            inner_scheme="time_series",  # validating on later rows only, as the outer folds do
            folds_wording="{folds}-split time-series (ordered by `{column}`)",
            test_wording="the latest",
            training_grows=True,
        ),
    ]
}


def schemes_for(task: Task) -> list[Scheme]:
    """The schemes a task can use, in the pickers' order."""
    return [scheme for scheme in SCHEMES.values() if task in scheme.tasks]
