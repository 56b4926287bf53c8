"""The spec's view of the columns: each one's type and which become features."""

import pandas as pd

from pipeline_core.catalog import Branch
from pipeline_core.columns import ColumnType, infer_column_type
from pipeline_core.errors import SpecError
from pipeline_core.spec import PipelineSpec

# Which branch of the preprocessor each usable column type goes to; other types are not features yet.
BRANCH_OF: dict[ColumnType, Branch] = {
    "numeric": "numeric",
    "categorical": "categorical",
    "boolean": "categorical",
    "datetime": "datetime",
    "text": "text",
}


def column_types(spec: PipelineSpec, frame: pd.DataFrame) -> dict[str, ColumnType]:
    """Every column's type: as recorded in the spec, inferred for any it does not list.

    Raises:
        SpecError: the spec names a column the data does not have.
    """
    data = spec.data
    missing = sorted({data.target, *data.roles, *data.column_types} - set(frame.columns))
    if missing:
        raise SpecError(
            f"The spec names column(s) {', '.join(map(repr, missing))} that the data does not have. "
            f"Columns in the data: {', '.join(map(str, frame.columns))}."
        )
    return {column: data.column_types.get(column) or infer_column_type(frame[column]) for column in frame.columns}


def feature_schema(spec: PipelineSpec, frame: pd.DataFrame) -> dict[str, ColumnType]:
    """The columns the model learns from, with their types."""
    return {
        column: column_type
        for column, column_type in column_types(spec, frame).items()
        if column != spec.data.target
        and spec.data.roles.get(column, "feature") == "feature"
        and column_type in BRANCH_OF
    }


def numbers_as_text(schema: dict[str, ColumnType], frame: pd.DataFrame) -> frozenset[str]:
    """Numeric columns stored as text ('$1,200'): the pipeline reads them as numbers itself."""
    return frozenset(
        c for c, kind in schema.items() if kind == "numeric" and not pd.api.types.is_numeric_dtype(frame[c])
    )
