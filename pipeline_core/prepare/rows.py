"""The spec's row-level cleaning, run once before the split, and the checks before any fit."""

import pandas as pd

from pipeline_core.columns import ColumnType, read_as
from pipeline_core.data.target import check_target
from pipeline_core.errors import DataError
from pipeline_core.prepare.build import build_preprocessor
from pipeline_core.schema import feature_schema
from pipeline_core.spec import PipelineSpec, RowFilter


def prepare_rows(spec: PipelineSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Apply the spec's row-level cleaning, then check the target can be learned.

    Raises:
        DataError: the target is missing, empty, single-class, or not numeric for regression.
    """
    target = spec.data.target
    if target not in frame.columns:
        raise DataError(
            f"The target column '{target}' is not in the data. Columns: {', '.join(map(str, frame.columns))}."
        )
    for row_filter in spec.data.filters:
        frame = frame[keep_rows(frame, row_filter)]
    if "drop_duplicates" in spec.data.row_steps:
        frame = frame.drop_duplicates()
    if "drop_missing_target" in spec.data.row_steps:
        frame = frame.dropna(subset=[target])
    frame = frame.assign(**{target: read_as(frame[target], spec.data.column_types.get(target))})  # '$1,200' → 1200
    check_target(spec, frame[target])
    return frame


def check_trainable(spec: PipelineSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, ColumnType]]:
    """Everything that can be checked before any fit: rows, target, columns, steps.

    Returns:
        The cleaned rows and the feature schema.

    Raises:
        DataError, SpecError: in plain words, what stops this spec from training on this data.
    """
    frame = prepare_rows(spec, frame)
    schema = feature_schema(spec, frame)
    build_preprocessor(spec, schema, frame)
    return frame, schema


def keep_rows(frame: pd.DataFrame, row_filter: RowFilter) -> pd.Series:
    """The rows a filter keeps, as a boolean mask.

    Raises:
        DataError: the column is missing, or an order comparison is asked of a column that is not numeric.
    """
    if row_filter.column not in frame.columns:
        raise DataError(f"The filter '{row_filter.describe()}' names a column the data does not have.")
    values, value, operator = frame[row_filter.column], row_filter.value, row_filter.operator
    if operator == "missing":
        return values.isna()
    if operator == "present":
        return values.notna()
    if pd.api.types.is_numeric_dtype(values):
        try:
            value = float(value)
        except ValueError:
            raise DataError(f"The filter '{row_filter.describe()}' compares numbers with '{value}'.") from None
    elif operator in ("lt", "le", "gt", "ge"):
        raise DataError(f"The filter '{row_filter.describe()}' orders a column of text; use equals or does not equal.")
    else:
        values, value = values.astype("str"), str(value)
    return getattr(values, operator)(value)
