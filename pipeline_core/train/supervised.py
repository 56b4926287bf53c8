"""Cross-validate and hold-out-test every model of a spec, with progress, cancellation and
per-model failure isolation.

Work is split into one preparation task per fold, then one task per (model, fold) plus one final
fit per model, run in parallel across processes; each task's native thread pools are capped so
that workers x threads never exceeds the cores (an oversubscribed gradient-boosting fit was seen
running 1,000x slower).
"""

import math
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import make_scorer
from sklearn.model_selection import FixedThresholdClassifier, TunedThresholdClassifierCV
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from pipeline_core.catalog import get_model, number_repeats, numbered_label
from pipeline_core.catalog.metrics import METRICS, Predictions
from pipeline_core.columns import ColumnType
from pipeline_core.errors import DataError, SpecError
from pipeline_core.model_files import dump_model
from pipeline_core.prepare.build import build_preparation
from pipeline_core.prepare.rows import check_trainable
from pipeline_core.spec import ModelSpec, PipelineSpec
from pipeline_core.train import splits
from pipeline_core.train.cluster import cluster
from pipeline_core.train.curves import Curves, LearningCurve, TuningSummary
from pipeline_core.train.evaluate import curve_data, predict, score_all
from pipeline_core.train.parallel import (
    ClusterPool,
    Pool,
    kill,
    make_pool,
    running,
    seconds_running,
    threads_per_task,
    workers_for,
)
from pipeline_core.train.race import Race, fold_size_ratio
from pipeline_core.train.results import (
    ModelStatus,
    SilentObserver,
    TrainedModel,
    TrainObserver,
    TrainResult,
    best,
    finished,
)
from pipeline_core.train.tuning import TunedModel, inner_folds, parameter_importance

WATCH_SECONDS = 0.5  # how often running fits are held to their budgets


@dataclass
class _Outcome:
    model_key: str
    fold: int | None  # None: the final fit on the whole training part, scored on the test part
    scores: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    curves: Curves = field(default_factory=Curves)
    model_file: bytes | None = None
    error: str | None = None


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
    fold (written to a temporary folder and memory-mapped, so wide folds do not pile up in memory).
    Then every model is fitted fold by fold, all models on a fold before the next; with racing on, a model
    clearly behind the leader gets no more folds, and a model (or the run) past its time budget is stopped,
    even mid-fit. Last, each model that went the whole way is fitted on the whole training part and tested.

    Args:
        spec: the pipeline to train.
        frame: the whole dataset, target included.
        observer: receives progress, each finished model, and is asked whether to stop.
        n_jobs: worker processes; by default the cores, or none (this process) for a small table.
        scratch_dir: where the prepared folds are written (default: the system's temporary folder).

    Returns:
        The results; status "cancelled" if the observer asked to stop, with finished models kept, and
        "failed" when every model failed.

    Raises:
        DataError, SpecError: the data or spec cannot be trained as asked (nothing was run).
    """
    observer = observer or SilentObserver()
    if spec.data.task == "clustering":
        frame, schema = check_trainable(spec, frame)
        return cluster(spec, frame, schema, observer, n_jobs)
    pool = start_workers(spec, frame, n_jobs)
    frame, schema = check_trainable(spec, frame)
    rows, folds, results, estimators = _setup(spec, frame, schema)
    fold_splits: list[tuple | None] = [*folds, None]  # None: the whole training part, tested on the test part
    progress = _Progress(observer, {_Progress.PREPARING: len(fold_splits)} | dict.fromkeys(results, len(fold_splits)))
    preparation = build_preparation(spec, frame)
    observer.on_start(len(rows.X_train), len(rows.X_test))
    progress.tell("Preparing the folds")

    with tempfile.TemporaryDirectory(prefix="pipewright-folds-", dir=scratch_dir) as folder:
        pool.reaches(Path(folder))
        rows_file = Path(folder) / "rows.pickle"
        pd.to_pickle(rows, rows_file)  # read by each preparation task, rather than sent to each
        pending = [
            pool.submit(_prepare_fold, preparation, rows_file, split, index, folder, pool.threads)
            for index, split in enumerate(fold_splits)
        ]
        prepared, since = [], time.monotonic()
        for future in pending:
            prepared.append(future.result())
            done = "Prepared" if prepared[-1].is_final else f"Fold {len(prepared)} of {len(fold_splits)} prepared"
            progress.step(_Progress.PREPARING, time.monotonic() - since, done)
            since = time.monotonic()
        fitting = _Fitting(spec, results, estimators, progress, pool, Path(folder))
        status = fitting.fit(prepared[:-1], prepared[-1])
    if status == "cancelled":
        fitting.cancel_the_rest()
    return finished(status, spec.ranking_metric, list(results.values()), len(rows.X_train), len(rows.X_test))


def final_model_file(spec: PipelineSpec, frame: pd.DataFrame, key: str, *, scratch_dir: Path | None = None) -> bytes:
    """One model's file, made again for a model whose file its run did not keep: the same rows, preparation,
    seed and threads as the run's final fit give the same fitted pipeline.

    Raises:
        DataError, SpecError: the spec no longer trains on the data; also when the fit itself fails.
    """
    frame, schema = check_trainable(spec, frame)
    rows, folds, results, estimators = _setup(spec, frame, schema)
    if key not in results:
        raise SpecError(f"The run has no model '{key}'. Its models: {', '.join(results)}.")
    threads = threads_per_task(run_workers(spec, len(frame)))
    scoring = _Scoring(spec.data.task, spec.ranking_metric, spec.evaluation.average, learning_curve=False)
    with tempfile.TemporaryDirectory(prefix="pipewright-model-", dir=scratch_dir) as folder:
        rows_file = Path(folder) / "rows.pickle"
        pd.to_pickle(rows, rows_file)
        final = _prepare_fold(build_preparation(spec, frame), rows_file, None, len(folds), folder, threads)
        outcome = _fit_model(scoring, key, estimators[key], final, threads, None, keep_file=True)
    if outcome.error:
        raise DataError(f"{results[key].label} could not be fitted again: {outcome.error}")
    return outcome.model_file


def _setup(spec: PipelineSpec, frame: pd.DataFrame, schema: dict[str, ColumnType]):
    """The rows split into training and held-out parts, the folds, and each model's result and estimator (the
    baseline first), keyed as the run keys them."""
    train_rows, test_rows, folds = splits.split(spec, frame)
    X, y = frame[list(schema)], frame[spec.data.target]
    rows = _Rows(X.iloc[train_rows], y.iloc[train_rows], X.iloc[test_rows], y.iloc[test_rows])
    models = spec.trained_models
    keys = number_repeats([m.kind for m in models])
    results = {
        key: TrainedModel(
            key=key, kind=m.kind, label=numbered_label(m.kind, key), is_baseline=get_model(m.kind).is_baseline
        )
        for key, m in zip(keys, models, strict=True)
    }
    return rows, folds, results, {key: estimator(spec, m) for key, m in zip(keys, models, strict=True)}


def start_workers(spec: PipelineSpec, frame: pd.DataFrame, n_jobs: int | None = None) -> Pool | ClusterPool:
    """The worker processes a run of the spec on these rows trains in (this process alone for a small table).
    Started early by a caller with work of its own to do first, they import the engine meanwhile; `train`
    then finds them ready, as a pool of the same size is reused."""
    return make_pool(n_jobs or run_workers(spec, len(frame)), warm_up=_warm_up)


def run_workers(spec: PipelineSpec, n_rows: int) -> int:
    """How many worker processes a run of the spec on `n_rows` rows trains in (1: this process)."""
    return workers_for(int(n_rows * (1 - spec.evaluation.test_size)), len(spec.trained_models))


def _warm_up() -> None:
    """Nothing: a worker that unpickles this task has imported this module, and so the engine."""


@dataclass(frozen=True)
class _Rows:
    """The training and held-out rows, as the preparation tasks read them."""

    X_train: pd.DataFrame
    y_train: pd.Series
    X_test: pd.DataFrame
    y_test: pd.Series


class _Progress:
    """How far the run is, for the bar and the time left: the seconds its finished tasks took over those plus the
    seconds the tasks left should take, each model's at the pace of its own fits so far (a forest's fold counts
    for many of the baseline's), a model not timed yet at the average fit's. Counting tasks instead would call a
    run of a fast baseline and a slow forest half done when the baseline is."""

    PREPARING = ""  # the key of the tasks that prepare the folds

    def __init__(self, observer: TrainObserver, tasks: dict[str, int]) -> None:
        self.observer, self.left = observer, dict(tasks)  # tasks left per model key
        self.spent: dict[str, list[float]] = {}  # seconds of each finished task, per model key

    def tell(self, message: str) -> None:
        done = sum(map(sum, self.spent.values()))
        expected = sum(count * self._pace(key) for key, count in self.left.items() if count > 0)
        self.observer.on_progress(done, done + expected, message)

    def step(self, key: str, seconds: float, message: str) -> None:
        self.left[key] -= 1
        self.spent.setdefault(key, []).append(seconds)
        self.tell(message)

    def skip(self, key: str, tasks: int) -> None:
        """Tasks that will not run (their model stopped or failed)."""
        self.left[key] -= tasks

    def add(self, key: str, tasks: int) -> None:
        self.left[key] = self.left.get(key, 0) + tasks

    def _pace(self, key: str) -> float:
        """The seconds one task of this model should take."""
        fits = [s for k, spent in self.spent.items() if k != self.PREPARING for s in spent]
        timed = self.spent.get(key) or fits or [s for spent in self.spent.values() for s in spent] or [1.0]
        return max(float(np.mean(timed)), 1e-3)


def _seconds(outcome: _Outcome) -> float:
    return outcome.fit_seconds + outcome.predict_seconds


@dataclass(frozen=True)
class _Task:
    key: str
    fold: "_PreparedFold"
    keep_file: bool = False
    refit: bool = False  # the run's best fitted once more at the end, for its file: the lead changed after its fit


class _Fitting:
    """The fits of one run: cross-validation fold by fold with the race and the budgets; each model that goes
    the whole way is then fitted on the whole training part and tested, at once, so models finish one by one.
    Only the best model's file is kept (the leader's when it finishes; the run's best, made at the end, if the
    lead changed since); the others' are made when asked for.

    Tasks are handed out one at a time as workers free up, so every choice of the next task (which model,
    whether it is still racing) is made after the outcome before it has been seen. The race judges fold k once
    every model still racing has its first k folds, on those folds only, and a racing model is reported finished
    only once the race has judged every fold but the last (the baseline, and every model when racing is off, at
    once): which fit happened to end first never changes what the race decides."""

    def __init__(
        self, spec: PipelineSpec, results, estimators, progress: _Progress, pool: Pool | ClusterPool, folder: Path
    ):
        self.results, self.estimators, self.progress = results, estimators, progress
        self.pool, self.folder = pool, folder
        self.scoring = _Scoring(
            task=spec.data.task,
            metric=spec.ranking_metric,
            average=spec.evaluation.average,
            learning_curve=spec.evaluation.learning_curve,
        )
        ratio = fold_size_ratio(splits.scheme(spec), spec.evaluation.cv_folds)
        self.race = Race(self.scoring.metric, ratio) if spec.evaluation.racing else None
        self.model_budget, self.run_budget = spec.evaluation.model_seconds, spec.evaluation.run_seconds
        self.started = time.monotonic()
        self.folds: dict[str, dict[int, _Outcome]] = {key: {} for key in results}  # each model's scored folds
        self.settled: set[str] = set()  # finished, stopped or failed: no more fits
        self.killed: dict[str, str] = {}  # models whose running fit was ended, and why
        self.lost: set[tuple[str, int]] = set()  # (model, fold) of tasks lost once with a worker that died
        self.judged = 0  # folds the race has judged
        self.finals_sent: set[str] = set()
        self.held: dict[str, _Outcome] = {}  # final fits done before the race had judged every fold
        self.n_folds = 0

    def fit(self, folds: list["_PreparedFold"], final: "_PreparedFold") -> str:
        """Every model on fold 1, then on fold 2, …, each model's final fit as soon as its folds are done."""
        self.n_folds, self.final = len(folds), final
        pending = [_Task(key, fold) for fold in folds for key in self.results]
        status = self._run(pending)
        top = best(list(self.results.values()), self.scoring.metric)
        if status == "succeeded" and top is not None and top.model_file is None:
            self.progress.add(top.key, 1)  # one more fit: the lead changed after its final fit
            status = self._run([_Task(top.key, final, keep_file=True, refit=True)])
        return status

    def cancel_the_rest(self) -> None:
        self._release_held()  # they went the whole way: a cancel keeps finished models
        for key, result in self.results.items():
            if key not in self.settled:
                result.status, result.model_file = "cancelled", None

    def _run(self, pending: list[_Task]) -> str:
        running: dict[Future, _Task] = {}
        while True:
            while len(running) < self.pool.size:
                task = self._next(pending, {task.key for task in running.values()})
                if task is None:
                    break
                last = not pending and not running  # the last task may have every core
                running[self._submit(task, self.pool.threads_alone if last else self.pool.threads)] = task
            if not running:
                return "succeeded"
            done, _ = wait(running, timeout=WATCH_SECONDS, return_when=FIRST_COMPLETED)
            broken = False
            for future in done:
                task = running.pop(future)
                if isinstance(future.exception(), BrokenProcessPool):  # a worker was ended or died
                    broken = True
                    self._lost(task, pending)
                elif task.key not in self.settled or task.refit:  # else: a fold of a model stopped meanwhile
                    self._absorb(task, future.result())
            if broken:
                self.pool.restart()
            self._advance(pending)
            self._keep_to_budgets(running)
            if self.progress.observer.should_stop():
                return "cancelled"

    def _lost(self, task: _Task, pending: list[_Task]) -> None:
        """A task whose worker was ended (for this model's budget, or another's) or died (out of memory, say):
        sent again once; lost twice, its model fails (a refit for the file only goes without)."""
        self._pid_file(task).unlink(missing_ok=True)  # the dead worker's: the task sent again writes its own
        result = self.results[task.key]
        if task.key in self.killed and task.key not in self.settled:
            self._settle(result, "stopped", self.killed[task.key])
        elif task.key in self.settled and not task.refit:
            return
        elif (task.key, task.fold.index) not in self.lost:
            self.lost.add((task.key, task.fold.index))
            pending.insert(0, task)
        elif not task.refit:
            self._settle(result, "failed", "its worker process died twice (out of memory?)")

    def _absorb(self, task: _Task, outcome: _Outcome) -> None:
        result = self.results[task.key]
        if task.refit:  # the model went the whole way already: without its file it is still scored and tested
            if outcome.model_file is not None:
                result.model_file = outcome.model_file
                self.progress.observer.on_model_file(result)
            self.progress.step(task.key, _seconds(outcome), f"{result.label}: model file kept")
        elif outcome.error:
            self._settle(result, "failed", outcome.error)
        elif task.fold.is_final:
            self._absorb_final(result, outcome)
        else:
            self._absorb_fold(result, outcome)

    def _next(self, pending: list[_Task], busy: set[str]) -> _Task | None:
        """The task to hand out now: a final fit first (a model finishes), else from the earliest fold the slowest
        model first so the cores stay busy, and a model with no fold running if there is one, so the race sees
        each fold before the model gets another."""
        pending[:] = [task for task in pending if task.key not in self.settled or task.refit]
        free = [task for task in pending if task.key not in busy] or pending
        if not free:
            return None
        finals = [task for task in free if task.fold.is_final]
        earliest = min(task.fold.index for task in free)
        task = (
            finals[0]
            if finals
            else max((t for t in free if t.fold.index == earliest), key=lambda t: self._seconds_per_fit(t.key))
        )
        pending.remove(task)
        return task

    def _submit(self, task: _Task, threads: int) -> Future:
        pid_file = self._pid_file(task) if self.pool.preemptible else None
        estimator = self.estimators[task.key]
        return self.pool.submit(
            _fit_model, self.scoring, task.key, estimator, task.fold, threads, pid_file, task.keep_file
        )

    def _keep_to_budgets(self, running: dict[Future, _Task]) -> None:
        """End the fits of a model past its budget, or of every model once the run is past its own. A fit's time
        counts from when its worker started it (a task waiting for a worker, or for one to start, spends none);
        a final fit only answers to the run's budget, as the model has gone the whole way."""
        run_over = self.run_budget is not None and time.monotonic() - self.started > self.run_budget
        run_out = f"the run's time budget of {self.run_budget} s ran out"
        for task in running.values():
            if task.key in self.settled or task.key in self.killed:
                continue
            running_for = seconds_running(self._pid_file(task))
            if running_for is None:
                continue
            if run_over:
                why = run_out
            elif task.fold.is_final or self.model_budget is None:
                continue
            elif self._seconds_spent(task.key) + running_for > self.model_budget:
                why = f"over its time budget of {self.model_budget} s"
            else:
                continue
            if kill(self._pid_file(task)):  # else it has just finished, or is not yet started: seen next time
                self.killed[task.key] = why
        if run_over:  # nothing more starts; what runs now is ended, what went the whole way is kept
            self._release_held()
            for key in self.results:
                if key not in self.settled and key not in self.killed:
                    self._settle(self.results[key], "stopped", run_out)

    def _stopped_after(self, key: str, why: str) -> str:
        return f"stopped after {len(self.folds[key])} of {self.n_folds} folds: {why}"

    def _pid_file(self, task: _Task) -> Path:
        return self.folder / f"running-{task.key}-{task.fold.index}.pid"

    def _absorb_fold(self, result: TrainedModel, outcome: _Outcome) -> None:
        self.folds[result.key][outcome.fold] = outcome
        self.progress.step(
            result.key, _seconds(outcome), f"{result.label}: fold {outcome.fold + 1} of {self.n_folds} done"
        )
        metric = self.scoring.metric
        self.progress.observer.on_fold_scores(
            {
                self.results[key].label: [
                    None if math.isnan(o.scores[metric]) else o.scores[metric] for o in folds.values()
                ]
                for key, folds in self.folds.items()
                if folds
            }
        )
        over = self.model_budget is not None and self._seconds_spent(result.key) > self.model_budget
        if over and len(self.folds[result.key]) < self.n_folds:
            self._settle(result, "stopped", "over its time budget")

    def _advance(self, pending: list[_Task]) -> None:
        """The race's next judgements, the final fit of each model whose folds are done (keeping the file if it
        leads now), and the finished models reported once no fold is left to judge."""
        if self.race is not None:
            self._judge()
        for key, folds in self.folds.items():
            if len(folds) == self.n_folds and key not in self.settled and key not in self.finals_sent:
                self.finals_sent.add(key)
                self._keep_cv_scores(self.results[key])
                pending.append(_Task(key, self.final, keep_file=self._leader() == key))
        if self.judged == self.n_folds - 1:
            self._release_held()

    def _release_held(self) -> None:
        """Report the models held back for the race as finished."""
        for key in list(self.held):
            self._finish(self.results[key], self.held.pop(key))

    def _judge(self) -> None:
        """Each fold k but the last in turn, once every model still racing has its first k folds: those behind on
        them stop, keeping only those k folds (any fold past them was fitted ahead of the judgement)."""
        while self.judged < self.n_folds - 1:  # a model with every fold done has nothing left to save
            k = self.judged + 1
            racing = self._racing_scores()
            if any(not set(range(k)) <= set(folds) for folds in racing.values()):
                return
            self.judged = k
            first = {key: {fold: folds[fold] for fold in range(k)} for key, folds in racing.items()}
            for key, leader, gap, p in self.race.behind(first):
                behind = f"behind {self.results[leader].label} by {gap:.3f} {METRICS[self.scoring.metric].label}"
                self._settle(self.results[key], "stopped", f"{behind} (p = {p:.3f})", keep_folds=k)

    def _absorb_final(self, result: TrainedModel, outcome: _Outcome) -> None:
        self.progress.step(result.key, _seconds(outcome), f"{result.label}: final fit and test done")
        if self.race is None or result.is_baseline:  # the baseline only sets the floor: no race stops it
            self._finish(result, outcome)
        else:
            self.held[result.key] = outcome  # reported by _advance, once the race can no longer stop it

    def _finish(self, result: TrainedModel, outcome: _Outcome) -> None:
        result.test_scores, result.curves, result.model_file = outcome.scores, outcome.curves, outcome.model_file
        self.settled.add(result.key)
        self.progress.observer.on_model_finished(result)

    def _settle(self, result: TrainedModel, status: ModelStatus, reason: str, keep_folds: int | None = None) -> None:
        """A model that fits no more, failed or stopped: its folds so far are kept (or its first `keep_folds`),
        and the reason says how many."""
        folds = self.folds[result.key]
        fits_done = len(folds) + (result.key in self.held)
        self.held.pop(result.key, None)
        if keep_folds is not None:
            self.folds[result.key] = folds = {fold: folds[fold] for fold in range(keep_folds)}
        if status == "stopped":
            reason = self._stopped_after(result.key, reason)
        result.status, result.error, result.model_file = status, reason, None
        self._keep_cv_scores(result)
        self.settled.add(result.key)
        self.progress.skip(result.key, self.n_folds + 1 - fits_done)  # the folds and final fit it will not do
        self.progress.observer.on_model_finished(result)

    def _keep_cv_scores(self, result: TrainedModel) -> None:
        """The scores of every fold in fold order, None for a fold the model did not fit; mean fit times."""
        folds = self.folds[result.key]
        if not folds:
            return
        metrics = next(iter(folds.values())).scores
        result.cv_scores = {
            metric: [folds[i].scores[metric] if i in folds else None for i in range(self.n_folds)] for metric in metrics
        }
        result.fit_seconds = float(np.mean([o.fit_seconds for o in folds.values()]))
        result.predict_seconds = float(np.mean([o.predict_seconds for o in folds.values()]))

    def _leader(self) -> str | None:
        """The model with the best mean score on its folds so far, of those not stopped or failed."""
        sign, metric = METRICS[self.scoring.metric].sign, self.scoring.metric
        means = {
            key: np.nanmean([outcome.scores[metric] for outcome in folds.values()])
            for key, folds in self.folds.items()
            if folds and self.results[key].status == "succeeded"
        }
        means = {key: mean for key, mean in means.items() if not math.isnan(mean)}
        return max(means, key=lambda key: sign * means[key]) if means else None

    def _racing_scores(self) -> dict[str, dict[int, float]]:
        """The models in the race, each with its score per fold: all but the stopped, the failed and the baseline
        (which only sets the floor); one whose folds are done can still be stopped on folds not yet judged."""
        return {
            key: {fold: outcome.scores[self.scoring.metric] for fold, outcome in folds.items()}
            for key, folds in self.folds.items()
            if self.results[key].status == "succeeded" and not self.results[key].is_baseline
        }

    def _seconds_spent(self, key: str) -> float:
        return sum(o.fit_seconds + o.predict_seconds for o in self.folds[key].values())

    def _seconds_per_fit(self, key: str) -> float:
        folds = self.folds[key]
        return self._seconds_spent(key) / len(folds) if folds else 0.0


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
    error: str | None = None


def _prepare_fold(preparation, rows_file: Path, split, index, folder, threads) -> _PreparedFold:
    """Fit the preparation on a fold's training rows; transform its training and validation rows."""
    rows: _Rows = pd.read_pickle(rows_file)
    if split is not None:
        train_index, valid_index = split
        X_fit, y_fit = rows.X_train.iloc[train_index], rows.y_train.iloc[train_index]
        X_eval, y_eval = rows.X_train.iloc[valid_index], rows.y_train.iloc[valid_index]
    else:
        X_fit, y_fit, X_eval, y_eval = rows.X_train, rows.y_train, rows.X_test, rows.y_test
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
        fold.preparation = fitted
    return fold


@dataclass(frozen=True)
class _Scoring:
    """How every fit of a run is scored, and what its final fits add."""

    task: str
    metric: str
    average: str
    learning_curve: bool


def _fit_model(
    scoring: _Scoring, key, estimator, fold: _PreparedFold, threads, pid_file: Path | None, keep_file: bool = False
) -> _Outcome:
    """Fit one model on a prepared fold and score it on the fold's validation (or test) rows; on the final
    fold also keep what the Compare page draws and, when asked, the model file. A failure fails this model only."""
    outcome = _Outcome(key, None if fold.is_final else fold.index)
    if fold.error:
        outcome.error = fold.error
        return outcome
    X_fit, X_eval = np.load(fold.fit_path, mmap_mode="r"), np.load(fold.eval_path, mmap_mode="r")
    try:
        # joblib's parallelism left unset (n_jobs=None: a forest's trees, a neighbours search) runs in this
        # task's threads; native threads (BLAS, OpenMP) are capped alike
        with threadpool_limits(limits=threads), parallel_config("threading", n_jobs=threads), running(pid_file):
            fitted = clone(estimator)
            start = time.perf_counter()
            fitted.fit(X_fit, fold.y_fit)
            outcome.fit_seconds = time.perf_counter() - start
            start = time.perf_counter()
            predictions = predict(fitted, X_eval, fold.y_eval)
            outcome.predict_seconds = time.perf_counter() - start
            outcome.scores = score_all(scoring.task, predictions, scoring.average)
            if fold.is_final:
                _keep_final(outcome, fitted, predictions, fold, X_fit, X_eval, scoring, keep_file)
    except Exception as error:  # noqa: BLE001 - any estimator failure fails this model only
        outcome.error = _first_line(f"{type(error).__name__}: {error}")
    return outcome


def _keep_final(outcome: _Outcome, fitted, predictions, fold: _PreparedFold, X_fit, X_eval, scoring, keep_file) -> None:
    """Its test curves; when asked, the model as exported (preparation and plain model) and its learning curve."""
    plain, threshold, tuning = _unwrap(fitted)
    shipped = plain
    if threshold is not None:  # frozen: the fitted model is kept, only the threshold is set around it
        shipped = FixedThresholdClassifier(FrozenEstimator(plain), threshold=threshold).fit(X_fit, fold.y_fit)
    outcome.curves = curve_data(scoring.task, predictions)
    outcome.curves.tuned_threshold, outcome.curves.tuning = threshold, tuning
    if keep_file:
        outcome.model_file = dump_model(Pipeline([*fold.preparation.steps, ("model", shipped)]))
    if scoring.learning_curve:
        outcome.curves.learning = _learning_curve(plain, X_fit, fold.y_fit, X_eval, fold.y_eval, scoring)


LEARNING_SHARES = (0.1, 0.25, 0.5, 0.75, 1.0)


def _learning_curve(model, X_fit, y_fit, X_test, y_test, scoring: _Scoring) -> LearningCurve:
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
    return LearningCurve(rows=sizes, train=on_train, test=on_test)


def _unwrap(fitted) -> tuple[Any, float | None, TuningSummary | None]:
    """The plain fitted model inside any search (the model that is exported), the tuned threshold if there is
    one, and what a parameter search tried and chose."""
    threshold = tuning = None
    if isinstance(fitted, TunedThresholdClassifierCV):
        threshold, fitted = float(fitted.best_threshold_), fitted.estimator_
    if isinstance(fitted, TunedModel):
        tuning, fitted = _tuning_summary(fitted), fitted.model_
    return fitted, threshold, tuning


def _tuning_summary(search: TunedModel) -> TuningSummary:
    """What the search on the whole training part tried and chose, for the Compare page."""
    return TuningSummary(
        method=search.tuning["method"],
        metric=search.metric,
        trials=search.trials_,
        best_params=search.best_params_,
        importance=parameter_importance(
            search.kind, search.task, search.tuning, search.trials_, METRICS[search.metric].greater_is_better
        ),
    )


def estimator(spec: PipelineSpec, model: ModelSpec):
    """The model as the catalog builds it, or the search that picks its parameters; with threshold tuning,
    wrapped in scikit-learn's cross-validated choice of the decision threshold."""
    task, evaluation = spec.data.task, spec.evaluation
    metric = spec.ranking_metric
    kind = get_model(model.kind)
    if model.tuning is None:
        estimator = kind.build(model.params, task, evaluation.seed)
    else:
        tuning = model.tuning.model_dump()
        estimator = TunedModel(
            model.kind, task, evaluation.seed, model.params, tuning, metric, evaluation.average, splits.scheme(spec)
        )
    if not evaluation.tune_threshold or kind.is_baseline:
        return estimator
    return TunedThresholdClassifierCV(
        estimator,
        scoring=make_scorer(_label_metric, metric=metric, average=evaluation.average),
        cv=inner_folds(task, splits.scheme(spec), 5, evaluation.seed),
        random_state=evaluation.seed,
    )


def _label_metric(y_true, y_pred, *, metric: str, average: str) -> float:
    """A ranking metric computed from labels, as scikit-learn's threshold search scores each threshold."""
    return METRICS[metric].compute(Predictions(np.asarray(y_true), np.asarray(y_pred)), average)


def _first_line(message: str, limit: int = 300) -> str:
    """Estimator errors can run to paragraphs of advice; the first line says what went wrong."""
    line = message.strip().splitlines()[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"
