"""Cross-validate and hold-out-test every model of a spec, with progress, cancellation and
per-model failure isolation.

Work is split into one preparation task per fold, then one task per (model, fold) plus one final
fit per model, run in parallel across processes; each task's native thread pools are capped so
that workers x threads never exceeds the cores (an oversubscribed gradient-boosting fit was seen
running 1,000x slower).
"""

import getpass
import os
import platform
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import joblib
import numpy as np
import optuna
import pandas as pd
import sklearn
import skops
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.metrics import make_scorer
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from pipeline_core import validation
from pipeline_core.build import build_preparation, build_preprocessor, feature_schema
from pipeline_core.catalog import get_model, number_repeats, numbered_label
from pipeline_core.cluster import cluster
from pipeline_core.columns import ColumnType, read_as
from pipeline_core.errors import DataError
from pipeline_core.evaluate import METRICS, Predictions, curve_data, default_primary_metric, predict, score_all
from pipeline_core.export import dump_model
from pipeline_core.parallel import process_pool
from pipeline_core.spec import ModelSpec, PipelineSpec, RowFilter
from pipeline_core.tuning import TunedModel, inner_folds, parameter_importance

MIN_ROWS = 20
MAX_CLASSES = 100  # more distinct labels than this is rarely a classification problem
MAX_IMPORTANCE_ROWS = 1000  # enough held-out rows to rank columns; more only costs predictions

ModelStatus = Literal["succeeded", "failed", "cancelled"]


@dataclass
class TrainedModel:
    """One model's outcome: per-fold CV scores, held-out test scores and the fitted pipeline."""

    key: str
    kind: str
    label: str
    is_baseline: bool
    status: ModelStatus = "succeeded"
    error: str | None = None
    cv_scores: dict[str, list[float]] = field(default_factory=dict)
    test_scores: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    curves: dict[str, Any] = field(default_factory=dict)
    model_file: bytes | None = None  # the pipeline fitted on the whole training part, as skops bytes


@dataclass
class TrainResult:
    status: Literal["succeeded", "cancelled", "failed"]
    primary_metric: str
    models: list[TrainedModel]
    n_train: int
    n_test: int
    error: str | None = None  # why the run failed


def finished(status: str, primary_metric: str, models: list[TrainedModel], n_train: int, n_test: int) -> TrainResult:
    """The result of a run that went to its end (or was cancelled). One in which no model it was asked for
    succeeded has failed, the baseline alone being only a reference; its error gives the first reason."""
    wanted = [m for m in models if not m.is_baseline] or models
    error = None
    if status == "succeeded" and not any(m.status == "succeeded" for m in wanted):
        first = next((m for m in wanted if m.error), None)
        status, error = "failed", "Every model failed" + (f". {first.label}: {first.error}" if first else ".")
    return TrainResult(status, primary_metric, models, n_train, n_test, error)


class TrainObserver(Protocol):
    """What a caller hears while training runs (the UI and CLI record it in the database)."""

    def on_start(self, n_train: int, n_test: int) -> None: ...

    def on_progress(self, done: int, total: int, message: str) -> None: ...

    def should_stop(self) -> bool: ...

    def on_model_finished(self, result: TrainedModel) -> None: ...


class _SilentObserver:
    def on_start(self, n_train: int, n_test: int) -> None:
        pass

    def on_progress(self, done: int, total: int, message: str) -> None:
        pass

    def should_stop(self) -> bool:
        return False

    def on_model_finished(self, result: TrainedModel) -> None:
        pass


@dataclass
class _Outcome:
    model_key: str
    fold: int | None  # None: the final fit on the whole training part, scored on the test part
    scores: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    curves: dict[str, Any] = field(default_factory=dict)
    model_file: bytes | None = None
    error: str | None = None


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


def train(
    spec: PipelineSpec,
    frame: pd.DataFrame,
    *,
    observer: TrainObserver | None = None,
    n_jobs: int | None = None,
    scratch_dir: Path | None = None,
) -> TrainResult:
    """Cross-validate every model of the spec (plus the dummy baseline) and test it on a held-out split.

    The preparation steps are fitted once per fold and their output is shared by every model on that
    fold (written to a temporary folder and memory-mapped, so wide folds do not pile up in memory);
    then one task per (model, fold) runs in parallel, model after model, so results arrive per model.

    Args:
        spec: the pipeline to train.
        frame: the whole dataset, target included.
        observer: receives progress, each finished model, and is asked whether to stop.
        n_jobs: parallel workers; defaults to the number of cores.
        scratch_dir: where the prepared folds are written (default: the system's temporary folder).

    Returns:
        The results; status "cancelled" if the observer asked to stop, with finished models kept, and
        "failed" when every model failed.

    Raises:
        DataError, SpecError: the data or spec cannot be trained as asked (nothing was run).
    """
    observer = observer or _SilentObserver()
    frame, schema = check_trainable(spec, frame)
    if spec.data.task == "clustering":
        return cluster(spec, frame, schema, observer, n_jobs, scratch_dir)
    train_rows, test_rows, folds = validation.split(spec, frame)
    X, y = frame[list(schema)], frame[spec.data.target]
    X_train, y_train, X_test, y_test = X.iloc[train_rows], y.iloc[train_rows], X.iloc[test_rows], y.iloc[test_rows]

    models = [ModelSpec(kind="dummy")] + [m for m in spec.models if m.kind != "dummy"]
    keys = number_repeats([m.kind for m in models])
    results = {
        key: TrainedModel(
            key=key, kind=m.kind, label=numbered_label(m.kind, key), is_baseline=get_model(m.kind).is_baseline
        )
        for key, m in zip(keys, models, strict=True)
    }
    estimators = {key: _estimator(spec, m) for key, m in zip(keys, models, strict=True)}
    splits: list[tuple | None] = [*folds, None]  # None: the whole training part, tested on the test part
    progress = _Progress(observer, total=len(splits) * (len(results) + 1))
    n_jobs = max(1, min(n_jobs or os.cpu_count() or 1, len(splits) * len(results)))
    threads = max(1, (os.cpu_count() or 1) // n_jobs)
    preparation = build_preparation(spec, frame)
    observer.on_start(len(X_train), len(X_test))
    progress.tell("Preparing the folds")

    with (
        tempfile.TemporaryDirectory(prefix="pipewright-folds-", dir=scratch_dir) as folder,
        process_pool(threads, scratch_dir),
    ):
        prepared = []
        for fold in Parallel(n_jobs=n_jobs, return_as="generator", batch_size=1)(
            delayed(_prepare_fold)(preparation, X_train, y_train, X_test, y_test, split, index, folder, threads)
            for index, split in enumerate(splits)
        ):
            prepared.append(fold)
            progress.step(f"Fold {fold.index + 1} of {len(splits)} prepared" if not fold.is_final else "Prepared")
        status = _fit_models(spec, results, estimators, prepared, progress, n_jobs, threads)

    primary = spec.evaluation.primary_metric or default_primary_metric(spec.data.task)
    return finished(status, primary, list(results.values()), len(X_train), len(X_test))


@dataclass
class _Progress:
    observer: TrainObserver
    total: int
    done: int = 0

    def tell(self, message: str) -> None:
        self.observer.on_progress(self.done, self.total, message)

    def step(self, message: str) -> None:
        self.done += 1
        self.tell(message)


def _fit_models(spec, results, estimators, prepared, progress: _Progress, n_jobs, threads) -> str:
    """Fit every model on every prepared fold, telling the observer as each model finishes."""
    longest_first = sorted(prepared, key=lambda fold: not fold.is_final)  # the final fit also tests and saves
    jobs = [(key, fold) for key in results for fold in longest_first]
    pending = {key: len(prepared) for key in results}
    fold_outcomes: dict[str, list[_Outcome]] = defaultdict(list)
    status = "succeeded"
    scoring = _Scoring(
        task=spec.data.task,
        metric=spec.evaluation.primary_metric or default_primary_metric(spec.data.task),
        average=spec.evaluation.average,
        learning_curve=spec.evaluation.learning_curve,
    )
    outcomes = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)(
        delayed(_fit_model)(scoring, key, estimators[key], fold, threads) for key, fold in jobs
    )
    try:
        for outcome in outcomes:
            result = results[outcome.model_key]
            _absorb(result, outcome, fold_outcomes[result.key])
            progress.step(_describe(result, outcome, len(prepared) - 1))
            pending[result.key] -= 1
            if pending[result.key] == 0:
                _finish(result, fold_outcomes[result.key])
                progress.observer.on_model_finished(result)
            if progress.observer.should_stop():
                status = "cancelled"
                break
    finally:
        outcomes.close()
    for result in results.values():
        if pending[result.key]:
            result.status, result.model_file = "cancelled", None
    return status


@dataclass
class _PreparedFold:
    """One fold's preparation output, on disk: models read it memory-mapped instead of refitting it."""

    index: int
    is_final: bool
    y_fit: np.ndarray
    y_eval: np.ndarray
    fit_path: str = ""
    eval_path: str = ""
    preparation: Pipeline | None = None  # fitted on the whole training part (final fold only), for export
    X_test: pd.DataFrame | None = None  # the test rows as given (final fold only), for permutation importance
    error: str | None = None


def _prepare_fold(preparation, X_train, y_train, X_test, y_test, split, index, folder, threads) -> _PreparedFold:
    """Fit the preparation on a fold's training rows; transform its training and validation rows."""
    if split is not None:
        train_index, valid_index = split
        X_fit, y_fit = X_train.iloc[train_index], y_train.iloc[train_index]
        X_eval, y_eval = X_train.iloc[valid_index], y_train.iloc[valid_index]
    else:
        X_fit, y_fit, X_eval, y_eval = X_train, y_train, X_test, y_test
    fold = _PreparedFold(index, split is None, y_fit.to_numpy(), y_eval.to_numpy())
    try:
        with threadpool_limits(limits=threads):
            fitted = clone(preparation)
            # fit_transform, not fit then transform: the target encoder cross-fits its training rows only there
            fit_out, eval_out = fitted.fit_transform(X_fit, y_fit), fitted.transform(X_eval)
    except Exception as error:  # noqa: BLE001 - a step that cannot fit this fold fails every model on it
        fold.error = _first_line(f"Preparation failed: {type(error).__name__}: {error}")
        return fold
    fold.fit_path, fold.eval_path = f"{folder}/{index}_fit.npy", f"{folder}/{index}_eval.npy"
    np.save(fold.fit_path, np.asarray(fit_out, dtype=float))
    np.save(fold.eval_path, np.asarray(eval_out, dtype=float))
    if split is None:
        fold.preparation, fold.X_test = fitted, X_eval.iloc[:MAX_IMPORTANCE_ROWS]
    return fold


@dataclass(frozen=True)
class _Scoring:
    """How every fit of a run is scored, and what its final fits add."""

    task: str
    metric: str
    average: str
    learning_curve: bool


def _fit_model(scoring: _Scoring, key, estimator, fold: _PreparedFold, threads) -> _Outcome:
    """Fit one model on a prepared fold and score it on the fold's validation (or test) rows; on the final
    fold also keep what the Compare page draws and the model file. Any failure fails this model only."""
    outcome = _Outcome(key, None if fold.is_final else fold.index)
    if fold.error:
        outcome.error = fold.error
        return outcome
    X_fit, X_eval = np.load(fold.fit_path, mmap_mode="r"), np.load(fold.eval_path, mmap_mode="r")
    try:
        with threadpool_limits(limits=threads):
            fitted = clone(estimator)
            start = time.perf_counter()
            fitted.fit(X_fit, fold.y_fit)
            outcome.fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            predictions = predict(fitted, X_eval, fold.y_eval)
            outcome.predict_seconds = time.perf_counter() - start
            outcome.scores = score_all(scoring.task, predictions, scoring.average)
            if fold.is_final:
                _keep_final(outcome, fitted, predictions, fold, X_fit, X_eval, scoring)
    except Exception as error:  # noqa: BLE001 - any estimator failure fails this model only
        outcome.error = _first_line(f"{type(error).__name__}: {error}")
    return outcome


def _keep_final(outcome: _Outcome, fitted, predictions, fold: _PreparedFold, X_fit, X_eval, scoring) -> None:
    """The model as exported (preparation and plain model), its test curves, permutation importance and,
    when asked, its learning curve."""
    plain, threshold = _unwrap(fitted, outcome)
    shipped = plain
    if threshold is not None:  # frozen: the fitted model is kept, only the threshold is set around it
        shipped = FixedThresholdClassifier(FrozenEstimator(plain), threshold=threshold).fit(X_fit, fold.y_fit)
    pipeline = Pipeline([*fold.preparation.steps, ("model", shipped)])
    outcome.curves |= curve_data(scoring.task, predictions)
    outcome.model_file = dump_model(pipeline)
    y_test = fold.y_eval[: len(fold.X_test)]
    outcome.curves |= _importance(pipeline, fold.X_test, y_test, scoring.metric, scoring.average)
    if scoring.learning_curve:
        outcome.curves |= _learning_curve(plain, X_fit, fold.y_fit, X_eval, fold.y_eval, scoring)


LEARNING_SHARES = (0.1, 0.25, 0.5, 0.75, 1.0)


def _learning_curve(model, X_fit, y_fit, X_test, y_test, scoring: _Scoring) -> dict[str, list]:
    """The model refitted on growing shares of the training part (the earliest rows first, which for a
    time-series split are the oldest), scored on those rows and on the held-out test rows."""
    metric = METRICS[scoring.metric]
    sizes, on_train, on_test = [], [], []
    for share in LEARNING_SHARES:
        n = max(int(share * len(y_fit)), 10)
        try:
            fitted = clone(model).fit(X_fit[:n], y_fit[:n])
            train_score = metric.compute(predict(fitted, X_fit[:n], y_fit[:n]), scoring.average)
            test_score = metric.compute(predict(fitted, X_test, y_test), scoring.average)
        except ValueError:  # a share too small for this model (one class, fewer rows than neighbours)
            continue
        sizes.append(n)
        on_train.append(train_score)
        on_test.append(test_score)
    return {"learning_rows": sizes, "learning_train": on_train, "learning_test": on_test}


def _unwrap(fitted, outcome: _Outcome) -> tuple[Any, float | None]:
    """The plain fitted model inside any search, and the tuned threshold if there is one; what the searches
    tried and chose is noted on the outcome. The plain model is what is exported."""
    threshold = None
    if isinstance(fitted, TunedThresholdClassifierCV):
        threshold, fitted = fitted.best_threshold_, fitted.estimator_
        outcome.curves["threshold"] = threshold
    if isinstance(fitted, TunedModel):
        outcome.curves["tuning"] = _tuning_summary(fitted)
        fitted = fitted.model_
    return fitted, threshold


def _tuning_summary(search: TunedModel) -> dict[str, Any]:
    """What the search on the whole training part tried and chose, for the Compare page."""
    return {
        "method": search.tuning["method"],
        "metric": search.metric,
        "trials": search.trials_,
        "best_params": search.best_params_,
        "importance": parameter_importance(
            search.kind, search.task, search.tuning, search.trials_, METRICS[search.metric].greater_is_better
        ),
    }


def _importance(pipeline, X_test, y_test, metric: str, average: str) -> dict[str, list]:
    """Permutation importance on the held-out rows: how much the metric drops when one column is shuffled.

    Measured on the columns as given, through the whole pipeline, so it speaks of the analyst's columns
    rather than of one-hot levels; scored by the run's ranking metric (a drop in error counts as positive).
    """
    sign = METRICS[metric].sign

    def score(estimator, X, y) -> float:
        return sign * METRICS[metric].compute(predict(estimator, X, y), average)

    found = permutation_importance(pipeline, X_test, y_test, scoring=score, n_repeats=3, random_state=0)
    return {
        "importance_metric": metric,
        "importance_features": [str(column) for column in X_test.columns],
        "importance_mean": found.importances_mean.tolist(),
        "importance_std": found.importances_std.tolist(),
    }


def _estimator(spec: PipelineSpec, model: ModelSpec):
    """The model as the catalog builds it, or the search that picks its parameters; with threshold tuning,
    wrapped in scikit-learn's cross-validated choice of the decision threshold."""
    task, evaluation = spec.data.task, spec.evaluation
    metric = evaluation.primary_metric or default_primary_metric(task)
    kind = get_model(model.kind)
    if model.tuning is None:
        estimator = kind.build(model.params, task, evaluation.seed)
    else:
        tuning = model.tuning.model_dump()
        estimator = TunedModel(
            model.kind, task, evaluation.seed, model.params, tuning, metric, evaluation.average, validation.scheme(spec)
        )
    if not evaluation.tune_threshold or kind.is_baseline:
        return estimator
    return TunedThresholdClassifierCV(
        estimator,
        scoring=make_scorer(_label_metric, metric=metric, average=evaluation.average),
        cv=inner_folds(task, validation.scheme(spec), 5, evaluation.seed),
        random_state=evaluation.seed,
    )


def _label_metric(y_true, y_pred, *, metric: str, average: str) -> float:
    """A ranking metric computed from labels, as scikit-learn's threshold search scores each threshold."""
    return METRICS[metric].compute(Predictions(np.asarray(y_true), np.asarray(y_pred)), average)


def _first_line(message: str, limit: int = 300) -> str:
    """Estimator errors can run to paragraphs of advice; the first line says what went wrong."""
    line = message.strip().splitlines()[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _absorb(result: TrainedModel, outcome: _Outcome, fold_outcomes: list[_Outcome]) -> None:
    if outcome.error:
        result.status, result.error = "failed", result.error or outcome.error
    elif outcome.fold is None:
        result.test_scores, result.curves, result.model_file = outcome.scores, outcome.curves, outcome.model_file
    else:
        fold_outcomes.append(outcome)


def _finish(result: TrainedModel, fold_outcomes: list[_Outcome]) -> None:
    if result.status == "failed":
        result.model_file = None
        return
    fold_outcomes.sort(key=lambda o: o.fold)
    result.cv_scores = {metric: [o.scores[metric] for o in fold_outcomes] for metric in fold_outcomes[0].scores}
    result.fit_seconds = float(np.mean([o.fit_seconds for o in fold_outcomes]))
    result.predict_seconds = float(np.mean([o.predict_seconds for o in fold_outcomes]))


def _describe(result: TrainedModel, outcome: _Outcome, n_folds: int) -> str:
    if outcome.error:
        return f"{result.label} failed"
    if outcome.fold is None:
        return f"{result.label}: final fit and test done"
    return f"{result.label}: fold {outcome.fold + 1} of {n_folds} done"


# Recorded with the versions, but where a run happened rather than what it ran with.
WHERE = ("machine", "started by")


def library_versions() -> dict[str, Any]:
    """The versions that decide whether a run can be reproduced exactly, and the machine and user it ran as."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "skops": skops.__version__,
        "optuna": optuna.__version__,
        "machine": f"{platform.node()} ({platform.platform()}, {os.cpu_count()} cores)",
        "started by": getpass.getuser(),
    }
