"""Schema migrations: a new database is built by them, an older one is upgraded on start-up, and the
migrations always arrive at exactly the tables the models declare."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel, select

from services import upkeep
from storage import repo
from storage.db import BASELINE, Storage, make_engine, migrations, session_scope
from storage.models import Pipeline

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_database_is_built_by_the_migrations_and_matches_the_models(engine):
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_a_database_from_before_migrations_with_runs_is_upgraded_on_start_keeping_its_data(data_dir, store):
    old = create_engine(f"sqlite:///{data_dir / 'pipewright.db'}")
    with old.begin() as connection:  # the tables as the first release made them, with no version recorded
        command.upgrade(migrations(connection), BASELINE)
        connection.exec_driver_sql("DROP TABLE alembic_version")
    old.dispose()
    old = create_engine(f"sqlite:///{data_dir / 'pipewright.db'}")
    with old.begin() as connection:  # a dataset, a pipeline version and a run with a model result point at each other
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        for statement in OLD_ROWS:
            connection.exec_driver_sql(statement)
    old.dispose()

    started = make_engine()

    with started.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    with session_scope(started) as session:
        assert [p.name for p in session.exec(select(Pipeline)).all()] == ["Churn"]
        (model,) = repo.list_model_results(session, run_id=1, with_curves=True)
    assert model.key == "dummy" and model.curves.roc.tpr == [0.0, 1.0] and model.curves.tuned_threshold == 0.4
    assert model.curves.confusion.labels == ["no", "yes"] and model.curves.confusion.counts == [[3, 1], [0, 2]]
    started.dispose()
    assert make_engine() is not None  # and it starts again


NOW = "'2026-11-01 10:00:00'"
OLD_ROWS = [
    "INSERT INTO dataset (id, fingerprint, name, n_rows, n_columns, size_bytes, parquet_sha256, read_options, "
    f"lineage, created_at) VALUES (1, 'f', 'churn.csv', 10, 2, 100, 'p', '{{}}', '{{}}', {NOW})",
    f"INSERT INTO pipeline (id, name, created_at) VALUES (1, 'Churn', {NOW})",
    "INSERT INTO pipelineversion (id, pipeline_id, version, spec_json, spec_hash, created_at) "
    f"VALUES (1, 1, 1, '{{}}', 'h', {NOW})",
    "INSERT INTO run (id, dataset_id, pipeline_version_id, spec_json, spec_hash, task, target, seed, status, "
    "progress, message, cancel_requested, library_versions, created_at) "
    f"VALUES (1, 1, 1, '{{}}', 'h', 'classification', 'churn', 42, 'succeeded', 1.0, '', 0, '{{}}', {NOW})",
    "INSERT INTO modelresult (id, run_id, key, kind, label, is_baseline, status, cv_scores, test_scores, "
    "fit_seconds, predict_seconds, curves) "
    "VALUES (1, 1, 'dummy', 'dummy', 'Baseline', 1, 'succeeded', '{}', '{}', 0.0, 0.0, "
    """'{"fpr": [0, 1], "tpr": [0, 1], "labels": ["no", "yes"], "confusion": [[3, 1], [0, 2]], "threshold": 0.4}')""",
]


def test_processes_starting_at_once_on_a_new_database_all_migrate_it(data_dir, database_url):
    """Servers, workers and command lines may start together: the migrations run one process at a time."""
    env = os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)}  # and PIPEWRIGHT_DB_URL, as the fixture set it
    code = "from storage.db import make_engine; make_engine()"
    starts = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=subprocess.PIPE) for _ in range(4)
    ]
    assert [start.wait(timeout=120) for start in starts] == [0] * 4, [s.stderr.read().decode()[-500:] for s in starts]
    with make_engine().connect() as connection:
        assert (
            MigrationContext.configure(connection).get_current_revision()
            == ScriptDirectory.from_config(migrations(connection)).get_current_head()
        )


def test_the_data_folder_and_everything_in_it_is_for_its_owner_only(tmp_path, monkeypatch):
    folder = tmp_path / "new-data-folder"
    monkeypatch.setenv("PIPEWRIGHT_DATA_DIR", str(folder))
    Storage.open().artifacts.put(b"a model", ".skops")
    modes = {path.relative_to(tmp_path): stat.S_IMODE(path.stat().st_mode) for path in [folder, *folder.rglob("*")]}
    assert set(modes.values()) <= {0o700, 0o600}, modes
    assert modes[folder.relative_to(tmp_path)] == 0o700


def test_a_data_folder_made_by_an_earlier_version_is_made_private_at_start_up(data_dir):
    Storage.open().artifacts.put(b"a model", ".skops")
    for path in [data_dir / "pipewright.db", *(data_dir / "artifacts").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)  # as earlier versions left them
    upkeep.tidy(Storage.open())
    modes = {
        path.name: stat.S_IMODE(path.stat().st_mode) for path in [data_dir / "pipewright.db", data_dir / "artifacts"]
    }
    assert modes == {"pipewright.db": 0o600, "artifacts": 0o700}
    assert {stat.S_IMODE(p.stat().st_mode) for p in (data_dir / "artifacts").glob("*") if p.is_dir()} == {0o700}
