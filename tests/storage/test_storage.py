import hashlib
import os
import time
from dataclasses import replace

import pytest
from sqlalchemy import inspect, text

from pipeline_core.data.samples import SAMPLES
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.results import TrainedModel, TrainResult, library_versions
from storage import repo
from storage.artifacts import ORPHAN_GRACE_SECONDS
from storage.db import make_engine, session_scope
from storage.errors import ConflictError, StorageError
from storage.models import RunStatus
from storage.recorder import RunRecorder


def _dataset(engine, store, sample="iris"):
    raw = SAMPLES[sample].csv_bytes()
    with session_scope(engine) as session:
        return repo.save_dataset(
            session,
            store,
            frame=SAMPLES[sample].make(),
            fingerprint=hashlib.sha256(raw).hexdigest(),
            name=f"{sample}.csv",
            size_bytes=len(raw),
        )


def _run(engine, dataset, spec):
    with session_scope(engine) as session:
        return repo.create_run(session, dataset_id=dataset.id, spec=spec, library_versions=library_versions())


def _write(engine, statement: str, **values) -> None:
    """A change made past the repository, as another process or an older version might have."""
    with engine.begin() as connection:
        connection.execute(text(statement), values)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_database_is_an_sqlite_file_with_foreign_keys_and_wal(engine, data_dir):
    assert (data_dir / "pipewright.db").exists()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert {"dataset", "pipeline", "pipelineversion", "run", "modelresult"} <= set(inspect(engine).get_table_names())


def test_a_dataset_is_stored_once_per_fingerprint_and_reads_back_checked(engine, store):
    first, again = _dataset(engine, store), _dataset(engine, store)
    assert first.id == again.id
    frame = repo.load_dataset_frame(store, first)
    assert frame.equals(SAMPLES["iris"].make())
    with session_scope(engine) as session:
        assert len(repo.list_datasets(session)) == 1


def test_a_corrupt_artifact_is_detected_on_read(engine, store):
    dataset = _dataset(engine, store)
    path = store.path(dataset.parquet_sha256, repo.PARQUET)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(StorageError, match="corrupt"):
        repo.load_dataset_frame(store, dataset)


def test_a_failed_transaction_leaves_nothing_behind(engine, store):
    raw = SAMPLES["iris"].csv_bytes()
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        repo.save_dataset(
            session,
            store,
            frame=SAMPLES["iris"].make(),
            fingerprint=hashlib.sha256(raw).hexdigest(),
            name="i.csv",
            size_bytes=len(raw),
        )
        raise RuntimeError("the page crashed mid-save")
    with session_scope(engine) as session:
        assert repo.list_datasets(session) == []


def test_saving_a_pipeline_versions_only_real_changes_and_files_the_run(engine, store):
    dataset = _dataset(engine, store)
    spec = default_spec(target="species", task="classification", dataset_fingerprint=dataset.fingerprint)
    run = _run(engine, dataset, spec)
    with session_scope(engine) as session:
        v1 = repo.save_pipeline(session, name="Iris", spec=spec, run_id=run.id)
        same = repo.save_pipeline(session, name="Iris", spec=spec)
        changed = PipelineSpec.from_dict(spec.model_dump() | {"evaluation": {"seed": 1}})
        v2 = repo.save_pipeline(session, name="Iris", spec=changed)
    assert (v1.version, same.version, v2.version) == (1, 1, 2)
    with session_scope(engine) as session:
        [summary] = repo.list_pipelines(session)
        runs = repo.list_runs(session, pipeline_id=summary.id)
        versions = repo.list_versions(session, pipeline_id=summary.id)
    assert (summary.name, summary.latest_version, summary.runs) == ("Iris", 2, 1)
    assert [r.id for r in runs] == [run.id] and runs[0].pipeline_version == 1
    assert PipelineSpec.from_json(versions[-1].spec_json) == spec


def test_a_run_cannot_be_filed_under_a_spec_it_did_not_train(engine, store):
    dataset = _dataset(engine, store)
    spec = default_spec(target="species", task="classification")
    run = _run(engine, dataset, spec)
    other = PipelineSpec.from_dict(spec.model_dump() | {"evaluation": {"seed": 9}})
    with pytest.raises(ValueError, match="different spec"), session_scope(engine) as session:
        repo.save_pipeline(session, name="Wrong", spec=other, run_id=run.id)
    with session_scope(engine) as session:
        assert repo.list_pipelines(session) == []


def test_the_recorder_stores_progress_models_and_final_status(engine, store):
    dataset = _dataset(engine, store)
    run = _run(engine, dataset, default_spec(target="species", task="classification"))
    recorder = RunRecorder(engine, store, run.id)
    model = TrainedModel(
        key="dummy",
        kind="dummy",
        label="Baseline",
        is_baseline=True,
        cv_scores={"accuracy": [0.3, float("nan")]},
        test_scores={"accuracy": 0.33},
        model_file=b"model bytes",
    )

    def work(observer):
        observer.on_progress(1, 2, "half way")
        with session_scope(engine) as session:
            assert repo.get_run(session, run_id=run.id).status == "running"
            assert repo.get_run(session, run_id=run.id).progress == 0.5
        observer.on_progress(1, 3, "one more fit to do")  # a fit added late: the bar does not go back
        observer.on_fold_scores({"Baseline": [0.3, None]})
        with session_scope(engine) as session:
            assert repo.get_run(session, run_id=run.id).progress == 0.5
            assert repo.get_run(session, run_id=run.id).fold_scores == {"Baseline": [0.3, None]}
        observer.on_model_finished(model)
        return TrainResult("succeeded", "accuracy", [model], 120, 30)

    assert recorder.record(work) == "succeeded"
    with session_scope(engine) as session:
        stored = repo.get_run(session, run_id=run.id)
        [result] = repo.list_model_results(session, run_id=run.id)
    assert (stored.status, stored.progress, stored.n_train, stored.primary_metric) == (
        "succeeded",
        1.0,
        120,
        "accuracy",
    )
    assert result.cv_scores == {"accuracy": [0.3, None]}  # NaN is stored as null
    assert repo.model_file(store, result) == b"model bytes"


def test_a_crashing_run_is_recorded_as_failed_with_its_error(engine, store):
    dataset = _dataset(engine, store)
    run = _run(engine, dataset, default_spec(target="species", task="classification"))

    def work(observer):
        raise MemoryError("out of memory")

    assert RunRecorder(engine, store, run.id).record(work) == "failed"
    with session_scope(engine) as session:
        assert "MemoryError: out of memory" in repo.get_run(session, run_id=run.id).error


def test_runs_left_running_by_a_dead_process_are_marked_interrupted(engine, store, database_url):
    dataset = _dataset(engine, store)
    run = _run(engine, dataset, default_spec(target="species", task="classification"))
    with session_scope(engine) as session:
        repo.start_run(session, run_id=run.id)
    _write(engine, "UPDATE run SET worker_pid = 999999999 WHERE id = :id", id=run.id)
    restarted = make_engine(database_url)
    with session_scope(restarted) as session:
        assert repo.interrupt_dead_runs(session) == [run.id]
        interrupted = repo.get_run(session, run_id=run.id)
    assert interrupted.status == "interrupted" and "(pid 999999999) stopped before it finished" in interrupted.error


def test_a_run_whose_pid_a_newer_process_reuses_is_interrupted(engine, store):
    dataset = _dataset(engine, store)
    run = _run(engine, dataset, default_spec(target="species", task="classification"))
    with session_scope(engine) as session:
        repo.start_run(session, run_id=run.id)  # records this process's pid and start...
    # ...as if an earlier process had that number
    _write(engine, "UPDATE run SET worker_start = worker_start - 100 WHERE id = :id", id=run.id)
    with session_scope(engine) as session:
        assert repo.interrupt_dead_runs(session) == [run.id]


def test_a_live_run_and_a_run_of_another_machine_are_left_alone(engine, store):
    dataset = _dataset(engine, store)
    here = _run(engine, dataset, default_spec(target="species", task="classification"))
    elsewhere = _run(engine, dataset, default_spec(target="species", task="classification"))
    with session_scope(engine) as session:
        repo.start_run(session, run_id=here.id)  # this very process runs it
    _write(engine, "UPDATE run SET worker_pid = 999999999, worker_host = 'elsewhere' WHERE id = :id", id=elsewhere.id)
    with session_scope(engine) as session:
        assert repo.interrupt_dead_runs(session) == []
        assert [r.status for r in repo.list_runs(session)] == ["queued", "running"]


def test_a_model_whose_record_cannot_be_written_leaves_no_file_after_the_sweep(engine, store):
    dataset = _dataset(engine, store)
    run = _run(engine, dataset, default_spec(target="species", task="classification"))
    model = TrainedModel(key="dummy", kind="dummy", label="Baseline", is_baseline=True, model_file=b"fitted")
    with session_scope(engine) as session:
        repo.add_model_result(session, store, run_id=run.id, result=model)
    with pytest.raises(ConflictError), session_scope(engine) as session:  # the same key twice
        repo.add_model_result(session, store, run_id=run.id, result=replace(model, model_file=b"other bytes"))
    orphan = store.path(hashlib.sha256(b"other bytes").hexdigest(), repo.SKOPS)
    kept = store.path(hashlib.sha256(b"fitted").hexdigest(), repo.SKOPS)
    with session_scope(engine) as session:
        referenced = repo.referenced_artifacts(session)
    assert store.sweep(referenced) == 0  # too young: a transaction may still be about to name it
    for path in (orphan, kept):
        os.utime(path, (time.time() - ORPHAN_GRACE_SECONDS - 1,) * 2)
    assert store.sweep(referenced) == 1
    assert not orphan.exists() and kept.exists()


def test_pipelines_are_renamed_cloned_archived_and_brought_back(engine, store):
    spec = default_spec(target="species", task="classification")
    with session_scope(engine) as session:
        first = repo.save_pipeline(session, name="Iris", spec=spec)
        repo.save_pipeline(session, name="Other", spec=spec)
    with pytest.raises(ValueError, match="already a pipeline called 'Other'"), session_scope(engine) as session:
        repo.rename_pipeline(session, pipeline_id=first.pipeline_id, name="Other")
    with session_scope(engine) as session:
        repo.rename_pipeline(session, pipeline_id=first.pipeline_id, name="Iris flowers")
        clone = repo.clone_pipeline(session, pipeline_id=first.pipeline_id, name="Iris, tuned")
        repo.set_archived(session, pipeline_id=first.pipeline_id, archived=True)
    with session_scope(engine) as session:
        assert {p.name for p in repo.list_pipelines(session)} == {"Other", "Iris, tuned"}
        assert [p.name for p in repo.list_pipelines(session, archived=True)] == ["Iris flowers"]
        assert repo.list_versions(session, pipeline_id=first.pipeline_id)[0].spec_hash == spec.content_hash()
        repo.set_archived(session, pipeline_id=first.pipeline_id, archived=False)  # undo
    with session_scope(engine) as session:
        assert len(repo.list_pipelines(session)) == 3 and not repo.list_pipelines(session, archived=True)
    assert clone.note == "cloned from Iris flowers v1" and clone.version == 1


def test_saving_under_an_archived_pipelines_name_is_refused(engine, store):
    spec = default_spec(target="species", task="classification")
    with session_scope(engine) as session:
        saved = repo.save_pipeline(session, name="Iris", spec=spec)
        repo.set_archived(session, pipeline_id=saved.pipeline_id, archived=True)
    edited = PipelineSpec.from_dict(spec.model_dump() | {"evaluation": {"seed": 3}})
    with pytest.raises(ValueError, match="'Iris' is archived"), session_scope(engine) as session:
        repo.save_pipeline(session, name="Iris", spec=edited)


def test_a_run_status_the_app_does_not_know_is_refused_by_the_database(engine, store):
    run = _run(engine, _dataset(engine, store), default_spec(target="species", task="classification"))
    with pytest.raises(ValueError, match="'done' is not a valid RunStatus"), session_scope(engine) as session:
        repo.finish_run(session, run_id=run.id, status="done")
    with pytest.raises(StorageError), session_scope(engine) as session:  # even written past the repository
        session.connection().exec_driver_sql(f"UPDATE run SET status = 'done' WHERE id = {run.id}")
    with session_scope(engine) as session:
        assert repo.get_run(session, run_id=run.id).status is RunStatus.QUEUED
