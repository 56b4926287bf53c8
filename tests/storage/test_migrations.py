"""Schema migrations: a new database is built by them, an older one is upgraded on start-up, and the
migrations always arrive at exactly the tables the models declare."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel, select

from storage.db import BASELINE, make_engine, migrations, session_scope
from storage.models import Pipeline


def test_a_new_database_is_built_by_the_migrations_and_matches_the_models(engine):
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_a_database_from_before_migrations_is_upgraded_on_start_keeping_its_data(data_dir, store):
    old = create_engine(f"sqlite:///{data_dir / 'pipewright.db'}")
    with old.begin() as connection:  # the tables as the first release made them, with no version recorded
        command.upgrade(migrations(connection), BASELINE)
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.exec_driver_sql("INSERT INTO pipeline (name, created_at) VALUES ('Churn', '2026-11-01 10:00:00')")
    old.dispose()
    started = make_engine()
    with started.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    with session_scope(started) as session:
        assert [p.name for p in session.exec(select(Pipeline)).all()] == ["Churn"]
    started.dispose()
