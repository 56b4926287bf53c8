"""Where things are stored, the database engine, and the one managed session per transaction."""

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError
from sqlmodel import Session, create_engine

from storage.artifacts import ArtifactStore, private_folder
from storage.errors import ConflictError, StorageError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BASELINE = "0001"  # the schema as it stood before migrations
# Any fixed number: PostgreSQL servers starting at once take this lock in turn to migrate.
_MIGRATION_LOCK = 7_263_514
T = TypeVar("T")


def data_dir() -> Path:
    """PIPEWRIGHT_DATA_DIR, or `data/` in the project (git-ignored)."""
    return Path(os.environ.get("PIPEWRIGHT_DATA_DIR") or PROJECT_ROOT / "data")


def database_url() -> str:
    """PIPEWRIGHT_DB_URL, or an SQLite file in the data folder."""
    return os.environ.get("PIPEWRIGHT_DB_URL") or f"sqlite:///{data_dir() / 'pipewright.db'}"


def artifact_store() -> ArtifactStore:
    return ArtifactStore(data_dir() / "artifacts")


def scratch_root() -> Path:
    return data_dir() / "tmp"


def scratch_dir(run_id: int) -> Path:
    """Where a run's temporary files go (each fold's prepared rows), so what a dead run left is found."""
    return scratch_root() / f"run-{run_id}"


def log_root() -> Path:
    return data_dir() / "logs"


def log_path(run_id: int) -> Path:
    """The output of a run's worker process."""
    return log_root() / f"run-{run_id}.log"


@dataclass(frozen=True)
class Storage:
    """The database and the artifact store, made once per process and handed to every use case."""

    engine: Engine
    artifacts: ArtifactStore
    user: str | None = None  # who acts through it; None when sign-in is off: everyone sees and changes everything

    def acting_as(self, user: str | None) -> "Storage":
        """The same database and folder, used on behalf of `user` (what they may see and change)."""
        return replace(self, user=user)

    @classmethod
    def open(cls, url: str | None = None) -> "Storage":
        """The database (its schema brought up to date) and the artifact folder, which the first database to
        open it claims, so that no other database's sweep takes the files this one's records name."""
        opened = cls(make_engine(url), artifact_store())
        opened.owns_artifacts()
        return opened

    def owns_artifacts(self) -> bool:
        with self.engine.connect() as connection:
            key = connection.exec_driver_sql("SELECT key FROM workspace WHERE id = 1").scalar_one()
        return self.artifacts.claim(key)


def make_engine(url: str | None = None) -> Engine:
    """Create the engine and bring the schema up to date. SQLite gets foreign keys, WAL and a busy
    timeout, in a file only its owner can read.

    Raises:
        StorageError: a URL that names no database this can open, or a server that cannot be reached.
    """
    url = url or database_url()
    try:
        return _open(url)
    except ImportError as error:  # a database whose driver is not installed
        raise StorageError(
            f"The database {_shown(url)} needs a driver that is not installed ({error.name}): Pipewright comes with "
            "SQLite's and PostgreSQL's (postgresql+psycopg://…). Check PIPEWRIGHT_DB_URL."
        ) from error
    except SQLAlchemyError as error:
        raise StorageError(
            f"The database {_shown(url)} cannot be used: {_first_line(error)}. Check PIPEWRIGHT_DB_URL."
        ) from error


def _shown(url: str) -> str:
    """The URL as it may be shown: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "named by PIPEWRIGHT_DB_URL"


def _open(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        private_folder(path.parent)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # SQLite's -wal and -shm copy its mode
        for own in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            if own.exists():
                own.chmod(0o600)  # a database made by an earlier version may be readable by anyone
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        with _file_lock(path.with_name(path.name + ".lock")):
            upgrade(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        upgrade(engine)
    return engine


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """One process at a time past this point, for processes sharing the file system (SQLite's case)."""
    handle = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock, as does the death of the process


def migrations(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema with Alembic's migrations, one process at a time (servers,
    workers and command lines may start together). A database made before migrations existed (tables, but
    no recorded revision) is first marked as the baseline it matches.

    On SQLite a migration may rebuild a table that other rows point at, so foreign keys are switched off
    around the migrations (SQLite allows that only outside a transaction) and checked afterwards.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        with connection.begin():
            if engine.dialect.name == "postgresql":  # held until this transaction ends
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
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
                raise StorageError(f"The database's links are broken after upgrading: {broken[:5]}")


def _configure_sqlite(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back if it raises.

    Raises:
        ConflictError: another transaction wrote the same unique key first (see `retry_on_conflict`).
        StorageError: the database could not be read or written, or refused the change.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except IntegrityError as error:
            session.rollback()
            if _is_unique_violation(error):
                raise ConflictError(f"Another change got there first: {_first_line(error)}") from error
            raise StorageError(f"The change was refused by the database: {_first_line(error)}") from error
        except SQLAlchemyError as error:
            session.rollback()
            raise StorageError(f"The database could not be used: {_first_line(error)}") from error
        except BaseException:
            session.rollback()
            raise


def retry_on_conflict(engine: Engine, work: Callable[[Session], T], *, attempts: int = 5) -> T:
    """Run `work` in a transaction of its own; when a concurrent writer wins a unique key, run it again,
    so the database decides and the loser reads the winner's row (get-or-create that is safe in a race)."""
    for _ in range(attempts - 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except ConflictError:
            continue
    with session_scope(engine) as session:
        return work(session)


def _is_unique_violation(error: IntegrityError) -> bool:
    """A unique key another transaction wrote first (not a broken link or a missing value)."""
    code = getattr(error.orig, "sqlstate", None)  # PostgreSQL's code; SQLite has only its message
    return code == "23505" if code else "UNIQUE constraint failed" in str(error.orig)


def _first_line(error: SQLAlchemyError) -> str:
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0][:300]
