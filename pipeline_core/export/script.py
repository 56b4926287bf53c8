"""A standalone Python script that rebuilds and retrains a run's pipeline with plain scikit-learn and pandas.

The script is written from the very objects training builds (their scikit-learn repr is valid Python),
so it cannot drift from the engine. Pipewright's own transformers, when the pipeline uses any, are
copied in from their source: the script imports nothing of Pipewright.
"""

import importlib
import inspect
import json
import re
from collections.abc import Iterator

import pandas as pd

from pipeline_core import columns, transformers
from pipeline_core.catalog import get_model, number_repeats
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.catalog.schemes import SCHEMES
from pipeline_core.prepare.build import build_preparation
from pipeline_core.schema import feature_schema
from pipeline_core.spec import PipelineSpec
from pipeline_core.train import splits


def standalone_script(spec: PipelineSpec, frame: pd.DataFrame, *, title: str, n_classes: int = 2) -> str:
    """The script for a spec (as trained on `frame`), untuned models with their set parameters.

    Raises:
        ValueError: a scheme the script does not write (group or time-series k-fold), or clustering.
    """
    chosen, evaluation = SCHEMES[splits.scheme(spec)], spec.evaluation
    if chosen.role or spec.data.task == "clustering":  # the script reads no group or time order column
        raise ValueError("The standalone script covers k-fold and stratified k-fold classification or regression.")
    if evaluation.tune_threshold:
        raise ValueError("The standalone script does not tune decision thresholds, so it would not match this run.")
    if not pd.api.types.is_numeric_dtype(frame[spec.data.target]) and spec.data.task == "regression":
        raise ValueError("The standalone script does not read a target written as text ('$1,200') as numbers.")
    schema = feature_schema(spec, frame)
    preparation = build_preparation(spec, frame)
    models = spec.trained_models
    estimators = {
        key: get_model(m.kind).build(m.params, spec.data.task, evaluation.seed)
        for key, m in zip(number_repeats([m.kind for m in models]), models, strict=True)
    }
    used = {type(obj) for root in [preparation, *estimators.values()] for obj in _walk(root)}
    own = sorted(cls.__name__ for cls in used if cls.__module__ == transformers.__name__)
    splitter = chosen.splitter(evaluation.cv_folds, evaluation.cv_repeats, evaluation.seed, spec.data.task)
    needed = [_public(cls) for cls in used if cls.__module__ != transformers.__name__]
    needed += [_public(type(splitter)), ("sklearn.model_selection", "cross_validate")]
    needed += [("sklearn.model_selection", "train_test_split"), ("sklearn.exceptions", "UndefinedMetricWarning")]
    metric_names = [key for key, metric in METRICS.items() if metric.task == spec.data.task and metric.scorer]
    objects = [
        "def preparation():\n    return " + _code(preparation, indent=len("    return ")),
        "MODELS = {\n"
        + "".join(f"    {key!r}: {_code(model, indent=len(f'    {key!r}: '))},\n" for key, model in estimators.items())
        + "}",
    ]
    sections = [
        _header(spec, title, own),
        _imports(needed, numpy=any("np." in code for code in objects)),
        _own_transformers() if own else "",
        _settings(spec, schema),
        _rows(spec, frame),
        *objects,
        _main(spec, metric_names, _splitter_code(splitter, evaluation.seed), n_classes),
    ]
    return "\n\n\n".join(section for section in sections if section) + "\n"


def _walk(obj) -> Iterator:
    """Every estimator-like object inside another, itself included (steps, transformers, nested models)."""
    yield obj
    children = obj.get_params(deep=False).values() if hasattr(obj, "get_params") else []
    for child in children:
        if isinstance(child, list | tuple):
            for item in child:
                for part in item if isinstance(item, tuple) else (item,):
                    if hasattr(part, "get_params"):
                        yield from _walk(part)
        elif hasattr(child, "get_params") and not isinstance(child, type):
            yield from _walk(child)


def _public(cls: type) -> tuple[str, str]:
    """The shortest public module that exposes the class (sklearn.linear_model, not ._logistic), and its name."""
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = ".".join(parts[:end])
        public = not any(part.startswith("_") for part in parts[:end])
        if public and hasattr(importlib.import_module(module), cls.__name__):
            return module, cls.__name__
    return cls.__module__, cls.__name__


def _imports(names: list[tuple[str, str]], *, numpy: bool) -> str:
    """One sorted `from … import …` line per module, after the standard library, numpy (when the objects name
    its functions) and pandas."""
    modules: dict[str, set[str]] = {}
    for module, name in names:
        modules.setdefault(module, set()).add(name)
    lines = [f"from {module} import {', '.join(sorted(found))}" for module, found in sorted(modules.items())]
    return "\n".join(
        ["import sys", "import warnings", "", *(["import numpy as np"] if numpy else []), "import pandas as pd", *lines]
    )


def _code(estimator, *, indent: int) -> str:
    text = estimator.__repr__(N_CHAR_MAX=1_000_000)
    text = _NUMPY_FUNCTION.sub(r"np.\1", text)  # a function's repr is not Python; a model's functions are numpy's
    return text.replace("\n", "\n" + " " * indent)


_NUMPY_FUNCTION = re.compile(r"<function (\w+) at 0x[0-9a-f]+>")


def _splitter_code(splitter, seed: int) -> str:
    """The splitter's repr with its seed spelled SEED, so that one setting drives the test split and the folds."""
    return re.sub(rf"random_state={seed}\b", "random_state=SEED", repr(splitter))


def _header(spec: PipelineSpec, title: str, own: list[str]) -> str:
    title = " ".join(title.split()).replace("\\", "/").replace('"', "'")  # a name is text, never code
    spec_lines = "\n".join(f"#   {line}" for line in json.dumps(spec.model_dump(mode="json"), indent=2).splitlines())
    own_note = (
        f"\nIt carries Pipewright's own transformers it uses ({', '.join(own)}), copied from their source.\n"
        if own
        else ""
    )
    return (
        f'"""{title}: rebuild and retrain this pipeline with scikit-learn and pandas only.\n\n'
        "Usage: python this_script.py DATA_FILE   (the dataset's Parquet or CSV export)\n\n"
        "It splits the rows as the run did, cross-validates every model on the training part with the same\n"
        "folds and prints each model's mean score per metric, which match the run's CV scores on the same data.\n"
        f'{own_note}"""\n\n# The pipeline spec this script was written from:\n{spec_lines}'
    )


def _own_transformers() -> str:
    """columns.py and transformers.py, as they are, minus the import that joins them."""
    body = inspect.getsource(transformers).replace(
        "from pipeline_core.columns import datetime_format, number_convention, parse_dates, parse_numbers\n", ""
    )
    return (
        "# ---- Pipewright's own transformers, copied from pipeline_core/columns.py and transformers.py ----\n\n"
        + inspect.getsource(columns)
        + "\n\n"
        + body
    )


def _settings(spec: PipelineSpec, schema: dict) -> str:
    evaluation = spec.evaluation
    return "\n".join(
        [
            f"TARGET = {spec.data.target!r}",
            f"FEATURES = {list(schema)!r}",
            f"SEED = {evaluation.seed}",
            f"TEST_SIZE = {evaluation.test_size}",
        ]
    )


def _rows(spec: PipelineSpec, frame: pd.DataFrame) -> str:
    """Row-level cleaning, in the order training applies it: filters (compared as numbers on a numeric
    column, as text otherwise, as `prepare.rows.keep_rows` does), duplicates, missing targets."""
    lines = ["def clean(rows):"]
    operators = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
    for row_filter in spec.data.filters:
        column = repr(row_filter.column)
        if row_filter.operator in ("missing", "present"):
            test = "isna" if row_filter.operator == "missing" else "notna"
            lines.append(f"    rows = rows[rows[{column}].{test}()]")
        else:
            numeric = pd.api.types.is_numeric_dtype(frame[row_filter.column])
            compared = f"rows[{column}]" if numeric else f"rows[{column}].astype(str)"
            shown = repr(float(row_filter.value)) if numeric else repr(str(row_filter.value))
            lines.append(f"    rows = rows[{compared} {operators[row_filter.operator]} {shown}]")
    if "drop_duplicates" in spec.data.row_steps:
        lines.append("    rows = rows.drop_duplicates()")
    if "drop_missing_target" in spec.data.row_steps:
        lines.append("    rows = rows.dropna(subset=[TARGET])")
    lines.append("    return rows")
    return "\n".join(lines)


def _main(spec: PipelineSpec, metrics: list[str], folds: str, n_classes: int) -> str:
    average = spec.evaluation.average
    scorers = {
        metric: METRICS[metric].scorer.format(average=average)
        if metric != "roc_auc" or n_classes == 2
        else "roc_auc_ovr"
        for metric in metrics
    }
    stratify = "y" if SCHEMES[splits.scheme(spec)].stratified else "None"
    negated = [m for m, scorer in scorers.items() if scorer.startswith("neg_")]
    return f"""SCORING = {scorers!r}
NEGATED = {negated!r}  # scikit-learn reports errors as negative scores
USAGE = "Usage: python " + sys.argv[0] + " DATA_FILE   (the dataset's Parquet or CSV export, beside this script)"
# A fold where a model predicts no row of a class scores 0 for that class's precision, as Pipewright scores it.
warnings.filterwarnings("ignore", category=UndefinedMetricWarning)


def main(path):
    rows = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
    rows = clean(rows)
    X, y = rows[FEATURES], rows[TARGET]
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=SEED, stratify={stratify}
    )
    folds = {folds}
    for name, model in MODELS.items():
        pipeline = Pipeline([*preparation().steps, ("model", model)])
        scores = cross_validate(pipeline, X_train, y_train, cv=folds, scoring=SCORING)
        means = {{
            metric: (-1 if metric in NEGATED else 1) * scores[f"test_{{metric}}"].mean() for metric in SCORING
        }}
        print(name, " ".join(f"{{metric}}={{value:.12f}}" for metric, value in means.items()))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(USAGE)
    main(sys.argv[1])"""
