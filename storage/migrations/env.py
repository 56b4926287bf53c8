"""Alembic's entry point: migrations run on the connection the app hands over (see storage/db.py)."""

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers the tables, for autogenerate

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
