"""Scoring new rows with a trained pipeline: the new table is checked against the training columns first."""

import pandas as pd

from pipeline_core.columns import ColumnType, likely_renamed, parse_numbers
from pipeline_core.errors import DataError


def check_columns(schema: dict[str, ColumnType], frame: pd.DataFrame) -> list[str]:
    """Notes on columns the model does not use (they are ignored).

    Raises:
        DataError: a training column is missing, or a numeric one holds values that do not read as numbers
            (even written as text: '$1,200' and '12%' do); the message lists every such column.
    """
    missing = [column for column in schema if column not in frame.columns]
    extra = [str(column) for column in frame.columns if column not in schema]
    mistyped = [
        column
        for column, column_type in schema.items()
        if column not in missing and column_type == "numeric" and _not_numbers(frame[column])
    ]
    problems = []
    if missing:
        renamed = likely_renamed(missing, extra)
        named = [f"{c!r} (perhaps this file's {renamed[c]!r}, renamed)" if c in renamed else repr(c) for c in missing]
        problems.append(f"missing {_columns(len(missing))} the model needs: {', '.join(named)}")
    if mistyped:
        holds = "holds" if len(mistyped) == 1 else "hold"
        listed = ", ".join(map(repr, mistyped))
        problems.append(f"{_columns(len(mistyped))} that should hold numbers {holds} text: {listed}")
    if problems:
        unused = f" Columns the model does not use: {', '.join(map(repr, extra))}." if missing and extra else ""
        raise DataError("This file does not fit the model: " + "; ".join(problems) + "." + unused)
    return [f"Not used by the model, ignored: {', '.join(extra)}."] if extra else []


def _columns(n: int) -> str:
    return "a column" if n == 1 else f"{n} columns"


def _not_numbers(values: pd.Series) -> bool:
    present = values.dropna()
    return not present.empty and parse_numbers(present).isna().any()


def predict_table(
    model, frame: pd.DataFrame, schema: dict[str, ColumnType], *, as_text: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """The rows after a `prediction` column and, for a classifier, one `probability <class>` column each.

    Numeric columns arrive as the model saw them in training: read as numbers ('$1,200' → 1200), except
    those in `as_text`, which were text in training and which the model reads as numbers itself.
    """
    X = model_input(frame, schema, as_text=as_text)
    scored = pd.DataFrame({"prediction": model.predict(X)}, index=frame.index)
    if hasattr(model, "predict_proba") and hasattr(model, "classes_"):
        probabilities = model.predict_proba(X)
        for index, label in enumerate(model.classes_):
            scored[f"probability {label}"] = probabilities[:, index]
    return scored.join(frame.drop(columns=scored.columns, errors="ignore"))  # what was predicted comes first


def model_input(frame: pd.DataFrame, schema: dict[str, ColumnType], *, as_text: frozenset[str]) -> pd.DataFrame:
    """The model's columns as it saw them in training: numbers written as text read as numbers ('$1,200' →
    1200), except those in `as_text`, which were text in training and which the model reads itself."""
    X = frame[list(schema)].copy()
    for column, column_type in schema.items():
        if column_type == "numeric" and column not in as_text and not pd.api.types.is_numeric_dtype(X[column]):
            X[column] = parse_numbers(X[column])
    return X
