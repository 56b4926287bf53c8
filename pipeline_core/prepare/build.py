"""Compile a spec and a column schema into ONE scikit-learn Pipeline.

Everything fitted (imputers, scalers, encoders, the model) lives inside the returned Pipeline, so
cross-validation refits all of it on each training fold and nothing leaks from validation rows.
"""

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.manifold import TSNE
from sklearn.pipeline import Pipeline

from pipeline_core.catalog import (
    BRANCHES,
    STEPS,
    TURNS_INTO_NUMBERS,
    Branch,
    get_model,
    get_step,
    number_repeats,
    unnumbered,
)
from pipeline_core.columns import ROLES, ColumnType
from pipeline_core.errors import SpecError
from pipeline_core.schema import BRANCH_OF, column_types, feature_schema, numbers_as_text
from pipeline_core.spec import ModelSpec, PipelineSpec, StepSpec
from pipeline_core.transformers import TextToNumber
from pipeline_core.words import counted


def unused_columns(spec: PipelineSpec, frame: pd.DataFrame) -> dict[str, str]:
    """Columns that are not features, each with the reason in plain words."""
    reasons = {}
    for column, column_type in column_types(spec, frame).items():
        role = spec.data.roles.get(column, "feature")
        if column == spec.data.target:
            reasons[column] = "the target"
        elif role != "feature":
            reasons[column] = ROLES[role].split(" (")[0].lower()
        elif column_type == "id":
            reasons[column] = "identifier"

    return reasons


def build_preprocessor(spec: PipelineSpec, schema: dict[str, ColumnType], frame: pd.DataFrame) -> ColumnTransformer:
    """One branch per kind of column, each a Pipeline of that branch's steps.

    Numeric columns stored as text ('$1,200') get their own branch that first reads them as numbers.
    """
    task = spec.data.task
    branches = []
    for branch in BRANCHES:
        columns = [column for column, column_type in schema.items() if BRANCH_OF[column_type] == branch]
        if not columns:
            continue
        steps = spec.preprocessing.for_type(branch)
        _check_steps(branch, steps, columns)
        if branch == "text":  # a text step reads one column of documents at a time
            branches += [(f"text_{c}", _branch_pipeline(steps, task, [c], frame), [c]) for c in columns]
            continue
        if branch == "numeric":
            as_text = [c for c in columns if c in numbers_as_text(schema, frame)]
            columns = [c for c in columns if c not in as_text]
            if as_text:
                parse = [("text_to_number", TextToNumber())]
                read = _branch_pipeline(steps, task, as_text, frame, first=parse)
                branches.append(("numbers_in_text", read, as_text))
        elif branch == "categorical":
            flags = [c for c in columns if pd.api.types.is_bool_dtype(frame[c])]
            columns = [c for c in columns if c not in flags]
            if flags:  # a bool column has no missing values, and imputers refuse its dtype: encode only
                encode = [s for s in steps if get_step(s.kind).category != "impute"]
                branches.append(("true_false", _branch_pipeline(encode, task, flags, frame), flags))
        if columns:
            branches.append((branch, _branch_pipeline(steps, task, columns, frame), columns))
    if not branches:
        raise SpecError("There are no feature columns left: every column is the target, ignored, or not usable yet.")
    return ColumnTransformer(branches, verbose_feature_names_out=False, sparse_threshold=0)


def _check_steps(branch: Branch, steps: list[StepSpec], columns: list[str]) -> None:
    """Refuse, in plain words, a branch whose columns cannot reach a model as numbers, and a step naming
    columns its group does not have or that an earlier step has already replaced."""
    required = TURNS_INTO_NUMBERS.get(branch)
    if required:
        covered = {c for s in steps if get_step(s.kind).category == required for c in s.columns or columns}
        if uncovered := [c for c in columns if c not in covered]:
            options = [kind.label for kind in STEPS.values() if kind.category == required and branch in kind.applies_to]
            raise SpecError(
                f"{branch.capitalize()} columns ({', '.join(uncovered[:5])}) need a step that turns them into numbers:"
                f" models only take numbers. Add one on the Prepare page ({'; '.join(options)}), or leave those "
                "columns out."
            )
    for index, step in enumerate(steps):
        label = get_step(step.kind).label
        strangers = [c for c in step.columns if c not in columns]
        if strangers:
            raise SpecError(
                f"The step '{label}' names {', '.join(map(repr, strangers))}: not among the {branch} columns "
                f"({', '.join(columns[:8])})."
            )
        for earlier in steps[:index]:
            replaced = set(step.columns) & set(earlier.columns or columns)
            if step.columns and get_step(earlier.kind).renames and replaced:
                raise SpecError(
                    f"The step '{label}' names {', '.join(map(repr, sorted(replaced)))}, but the earlier step "
                    f"'{get_step(earlier.kind).label}' has already turned it into new columns. Move '{label}' up."
                )


def _branch_pipeline(
    steps: list[StepSpec], task: str, columns: list[str], frame: pd.DataFrame, *, first: list | None = None
) -> Pipeline | str:
    """A branch's steps over its `columns`. A step that names columns runs on those of them this branch has
    (the others pass by it); the branch then keeps column names between steps so the step can find them."""
    names = number_repeats([step.kind for step in steps])
    chosen, partial = list(first or []), False
    for name, step in zip(names, steps, strict=True):
        own = [c for c in step.columns if c in columns] if step.columns else columns
        if not own:
            continue
        kind = get_step(step.kind)
        transformer = kind.make(step.params, task, frame[own] if kind.shaped_by_data else None)
        if own != columns:
            partial = True
            transformer = ColumnTransformer(
                [(name, transformer, own)], remainder="passthrough", verbose_feature_names_out=False, sparse_threshold=0
            )
        chosen.append((name, transformer))
    if not chosen:
        return "passthrough"
    pipeline = Pipeline(chosen)
    return pipeline.set_output(transform="pandas") if partial else pipeline


def _named_steps(steps: list[StepSpec], task: str) -> list[tuple[str, object]]:
    names = number_repeats([step.kind for step in steps])
    return [(name, get_step(step.kind).make(step.params, task, None)) for name, step in zip(names, steps, strict=True)]


def build_pipeline(spec: PipelineSpec, frame: pd.DataFrame, model: ModelSpec) -> Pipeline:
    """The full, unfitted pipeline for one model: preprocessing then the estimator."""
    estimator = get_model(model.kind).build(model.params, spec.data.task, spec.evaluation.seed)
    return Pipeline([*build_preparation(spec, frame).steps, ("model", estimator)])


def build_preparation(spec: PipelineSpec, frame: pd.DataFrame) -> Pipeline:
    """Everything before the model: the column groups joined, then the steps on every feature together."""
    preprocessor = build_preprocessor(spec, feature_schema(spec, frame), frame)
    combined = _named_steps(spec.preprocessing.for_type("combined"), spec.data.task)
    return Pipeline([("preprocess", preprocessor), *combined])


def preview(spec: PipelineSpec, frame: pd.DataFrame, *, n_rows: int = 500) -> pd.DataFrame:
    """The prepared features of a sample, fitted on that sample only (training fits per fold)."""
    schema = feature_schema(spec, frame)
    sample = frame.head(n_rows)
    preparation = build_preparation(spec, frame)  # not set_output: TfidfVectorizer has none
    prepared = preparation.fit_transform(sample[list(schema)], sample[spec.data.target])
    return pd.DataFrame(prepared, columns=preparation.get_feature_names_out(), index=sample.index)


def preparation_warnings(spec: PipelineSpec, frame: pd.DataFrame) -> list[str]:
    """Plain-words warnings, before any training, about steps that will fail or surprise."""
    schema = feature_schema(spec, frame)
    branches = {
        branch: [c for c, column_type in schema.items() if BRANCH_OF[column_type] == branch]
        for branch in ("numeric", "categorical")
    }
    return _missing_value_warnings(spec, frame, branches) + [
        warning
        for branch, columns in branches.items()
        for step in spec.preprocessing.for_type(branch)
        for warning in _step_warnings(step, frame, step.columns or columns)
    ]


def _step_warnings(step: StepSpec, frame: pd.DataFrame, columns: list[str]) -> list[str]:
    warn = get_step(step.kind).warnings
    return warn(step.params, frame, columns) if warn else []


def _missing_value_warnings(spec: PipelineSpec, frame: pd.DataFrame, branches: dict[str, list[str]]) -> list[str]:
    """Models that will meet missing values they cannot take."""
    unfilled = []
    for branch, columns in branches.items():
        filled = set()
        for step in spec.preprocessing.for_type(branch):
            if get_step(step.kind).fills_missing:
                filled |= set(step.columns or columns)
        unfilled += [c for c in columns if c not in filled and frame[c].isna().any()]
    failing = [get_model(m.kind).label for m in spec.models if not get_model(m.kind).handles_missing]
    if not unfilled or not failing:
        return []
    names = ", ".join(f"`{c}`" for c in unfilled[:5]) + (" …" if len(unfilled) > 5 else "")
    return [
        f"{names} {'has' if len(unfilled) == 1 else 'have'} missing values and no fill step: "
        f"{', '.join(failing)} cannot take missing values and will fail. Add a fill step on the Prepare page."
    ]


_SUB_BRANCH_TITLES = {"numbers_in_text": "numeric (written as text)", "true_false": "true/false"}


def step_shapes(spec: PipelineSpec, frame: pd.DataFrame, *, n_rows: int = 500) -> dict[str, list[tuple[str, str]]]:
    """For each group of columns, its steps with the number of columns each outputs, fitted one after
    another on a sample; a step that fails there says why instead."""
    sample = frame.head(n_rows)
    y = sample[spec.data.target]
    shapes = {}
    for name, branch, columns in build_preprocessor(spec, feature_schema(spec, frame), frame).transformers:
        if branch == "passthrough":
            continue
        data = sample[columns]
        shapes[_SUB_BRANCH_TITLES.get(name, name.replace("text_", "text: ", 1))] = rows = []
        for step_name, transformer in branch.steps:
            kind, _ = unnumbered(step_name, STEPS)
            label = get_step(kind).label if kind in STEPS else "Read as numbers"
            try:
                data = transformer.fit_transform(data, y)
            except (ValueError, TypeError) as error:
                rows.append((label, f"fails: {str(error).splitlines()[0][:120]}"))
                break
            rows.append((label, counted(data.shape[1], "column")))
    return shapes


def embed_2d(spec: PipelineSpec, frame: pd.DataFrame, *, n_rows: int = 1000) -> pd.DataFrame:
    """A t-SNE map of a sample of prepared rows, with the target, for a chart.

    t-SNE places only the rows it is given and cannot place new ones (it has no transform), which
    is why it is a picture on the Prepare page and never a pipeline step.
    """
    sample = frame.sample(min(n_rows, len(frame)), random_state=spec.evaluation.seed)
    prepared = preview(spec, sample, n_rows=len(sample))
    points = TSNE(
        n_components=2, init="pca", perplexity=min(30, len(sample) - 1) / 1.0, random_state=spec.evaluation.seed
    ).fit_transform(prepared.to_numpy(dtype=float))
    return pd.DataFrame({"x": points[:, 0], "y": points[:, 1], "target": sample[spec.data.target].to_numpy()})
