"""Monitoring on a real SQLite store: a checked batch is kept with its rows and findings, bad input stores
nothing, and retraining with a batch runs in a worker process; its challenger is compared and promoted."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from pipeline_core.data.samples import make_churn
from pipeline_core.errors import DataError
from pipeline_core.spec import default_spec
from services import datasets, monitoring, pipelines, runs
from storage import repo
from storage.db import Storage, session_scope
from storage.errors import StorageError

ROOT = Path(__file__).resolve().parents[2]
RETRAIN = """
import sys, time
from services import monitoring
from storage.db import Storage
batch_id, start = int(sys.argv[1]), float(sys.argv[2])
storage = Storage.open()
batch = monitoring.get(storage, batch_id)
while time.time() < start:
    time.sleep(0.001)
print(monitoring.retrain(storage, batch).id)
"""


@pytest.fixture
def storage(data_dir):
    opened = Storage.open()
    yield opened
    opened.engine.dispose()


@pytest.fixture
def trained(storage):
    frame = make_churn(n_rows=1200)
    dataset = datasets.store_derived(storage, frame, fingerprint="churn-1200", name="churn.csv", lineage={})
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"}).replace(
        models=[{"kind": "logistic_regression"}]
    )
    run = runs.create(storage, dataset, frame, spec)
    runs.execute(storage, run, frame)
    pipelines.save(storage, name="Churn", spec=spec, run_id=run.id)
    return runs.get(storage, run.id)


def _shifted(rows=400, seed=3):
    batch = make_churn(n_rows=rows, seed=seed)
    return batch.assign(monthly_charges=batch["monthly_charges"] * 1.4)


def test_a_checked_batch_is_kept_with_its_rows_and_findings_and_its_files_are_kept_by_upkeep(storage, trained):
    batch = monitoring.check(storage, trained, _shifted(), "march.csv")
    report = monitoring.report(batch)
    assert batch.alarm and batch.drift and batch.labelled and "monthly_charges" in report.drifted_columns
    assert batch.model_key == "logistic_regression" and batch.n_rows == 400
    with session_scope(storage.engine) as session:  # what upkeep keeps
        assert {batch.data_sha256, batch.breaches_sha256} <= repo.referenced_artifacts(session)
    assert monitoring.rows(storage, batch).equals(_shifted())
    breaches = monitoring.breaches_csv(storage, batch).decode()
    assert breaches.startswith("row,column,problem,value") and "above the training range" in breaches
    calm = monitoring.check(storage, trained, make_churn(n_rows=300, seed=4), "april.csv")
    assert not calm.drift and [b.name for b in monitoring.history(storage, [trained.id])] == ["march.csv", "april.csv"]


def test_bad_batches_get_a_clear_message_and_nothing_is_stored(storage, trained):
    with pytest.raises(DataError, match="no data rows"):
        monitoring.check_file(storage, trained, b"customer_id,churn\n", "empty.csv")
    with pytest.raises(DataError, match="none of the model's columns"):
        monitoring.check_file(storage, trained, b"a,b\n1,2\n3,4\n", "other.csv")
    with pytest.raises(DataError):
        monitoring.check_file(storage, trained, b"\x00\x01\x02 not a table", "junk.parquet")
    assert monitoring.history(storage, [trained.id]) == []


def test_a_run_whose_training_data_is_gone_says_so(storage, trained):
    with session_scope(storage.engine) as session:
        dataset = repo.get_dataset(session, dataset_id=trained.dataset_id)
    storage.artifacts.path(dataset.parquet_sha256, repo.PARQUET).unlink()
    with pytest.raises(StorageError, match=f"The data run {trained.id} trained on cannot be read"):
        monitoring.check(storage, trained, _shifted(), "march.csv")
    assert monitoring.history(storage, [trained.id]) == []


def test_retraining_with_a_labelled_batch_runs_in_a_worker_then_the_challenger_is_compared_and_promoted(
    storage, trained
):
    changed = make_churn(n_rows=500, seed=8)
    changed["churn"] = np.where(changed["contract"] == "two-year", "yes", "no")  # what churn means has changed
    batch = monitoring.check(storage, trained, changed, "may.csv")
    assert monitoring.report(batch).performance.fell

    challenger = monitoring.retrain(storage, batch)
    deadline = time.monotonic() + 180
    while runs.get(storage, challenger.id).is_active:
        assert time.monotonic() < deadline, "the retraining never finished"
        time.sleep(0.5)
    assert runs.get(storage, challenger.id).status == "succeeded"
    combined = datasets.frame(storage, datasets.get(storage, dataset_id=challenger.dataset_id))
    assert len(combined) == 1200 + 500
    batch = monitoring.get(storage, batch.id)
    assert batch.retrain_run_id == challenger.id

    duel = monitoring.challenge(storage, batch)
    assert duel.challenger_wins and monitoring.get(storage, batch.id).duel["p_value"] == duel.p_value
    version = monitoring.promote(storage, monitoring.get(storage, batch.id), name="Churn")
    assert version.version == 2 and "batch" in version.note
    assert runs.get(storage, challenger.id).pipeline_version == 2


def test_retraining_needs_labels(storage, trained):
    batch = monitoring.check(storage, trained, make_churn(n_rows=200, seed=5).drop(columns="churn"), "june.csv")
    assert not batch.labelled and monitoring.report(batch).estimated is not None
    with pytest.raises(DataError, match="no labels"):
        monitoring.retrain(storage, batch)


def test_a_batch_with_numbers_written_as_text_is_retrained_on_as_numbers(storage, trained):
    batch = make_churn(n_rows=300, seed=9)
    batch["monthly_charges"] = batch["monthly_charges"].map(lambda v: f"${v:,.2f}")
    checked = monitoring.check(storage, trained, batch, "july.csv")
    challenger = monitoring.retrain(storage, checked)
    combined = datasets.frame(storage, datasets.get(storage, dataset_id=challenger.dataset_id))
    assert combined["monthly_charges"].dtype.kind == "f" and len(combined) == 1500
    runs.cancel(storage, challenger.id)


def test_a_batch_whose_rows_cannot_join_the_training_table_starts_nothing_and_stores_nothing(storage, trained):
    batch = make_churn(n_rows=300, seed=9)
    batch["monthly_charges"] = "unknown"
    checked = monitoring.check(storage, trained, batch, "august.csv")
    before = datasets.list_datasets(storage)
    with pytest.raises(DataError, match="holds text where training had numbers"):
        monitoring.retrain(storage, checked)
    assert datasets.list_datasets(storage) == before and monitoring.get(storage, checked.id).retrain_run_id is None


def test_two_processes_retraining_one_batch_at_once_end_with_one_challenger(storage, trained, data_dir):
    batch = monitoring.check(storage, trained, make_churn(n_rows=300, seed=10), "august.csv")
    start = time.time() + 6  # both have read the batch before either retrains
    retrains = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(RETRAIN), str(batch.id), str(start)],
            cwd=ROOT,
            env=os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [retrain.communicate(timeout=180) for retrain in retrains]
    assert [retrain.returncode for retrain in retrains] == [0, 0], [err for _, err in outcomes]
    challenger_id = monitoring.get(storage, batch.id).retrain_run_id
    assert {int(out) for out, _ in outcomes} == {challenger_id}  # each was handed the one noted
    assert monitoring.retrain(storage, batch).id == challenger_id  # and so is a page asking again later
    others = [run for run in runs.recent(storage, limit=10) if run.id not in (trained.id, challenger_id)]
    for run in others:  # a second run, if both started one, is told to stop
        assert run.cancel_requested or not run.is_active
    runs.cancel(storage, challenger_id)


def test_a_cancelled_retraining_can_be_started_again(storage, trained):
    batch = monitoring.check(storage, trained, make_churn(n_rows=300, seed=11), "september.csv")
    first = monitoring.retrain(storage, batch)
    runs.cancel(storage, first.id)
    deadline = time.monotonic() + 120
    while runs.get(storage, first.id).is_active:
        assert time.monotonic() < deadline, "the cancelled retraining never ended"
        time.sleep(0.5)
    again = monitoring.retrain(storage, monitoring.get(storage, batch.id))
    assert again.id != first.id and monitoring.get(storage, batch.id).retrain_run_id == again.id
    assert monitoring.retrain(storage, batch).id == again.id  # and that one stays while it runs
    runs.cancel(storage, again.id)
