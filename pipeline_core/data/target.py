"""Whether a column can be learned as the target the spec asks for, said in plain words."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline_core.columns import ColumnType, name_words
from pipeline_core.errors import DataError
from pipeline_core.spec import PipelineSpec

MIN_ROWS = 20
MAX_CLASSES = 100  # more distinct labels than this is rarely a classification problem
# Names analysts give what they predict, the most telling first; matched whole or as a word of a column's name
# ('Churn Value', 'SalePrice', 'is_fraud'), except the short ones, which only whole ('amount_y' is a merge's).
TARGET_NAMES = (
    "target", "label", "outcome", "class", "y", "churn", "churned", "survived", "default", "fraud", "converted",
    "response", "sale_price", "saleprice", "price",
)  # fmt: skip
WHOLE_NAMES_ONLY = frozenset({"y", "class", "default"})
GUESS_ROWS = 10_000  # rows read to tell a two-valued column


@dataclass(frozen=True)
class TargetGuess:
    column: str
    reason: str  # why, in plain words, to show beside the choice


def guess_target(frame: pd.DataFrame, column_types: dict[str, ColumnType]) -> TargetGuess:
    """The column an analyst most likely wants to predict: one named as targets are named (the most telling
    name first, a column with every value before one with gaps), else a column of two values (a yes/no
    outcome), else the last column; never an identifier, a date or free text."""
    sample = frame.head(GUESS_ROWS)
    usable = [c for c in frame.columns if column_types.get(c) not in ("id", "datetime", "text")]
    complete = [c for c in usable if sample[c].notna().all()]
    words = {column: name_words(column) for column in usable}
    for name in TARGET_NAMES:
        named = [c for c in usable if words[c] == [name] or "".join(words[c]) == name]
        named = named or ([] if name in WHOLE_NAMES_ONLY else [c for c in usable if name in words[c]])
        if named:
            chosen = next((c for c in named if c in complete), named[0])
            return TargetGuess(chosen, f"its name, `{chosen}`, is how what is predicted is often named")
    two_valued = [c for c in complete if sample[c].nunique() == 2]
    if two_valued:
        return TargetGuess(two_valued[-1], f"`{two_valued[-1]}` has two values, as a yes/no outcome has")
    if complete:
        return TargetGuess(complete[-1], f"`{complete[-1]}` is the last column with a value in every row")
    last = (usable or list(frame.columns))[-1]
    return TargetGuess(last, f"`{last}` is the last column that could be learned")


def check_target(spec: PipelineSpec, y: pd.Series) -> None:
    """Raise DataError, in plain words, when this target cannot be learned as the spec asks."""
    name, task, folds = y.name, spec.data.task, spec.evaluation.cv_folds
    missing = int(y.isna().sum())
    if missing and task != "clustering":
        raise DataError(
            f"The target '{name}' has {missing} missing value(s). Drop those rows (Data page) or pick another target."
        )
    if len(y) < MIN_ROWS:
        raise DataError(f"Only {len(y)} rows to learn from; at least {MIN_ROWS} are needed.")
    if task == "clustering":  # the target only describes the groups afterwards
        return
    if task == "regression" and not (pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)):
        raise DataError(
            f"Regression needs a numeric target, but '{name}' holds values such as '{y.iloc[0]}'. "
            "Choose classification, or another target."
        )
    if task == "classification":
        counts = y.value_counts()
        if len(counts) < 2:
            raise DataError(
                f"The target '{name}' has only one class ('{counts.index[0]}'); classification needs two or more."
            )
        if len(counts) > MAX_CLASSES or len(counts) > len(y) // 2:
            raise DataError(
                f"The target '{name}' has {len(counts):,} different values in {len(y):,} rows: that looks like an "
                "identifier or a measurement, not classes. Choose regression for numbers, or another target."
            )
        if spec.evaluation.tune_threshold and len(counts) != 2:
            raise DataError(
                f"Threshold tuning is for two classes; '{name}' has {len(counts)}. Switch it off on the Train page."
            )
        test_rows = int(np.ceil(spec.evaluation.test_size * len(y)))
        if len(counts) > test_rows:
            raise DataError(
                f"'{name}' has {len(counts)} classes but the held-out test split has only {test_rows} rows, one "
                "per class at least is needed. Raise the test share, or merge rare classes."
            )
        needed = int(np.ceil(folds / (1 - spec.evaluation.test_size)))
        if counts.min() < needed:
            raise DataError(
                f"The class '{counts.idxmin()}' of '{name}' has only {counts.min()} row(s); "
                f"{folds}-fold stratified cross-validation plus a test split needs at least {needed}. "
                "Use fewer folds, or merge rare classes."
            )
