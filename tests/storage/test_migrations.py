"""Schema migrations: a new database is built by them, an older one is upgraded on start-up, and the
migrations always arrive at exactly the tables the models declare."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel, select

from storage import repo
from storage.db import BASELINE, make_engine, migrations, session_scope
from storage.models import Pipeline


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
        assert [r.key for r in repo.list_model_results(session, run_id=1)] == ["dummy"]
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
    "VALUES (1, 1, 'dummy', 'dummy', 'Baseline', 1, 'succeeded', '{}', '{}', 0.0, 0.0, '{}')",
]
