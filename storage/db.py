"""Where things are stored, the database engine, and the one managed session per transaction."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect
from sqlmodel import Session, create_engine

from storage.artifacts import ArtifactStore

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASELINE = "0001"  # the schema as it stood before migrations


def data_dir() -> Path:
    """PIPEWRIGHT_DATA_DIR, or `data/` in the project (git-ignored)."""
    return Path(os.environ.get("PIPEWRIGHT_DATA_DIR") or PROJECT_ROOT / "data")


def database_url() -> str:
    """PIPEWRIGHT_DB_URL, or an SQLite file in the data folder."""
    return os.environ.get("PIPEWRIGHT_DB_URL") or f"sqlite:///{data_dir() / 'pipewright.db'}"


def artifact_store() -> ArtifactStore:
    return ArtifactStore(data_dir() / "artifacts")


def make_engine(url: str | None = None) -> Engine:
    """Create the engine and the tables. SQLite gets foreign keys, WAL and a busy timeout."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    upgrade(engine)
    return engine


def migrations(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema with Alembic's migrations. A database made before
    migrations existed (tables, but no recorded revision) is first marked as the baseline it matches.

    On SQLite a migration may rebuild a table that other rows point at, so foreign keys are switched off
    around the migrations (SQLite allows that only outside a transaction) and checked afterwards.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            config = migrations(connection)
            unversioned = MigrationContext.configure(connection).get_current_revision() is None
            if unversioned and "run" in inspect(connection).get_table_names():
                command.stamp(config, BASELINE)
            command.upgrade(config, "head")
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"The database's links are broken after upgrading: {broken[:5]}")


def _configure_sqlite(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
