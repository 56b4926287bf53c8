"""Runs in real processes: the worker records a run, stops within seconds when cancelled, and takes its pool
processes with it when killed; a killed command line's run reads as interrupted; start-up sweeps what they left."""

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline_core.data.samples import make_churn
from pipeline_core.spec import default_spec
from services import datasets, runs, upkeep
from storage import processes
from storage.db import Storage, scratch_dir
from storage.models import RunRead

ROOT = Path(__file__).resolve().parents[2]
SLOW = {"kind": "gradient_boosting", "params": {"n_estimators": 2000, "max_depth": 6}}
POOLED = 8000  # rows enough for training to use worker processes rather than the run's own


@pytest.fixture
def storage(data_dir):
    opened = Storage.open()
    yield opened
    opened.engine.dispose()


def _churn(storage, rows=3000):
    frame = make_churn(n_rows=rows)
    return datasets.store_derived(storage, frame, fingerprint=f"churn-{rows}", name="churn", lineage={}), frame


def _spec(models):
    return default_spec(target="churn", task="classification", roles={"customer_id": "id"}).replace(models=models)


def _wait_for(storage, run_id, done, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run, results = runs.watch(storage, run_id)
        if done(run, results):
            return run, results
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} is still {run.status}: {run.message}")


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(child) for child in out.split()]


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(processes.alive(pid) for pid in pids):
            return True
        time.sleep(0.2)
    return False


def test_the_worker_records_the_run_with_every_model(storage):
    dataset, frame = _churn(storage)
    run = runs.start(storage, dataset, frame, _spec([{"kind": "logistic_regression"}]))
    run, results = _wait_for(storage, run.id, lambda run, _: not run.is_active)
    assert run.status == "succeeded" and (run.n_train, run.n_test) == (2400, 600)
    assert sorted(r.key for r in results) == ["dummy", "logistic_regression"]
    assert run.worker_host == processes.HOST and _gone_within([run.worker_pid], 10)
    assert not scratch_dir(run.id).exists()
    logistic = next(r for r in results if r.key == "logistic_regression")
    assert sorted(run.fold_scores["Logistic regression"]) == sorted(logistic.cv_scores["roc_auc"])  # as it went


@pytest.fixture
def either_storage(database_url):
    """Storage on the SQLite file and on PostgreSQL, in turn."""
    opened = Storage.open(database_url)
    yield opened
    opened.engine.dispose()


def test_eight_runs_started_at_once_take_turns_and_all_finish(storage):
    """SQLite, where writers wait on one another; on PostgreSQL the command line's runs at once take turns too."""
    dataset, frame = _churn(storage, rows=300)
    started = [runs.start(storage, dataset, frame, _spec([{"kind": "logistic_regression"}])) for _ in range(8)]
    seen_waiting = _wait_for(
        storage, started[-1].id, lambda run, _: run.status == "queued" and runs.place(storage, run.id)
    )
    assert runs.place(storage, seen_waiting[0].id) <= 7  # its place: the runs training or waiting before it
    ended = [_wait_for(storage, run.id, lambda run, _: not run.is_active, timeout=240)[0] for run in started]
    assert [run.status for run in ended] == ["succeeded"] * 8, [run.error for run in ended]
    spans = sorted((run.started_at, run.finished_at) for run in ended)
    assert all(end <= next_start for (_, end), (next_start, _) in itertools.pairwise(spans)), "one run at a time"
    assert [run.id for run in sorted(ended, key=lambda run: run.started_at)] == [run.id for run in started]  # in turn


def test_a_run_cancelled_while_it_waits_never_starts(either_storage):
    storage = either_storage
    dataset, frame = _churn(storage, rows=POOLED)
    first = runs.start(storage, dataset, frame, _spec([SLOW]))
    waiting = runs.start(storage, dataset, frame, _spec([{"kind": "logistic_regression"}]))
    _wait_for(storage, first.id, lambda run, _: run.status == "running")
    assert runs.get(storage, waiting.id).status == "queued" and runs.place(storage, waiting.id) == 1
    runs.cancel(storage, waiting.id)
    runs.cancel(storage, first.id)
    cancelled, results = _wait_for(storage, waiting.id, lambda run, _: not run.is_active)
    assert (cancelled.status, cancelled.started_at, results) == ("cancelled", None, [])
    _wait_for(storage, first.id, lambda run, _: not run.is_active, timeout=30)
    assert _gone_within([runs.get(storage, waiting.id).worker_pid], 10)  # its worker left without training
    assert runs.get(storage, waiting.id).started_at is None


def test_a_running_run_with_a_model_done_can_be_compared(storage):
    dataset, frame = _churn(storage)
    slow = {"kind": "random_forest", "params": {"n_estimators": 400}}
    run = runs.start(storage, dataset, frame, _spec([{"kind": "logistic_regression"}, slow]))
    run, _ = _wait_for(storage, run.id, lambda run, results: run.is_active and results)
    assert run.id in {r.id for r in runs.with_results(storage)}  # Compare lists it with the models done so far
    assert run.fold_scores  # and the Train page shows each model's folds so far
    runs.cancel(storage, run.id)
    _wait_for(storage, run.id, lambda run, _: not run.is_active)


def test_cancel_stops_a_long_fit_within_seconds_and_keeps_the_finished_models(storage):
    dataset, frame = _churn(storage, rows=POOLED)
    run = runs.start(storage, dataset, frame, _spec([SLOW]))
    _wait_for(storage, run.id, lambda _, results: [r.key for r in results] == ["dummy"])
    runs.cancel(storage, run.id)
    asked = time.monotonic()
    run, results = _wait_for(storage, run.id, lambda run, _: not run.is_active, timeout=30)
    assert time.monotonic() - asked < 8  # a poll, a grace of 1.5 s, then the process group ends
    assert run.status == "cancelled" and run.n_train == POOLED * 0.8
    assert [r.key for r in results] == ["dummy"]
    assert _gone_within([run.worker_pid], 10)
    assert not scratch_dir(run.id).exists()  # the folds' prepared rows went with the worker


def test_kill_9_of_a_worker_ends_its_pool_and_start_up_sweeps_its_scratch(storage):
    dataset, frame = _churn(storage, rows=POOLED)
    run = runs.start(storage, dataset, frame, _spec([SLOW]))
    run, _ = _wait_for(storage, run.id, lambda run, _: run.status == "running" and len(_children(run.worker_pid)) >= 2)
    pool = _children(run.worker_pid)
    os.kill(run.worker_pid, signal.SIGKILL)
    assert _gone_within([run.worker_pid, *pool], 10), "pool processes outlived their worker"
    assert runs.get(storage, run.id).status == "interrupted"  # as soon as anyone looks, no restart needed
    assert scratch_dir(run.id).exists()
    upkeep.tidy(storage)
    assert not scratch_dir(run.id).exists()


def test_a_killed_command_line_run_reads_as_interrupted_and_leaves_no_process(storage, data_dir, tmp_path):
    csv, spec = tmp_path / "churn.csv", tmp_path / "slow.json"
    make_churn(n_rows=POOLED).to_csv(csv, index=False)
    spec.write_text(_spec([SLOW]).to_json())
    env = os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "pipeline_core", "run", "--data", csv, "--target", "churn", "--spec", spec]
    cli = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (
        [r for r in runs.recent(storage) if r.status == "running"] and len(_children(cli.pid)) >= 2
    ):
        time.sleep(0.2)
    pool = _children(cli.pid)
    cli.kill()
    cli.wait()
    assert _gone_within(pool, 10), "pool processes outlived the command line"
    [run] = runs.recent(storage)
    assert run.status == "interrupted" and run.worker_pid == cli.pid


def test_the_time_left_is_the_elapsed_time_stretched_to_the_fits_not_yet_done():
    started = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    run = RunRead.model_construct(started_at=started, progress=0.25)
    assert runs.elapsed_and_left(run, now=started + timedelta(seconds=60)) == (60.0, 180.0)
    early = RunRead.model_construct(started_at=started.replace(tzinfo=None), progress=0.01)  # as SQLite gives it
    assert runs.elapsed_and_left(early, now=started + timedelta(seconds=5)) == (5.0, None)
