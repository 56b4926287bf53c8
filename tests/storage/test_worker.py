"""The training worker: a process of its own that records a run and stops within seconds when cancelled."""

import time

from pipeline_core.samples import make_churn
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train import library_versions
from storage import repo, worker
from storage.db import session_scope


def _queued_run(engine, store, models):
    frame = make_churn(n_rows=3000)
    with session_scope(engine) as session:
        dataset = repo.save_dataset(session, store, frame=frame, fingerprint="churn-3000", name="churn", size_bytes=1)
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    spec = PipelineSpec.from_dict(spec.model_dump() | {"models": models})
    with session_scope(engine) as session:
        return repo.create_run(session, dataset_id=dataset.id, spec=spec, library_versions=library_versions())


def _wait_for(engine, run_id, done, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(engine) as session:
            run = repo.get_run(session, run_id=run_id)
            results = repo.list_model_results(session, run_id=run_id)
        if done(run, results):
            return run, results
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} is still {run.status}: {run.message}")


def test_the_worker_records_the_run_with_every_model(engine, store):
    run = _queued_run(engine, store, [{"kind": "logistic_regression"}])
    process = worker.start(run.id)
    run, results = _wait_for(engine, run.id, lambda run, _: not run.is_active)
    assert process.wait(timeout=10) == 0
    assert run.status == "succeeded" and (run.n_train, run.n_test) == (2400, 600)
    assert sorted(r.key for r in results) == ["dummy", "logistic_regression"]
    assert run.worker_pid == process.pid


def test_cancel_stops_a_long_fit_within_seconds_and_keeps_the_finished_models(engine, store):
    slow = {"kind": "gradient_boosting", "params": {"n_estimators": 2000, "max_depth": 6}}
    run = _queued_run(engine, store, [slow])
    process = worker.start(run.id)
    _wait_for(engine, run.id, lambda _, results: [r.key for r in results] == ["dummy"])
    with session_scope(engine) as session:
        repo.request_cancel(session, run_id=run.id)
    asked = time.monotonic()
    run, results = _wait_for(engine, run.id, lambda run, _: not run.is_active, timeout=30)
    process.wait(timeout=10)  # the worker and its pool are gone
    assert time.monotonic() - asked < 8  # a poll, a grace of 1.5 s, then the process group ends
    assert run.status == "cancelled" and run.n_train == 2400
    assert [r.key for r in results] == ["dummy"]
    assert not worker.scratch_dir(run.id).exists()  # the folds' prepared rows went with the worker
