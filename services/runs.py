"""Training runs: checked and recorded before anything runs, trained in a worker process or right here, watched,
cancelled. A run whose process has gone is marked interrupted wherever it is looked at."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from pipeline_core.compare.explain import held_out_rows, importance
from pipeline_core.errors import PipelineCoreError
from pipeline_core.model_files import load_model
from pipeline_core.prepare.rows import check_trainable
from pipeline_core.spec import PipelineSpec
from pipeline_core.train.estimate import check_memory
from pipeline_core.train.parallel import runs_at_once
from pipeline_core.train.results import library_versions
from pipeline_core.train.supervised import final_model_file, train
from pipeline_core.words import counted
from services import datasets
from services.access import check_may_change, owner
from storage import repo
from storage.artifacts import private_folder
from storage.db import PROJECT_ROOT, Storage, log_path, scratch_dir, session_scope
from storage.models import DatasetRead, ModelResultRead, Run, RunRead, RunStatus
from storage.recorder import RunRecorder

CANCEL_POLL_SECONDS = 0.5
QUEUE_POLL_SECONDS = 0.5
GRACE_SECONDS = 1.5  # a fit that ends meanwhile lets the engine stop cleanly instead
LEFT_FROM_SHARE = 0.05  # of the fits done: below it, the time left is not said
FINISHED = ("succeeded", "cancelled")  # runs with results to compare and export


def check(spec: PipelineSpec, frame: pd.DataFrame) -> None:
    """Whether the spec can train on these rows, in the memory free now.

    Raises:
        DataError, SpecError: in plain words.
    """
    check_trainable(spec, frame)
    check_memory(spec, frame)


def create(
    storage: Storage,
    dataset: DatasetRead,
    frame: pd.DataFrame,
    spec: PipelineSpec,
    *,
    reproduces_id: int | None = None,
    checked: bool = False,
) -> RunRead:
    """Check the spec on these rows (unless the caller has, `checked`), then record a queued run (a re-run of
    `reproduces_id`).

    Raises:
        DataError, SpecError: in plain words, before anything is stored.
    """
    if not checked:
        check(spec, frame)
    with session_scope(storage.engine) as session:
        repo.get_dataset(session, dataset_id=dataset.id, viewer=storage.user)  # NotFoundError for data not theirs
        if reproduces_id is not None:
            repo.get_run(session, run_id=reproduces_id, viewer=storage.user)
        return repo.create_run(
            session,
            dataset_id=dataset.id,
            spec=spec,
            library_versions=library_versions(),
            reproduces_id=reproduces_id,
            owner=owner(storage),
        )


def start(
    storage: Storage, dataset: DatasetRead, frame: pd.DataFrame, spec: PipelineSpec, *, reproduces_id: int | None = None
) -> RunRead:
    """Create the run and start its worker process, which survives the page, the tab and the server.

    Raises:
        DataError, SpecError: before anything is stored, when this spec cannot train on these rows.
    """
    run = create(storage, dataset, frame, spec, reproduces_id=reproduces_id)
    try:
        process = _spawn_worker(run.id)
    except OSError as error:  # no process to be had (too many open, no memory): the run says so
        with session_scope(storage.engine) as session:
            repo.finish_run(session, run_id=run.id, status="failed", error=f"The run could not start: {error}")
        return run
    with session_scope(storage.engine) as session:
        repo.assign_worker(session, run_id=run.id, pid=process.pid)
    return run


def _spawn_worker(run_id: int) -> subprocess.Popen:
    """`python -m services.worker RUN_ID`, detached from the caller's session and terminal."""
    log = log_path(run_id)
    private_folder(log.parent)
    with open(os.open(log, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600), "ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "services.worker", str(run_id)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a cancel ends its pool processes too
        )


def execute(
    storage: Storage,
    run: RunRead,
    frame: pd.DataFrame,
    *,
    tell: Callable[[float, float, str], None] | None = None,
    hard_cancel: bool = False,
) -> str:
    """Train a recorded run in this process, recording progress and each model as it finishes; return the
    final status. Its temporary files live in the run's scratch folder, removed at the end (or, if this
    process is killed, by the next start-up).

    Args:
        tell: also told of progress (the command line prints it).
        hard_cancel: a cancel ends this whole process group after a grace, even mid-fit (the worker, which
            has a group of its own); otherwise the engine stops at the next fit boundary.
    """
    if not wait_for_turn(storage, run.id, tell):
        return RunStatus.CANCELLED
    spec = PipelineSpec.from_json(run.spec_json)
    recorder = RunRecorder(storage.engine, storage.artifacts, run.id)
    scratch = private_folder(scratch_dir(run.id))
    if hard_cancel:
        threading.Thread(target=_end_when_cancelled, args=(recorder,), daemon=True).start()
    try:
        return recorder.record(
            lambda observer: train(
                spec, frame, observer=observer if tell is None else _Telling(observer, tell), scratch_dir=scratch
            )
        )
    except KeyboardInterrupt:
        recorder.abandon("cancelled")
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def wait_for_turn(storage: Storage, run_id: int, tell: Callable[[float, float, str], None] | None = None) -> bool:
    """Wait while the machine trains as many runs as it may at once (PIPEWRIGHT_MAX_RUNS), the oldest waiting
    run first; then the run is running in this process. False if it was cancelled while it waited."""
    at_once = runs_at_once()
    while True:
        with session_scope(storage.engine) as session:
            repo.interrupt_dead_runs(session)  # a run whose process died gives up its place
        with session_scope(storage.engine) as session:
            status = repo.claim_run(session, run_id=run_id, at_once=at_once)
            ahead = repo.runs_ahead(session, run_id=run_id)
        if status is not RunStatus.QUEUED:
            return status is RunStatus.RUNNING
        if tell is not None:
            tell(0, 1, waiting(ahead))
        time.sleep(QUEUE_POLL_SECONDS)


def waiting(ahead: int) -> str:
    """What a waiting run says."""
    return f"Waiting for its turn: {counted(ahead, 'run')} before it."


def place(storage: Storage, run_id: int) -> int:
    """How many runs train, or wait to, before this waiting one."""
    with session_scope(storage.engine) as session:
        return repo.runs_ahead(session, run_id=run_id)


def _end_when_cancelled(recorder: RunRecorder) -> None:
    """The engine checks for a cancel between fits; one fit can take minutes, so after a short grace the run
    is recorded as cancelled and the whole process group ends."""
    while not recorder.should_stop():
        time.sleep(CANCEL_POLL_SECONDS)
    time.sleep(GRACE_SECONDS)
    recorder.abandon("cancelled")
    shutil.rmtree(scratch_dir(recorder.run_id), ignore_errors=True)
    os.killpg(os.getpgrp(), signal.SIGKILL)


class _Telling:
    """The recorder, with progress also told to a callback."""

    def __init__(self, inner: RunRecorder, tell: Callable[[float, float, str], None]) -> None:
        self.inner, self.tell = inner, tell

    def __getattr__(self, name: str):  # everything else, as the recorder does it
        return getattr(self.inner, name)

    def on_progress(self, done: float, total: float, message: str) -> None:
        self.inner.on_progress(done, total, message)
        self.tell(done, total, message)


def get(storage: Storage, run_id: int) -> RunRead:
    """Raises NotFoundError for an unknown id, or a run not the caller's to see."""
    with session_scope(storage.engine) as session:
        repo.interrupt_dead_runs(session)
        return repo.get_run(session, run_id=run_id, viewer=storage.user)


def watch(storage: Storage, run_id: int) -> tuple[RunRead, list[ModelResultRead]]:
    """A run as it stands and the models it has finished so far."""
    with session_scope(storage.engine) as session:
        repo.interrupt_dead_runs(session)
        run = repo.get_run(session, run_id=run_id, viewer=storage.user)
        return run, repo.list_model_results(session, run_id=run_id)


def elapsed_and_left(run: RunRead, now: datetime | None = None) -> tuple[float, float | None]:
    """Seconds since the run started, and those left, extrapolated from the share of its work done (each model's
    fits weighed at its own pace; None until a twentieth is done: too early to say)."""
    started = run.started_at.replace(tzinfo=UTC) if run.started_at.tzinfo is None else run.started_at
    elapsed = ((now or datetime.now(UTC)) - started).total_seconds()
    return elapsed, elapsed * (1 - run.progress) / run.progress if run.progress > LEFT_FROM_SHARE else None


def results(storage: Storage, run_id: int, *, with_curves: bool = False) -> list[ModelResultRead]:
    """A run's models; with what their charts draw, when asked for."""
    with session_scope(storage.engine) as session:
        repo.get_run(session, run_id=run_id, viewer=storage.user)  # NotFoundError for a run not theirs to see
        return repo.list_model_results(session, run_id=run_id, with_curves=with_curves)


def recent(storage: Storage, *, limit: int = 50, pipeline_id: int | None = None) -> list[RunRead]:
    """The latest runs (of one pipeline, when given), newest first."""
    with session_scope(storage.engine) as session:
        repo.interrupt_dead_runs(session)
        return repo.list_runs(session, pipeline_id=pipeline_id, limit=limit, viewer=storage.user)


def with_results(storage: Storage, *, limit: int = 100) -> list[RunRead]:
    """Runs with models to compare, newest first: ended ones (succeeded, or cancelled with some models done) and
    running ones with a model finished so far."""
    listed = recent(storage, limit=limit)
    return [run for run in listed if run.status in FINISHED or (run.is_active and results(storage, run.id))]


def reproductions(storage: Storage, run_id: int) -> list[RunRead]:
    """The re-runs of a run, newest first."""
    with session_scope(storage.engine) as session:
        repo.interrupt_dead_runs(session)
        return repo.reproductions(session, run_id=run_id, viewer=storage.user)


def model_file(storage: Storage, run: RunRead, result: ModelResultRead) -> bytes:
    """A model's skops file: the stored one, or (a run keeps only its best model's) made again now, from the
    same rows, preparation and seed, and kept.

    Raises:
        PipelineCoreError: the model has no final fit (it failed, or the race stopped it early).
    """
    if result.artifact_sha256:
        return repo.model_file(storage.artifacts, result)
    if result.status != "succeeded":
        raise PipelineCoreError(
            f"{result.label} has no final fit ({result.error or result.status}). Train it again with racing off "
            "(Train page, Validation) to have its file."
        )
    data = final_model_file(PipelineSpec.from_json(run.spec_json), rows(storage, run), result.key)
    with session_scope(storage.engine) as session:
        repo.set_model_file(session, storage.artifacts, result_id=result.id, data=data)
    return data


def explain(storage: Storage, run: RunRead, result: ModelResultRead) -> ModelResultRead:
    """The model with its permutation importance on the run's held-out rows: worked out once, when first asked
    for (it costs many predictions), and kept."""
    if result.curves.importance:
        return result
    spec = PipelineSpec.from_json(run.spec_json)
    model = load_model(model_file(storage, run, result))
    X, y = held_out_rows(spec, rows(storage, run))
    found = importance(model, X, y, run.primary_metric or spec.ranking_metric, spec.evaluation.average)
    with session_scope(storage.engine) as session:
        return repo.set_importance(session, result_id=result.id, importance=found)


def rows(storage: Storage, run: RunRead) -> pd.DataFrame:
    """The stored table the run trained on."""
    return datasets.frame(storage, datasets.get(storage, dataset_id=run.dataset_id))


def model_file_path(storage: Storage, result: ModelResultRead) -> Path:
    """Where a trained model's skops file is stored."""
    return repo.model_file_path(storage.artifacts, result)


def cancel(storage: Storage, run_id: int) -> None:
    """Ask the run to stop; its finished models are kept. Raises NotYoursError for another person's run."""
    with session_scope(storage.engine) as session:
        _own(storage, session, run_id)
        repo.request_cancel(session, run_id=run_id)


def share(storage: Storage, run_id: int, *, shared: bool = True) -> None:
    """Let the whole team see the run, its models and the data it trained on (only its owner changes it), or
    stop sharing the run."""
    with session_scope(storage.engine) as session:
        _own(storage, session, run_id)
        repo.set_shared(session, Run, row_id=run_id, shared=shared)


def _own(storage: Storage, session, run_id: int) -> None:
    """Raises NotFoundError for a run the one acting cannot see, NotYoursError for one they may not change."""
    check_may_change(storage, repo.get_run(session, run_id=run_id, viewer=storage.user).owner, f"Run {run_id}")
