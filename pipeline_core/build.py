"""Compile a spec and a column schema into ONE scikit-learn Pipeline.

Everything fitted (imputers, scalers, encoders, the model) lives inside the returned Pipeline, so
cross-validation refits all of it on each training fold and nothing leaks from validation rows.
"""

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from pipeline_core.catalog import ColumnType, get_model, get_step
from pipeline_core.errors import SpecError
from pipeline_core.ingest import infer_column_types
from pipeline_core.spec import ModelSpec, PipelineSpec, StepSpec


def feature_schema(spec: PipelineSpec, frame: pd.DataFrame) -> dict[str, ColumnType]:
    """The feature columns and their types: inferred, then the spec's overrides applied.

    Raises:
        SpecError: the spec names a column the data does not have.
    """
    data = spec.data
    named = {data.target, *data.ignored_columns, *data.column_types}
    missing = sorted(named - set(frame.columns))
    if missing:
        raise SpecError(
            f"The spec names column(s) {', '.join(map(repr, missing))} that the data does not have. "
            f"Columns in the data: {', '.join(map(str, frame.columns))}."
        )
    schema = infer_column_types(frame) | data.column_types
    excluded = {data.target, *data.ignored_columns}
    return {column: column_type for column, column_type in schema.items() if column not in excluded}


def build_preprocessor(spec: PipelineSpec, schema: dict[str, ColumnType]) -> ColumnTransformer:
    """One branch per column type that has columns, each a Pipeline of that type's steps."""
    branches = []
    for column_type in ("numeric", "categorical"):
        columns = [column for column, kind in schema.items() if kind == column_type]
        if not columns:
            continue
        steps = spec.preprocessing.for_type(column_type)
        if column_type == "categorical" and not any(get_step(s.kind).category == "encode" for s in steps):
            raise SpecError(
                f"Categorical columns ({', '.join(columns[:5])}) need an encoding step: models only take "
                "numbers. Add one-hot or ordinal encoding, or ignore those columns."
            )
        branches.append((column_type, _step_pipeline(steps) if steps else "passthrough", columns))
    if not branches:
        raise SpecError("There are no feature columns left: every column is the target or ignored.")
    return ColumnTransformer(branches, verbose_feature_names_out=False)


def _step_pipeline(steps: list[StepSpec]) -> Pipeline:
    names: list[str] = []
    for step in steps:
        count = sum(existing.startswith(step.kind) for existing in names)
        names.append(step.kind if count == 0 else f"{step.kind}_{count + 1}")
    return Pipeline([(name, get_step(step.kind).build(step.params)) for name, step in zip(names, steps, strict=True)])


def build_pipeline(spec: PipelineSpec, schema: dict[str, ColumnType], model: ModelSpec) -> Pipeline:
    """The full, unfitted pipeline for one model: preprocessing then the estimator."""
    estimator = get_model(model.kind).build(model.params, spec.data.task, spec.evaluation.seed)
    return Pipeline([("preprocess", build_preprocessor(spec, schema)), ("model", estimator)])


def preview(spec: PipelineSpec, frame: pd.DataFrame, *, n_rows: int = 500) -> pd.DataFrame:
    """The prepared features of a sample, fitted on that sample only (training fits per fold)."""
    schema = feature_schema(spec, frame)
    sample = frame.head(n_rows)
    preprocessor = build_preprocessor(spec, schema).set_output(transform="pandas")
    return preprocessor.fit_transform(sample[list(schema)])


def missing_value_warnings(spec: PipelineSpec, frame: pd.DataFrame) -> list[str]:
    """Plain-words warnings for models that will meet missing values they cannot take."""
    schema = feature_schema(spec, frame)
    unfilled = []
    for column_type in ("numeric", "categorical"):
        steps = spec.preprocessing.for_type(column_type)
        fills = any(get_step(step.kind).category == "impute" for step in steps)
        onehot_only = column_type == "categorical" and any(step.kind == "onehot_encoder" for step in steps)
        if not fills and not onehot_only:  # one-hot turns a missing value into its own 0/1 column
            columns = [c for c, kind in schema.items() if kind == column_type]
            unfilled += [c for c in columns if frame[c].isna().any()]
    if not unfilled:
        return []
    failing = [get_model(m.kind).label for m in spec.models if not get_model(m.kind).handles_missing]
    if not failing:
        return []
    names = ", ".join(f"`{c}`" for c in unfilled[:5]) + (" …" if len(unfilled) > 5 else "")
    return [
        f"{names} {'has' if len(unfilled) == 1 else 'have'} missing values and no fill step: "
        f"{', '.join(failing)} cannot take missing values and will fail. Add a fill step on the Prepare page."
    ]
