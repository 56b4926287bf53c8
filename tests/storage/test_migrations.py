"""Schema migrations: a new database is built by them, an older one is upgraded on start-up, and the
migrations always arrive at exactly the tables the models declare."""

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from storage import repo
from storage.db import make_engine, session_scope
from tests.storage.test_storage import _dataset


def test_a_new_database_is_built_by_the_migrations_and_matches_the_models(engine):
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def test_a_database_from_before_migrations_is_upgraded_on_start_keeping_its_data(data_dir, store):
    old = make_engine()
    dataset = _dataset(old, store)
    old.dispose()
    with sqlite3.connect(data_dir / "pipewright.db") as connection:  # as created before Alembic: no version
        connection.execute("DROP TABLE alembic_version")
    started = make_engine()
    with started.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None
    with session_scope(started) as session:
        assert repo.get_dataset(session, dataset_id=dataset.id).name == "iris.csv"
    started.dispose()
