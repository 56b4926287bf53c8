"""The database schema as a snapshot: a change to the tables must be made here too, on purpose.

Regenerate with `python -m tests.storage.test_schema_snapshot` after a deliberate change.
"""

import json
from pathlib import Path

from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers the tables

SNAPSHOT = Path(__file__).with_name("schema_snapshot.json")


def current_schema() -> dict[str, dict[str, str]]:
    return {
        table.name: {column.name: f"{column.type}{'' if column.nullable else ' NOT NULL'}" for column in table.columns}
        for table in sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name)
    }


def test_the_schema_matches_its_snapshot():
    assert current_schema() == json.loads(SNAPSHOT.read_text())


if __name__ == "__main__":
    SNAPSHOT.write_text(json.dumps(current_schema(), indent=2) + "\n")
