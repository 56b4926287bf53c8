"""An SQLite store's history copied into PostgreSQL with the documented command, then used from there."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_core.data.samples import SAMPLES
from pipeline_core.spec import default_spec
from storage import repo
from storage.db import make_engine, session_scope
from storage.errors import StorageError
from storage.transfer import copy_store

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args, data_dir: Path, url: str = "") -> subprocess.CompletedProcess:
    env = {"PIPEWRIGHT_DATA_DIR": str(data_dir), "PIPEWRIGHT_DB_URL": url, "PATH": os.environ["PATH"]}
    command = [sys.executable, "-m", "pipeline_core", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_an_sqlite_history_copied_into_postgresql_carries_on_there(tmp_path, postgres_database):
    data = tmp_path / "iris.csv"
    data.write_bytes(SAMPLES["iris"].csv_bytes())
    trained = _cli("run", "--data", data, "--target", "species", "--models", "logistic_regression", data_dir=tmp_path)
    assert trained.returncode == 0, trained.stderr
    watched = _cli("monitor", "1", "--data", data, data_dir=tmp_path)
    assert watched.returncode == 0, watched.stderr

    copied = _cli("copy-store", "--to", postgres_database, data_dir=tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert "run: 1 row" in copied.stdout and "modelresult: 2 rows" in copied.stdout and "batch: 1 row" in copied.stdout

    again = _cli("run", "--data", data, "--target", "species", data_dir=tmp_path, url=postgres_database)
    assert again.returncode == 0, again.stderr
    assert "run 2 recorded in postgresql+psycopg://" in again.stdout  # numbering goes on after the copied run
    with session_scope(make_engine(postgres_database)) as session:
        runs = repo.list_runs(session)
        assert [(run.id, run.status) for run in runs] == [(2, "succeeded"), (1, "succeeded")]
        assert len(repo.list_datasets(session)) == 1  # the same file: the copied dataset, found by its fingerprint
        assert len(repo.list_batches(session, run_ids=[1])) == 1


def test_a_copy_into_a_database_with_history_changes_nothing(tmp_path, postgres_database, monkeypatch):
    monkeypatch.setenv("PIPEWRIGHT_DATA_DIR", str(tmp_path))
    source, target = make_engine(f"sqlite:///{tmp_path / 'pipewright.db'}"), make_engine(postgres_database)
    with session_scope(source) as session:
        repo.save_pipeline(session, name="Iris", spec=default_spec(target="species", task="classification"))
    with session_scope(target) as session:
        repo.save_pipeline(session, name="Already here", spec=default_spec(target="species", task="classification"))
    with pytest.raises(StorageError, match="already holds pipeline"):
        copy_store(source, target)
    with session_scope(target) as session:
        assert [p.name for p in repo.list_pipelines(session)] == ["Already here"]
