"""Moving a store's history to another database (an SQLite file to the team's PostgreSQL server): every row of
every table, in one transaction on the target, so a copy that fails or is killed leaves the target empty."""

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from storage import models  # noqa: F401 - the tables, declared on SQLModel.metadata
from storage.errors import StorageError

CHUNK = 500  # rows read and written at a time: a table of model curves need not fit in memory at once


def copy_store(source: Engine, target: Engine) -> dict[str, int]:
    """Copy every row from `source` into `target` (both at the newest schema; `target` holding no history yet),
    keeping ids, so links, run numbers and the artifact folder's claim carry over. Returns rows per table.

    Raises:
        StorageError: the target already holds history (nothing is changed), or a database refused.
    """
    try:
        return _copy(source, target)
    except SQLAlchemyError as error:
        raise StorageError(f"The copy stopped, and the target was left as it was: {error.orig or error}") from error


def _copy(source: Engine, target: Engine) -> dict[str, int]:
    tables = SQLModel.metadata.sorted_tables  # those pointed at before those that point
    copied = {}
    with source.connect() as reading, target.begin() as writing:
        held = [table.name for table in tables if table.name != "workspace" and _count(writing, table)]
        if held:
            raise StorageError(f"The target database already holds {', '.join(held)}: copy only into a new one.")
        for table in tables:
            if table.name == "workspace":  # made by the target's migrations: take the source's key instead
                writing.execute(table.delete())
            copied[table.name] = 0
            for rows in reading.execute(select(table)).mappings().partitions(CHUNK):
                writing.execute(insert(table), [dict(row) for row in rows])
                copied[table.name] += len(rows)
        if target.dialect.name == "postgresql":
            _continue_numbering(writing, tables)
    return copied


def _count(connection, table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _continue_numbering(connection, tables) -> None:
    """Rows inserted with their ids leave PostgreSQL's sequences at 1: set each past the highest id copied."""
    for table in tables:
        key = table.primary_key.columns.values()
        if len(key) != 1 or not key[0].autoincrement or key[0].type.python_type is not int:
            continue
        name = key[0].name
        sequence = connection.execute(text(f"SELECT pg_get_serial_sequence('{table.name}', '{name}')")).scalar()
        if sequence is None:
            continue
        top = connection.execute(select(func.max(key[0]))).scalar()
        connection.execute(text("SELECT setval(:sequence, :value, :called)"), _next(sequence, top))


def _next(sequence: str, top: int | None) -> dict:
    """setval's arguments: the next id is top + 1, or 1 for an empty table."""
    return {"sequence": sequence, "value": top or 1, "called": top is not None}
