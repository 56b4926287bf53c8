"""Each browser session has its own draft, which remembers the run it watches; a run records its process's
machine and start, so a process gone (or a number reused) is told apart; the database gets a name of its own,
which its artifact folder records.

The one shared draft of earlier versions is kept under the key 'workspace', so it can still be reopened.

Revision ID: 0005
Revises: 0004
"""

import uuid

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch_op:
        batch_op.add_column(sa.Column("worker_host", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("worker_start", sa.BigInteger(), nullable=True))
    op.rename_table("draft", "draft_shared")
    op.create_table(
        "draft",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("spec_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
        sa.PrimaryKeyConstraint("key"),
    )
    op.execute(
        "INSERT INTO draft (key, dataset_id, spec_json, updated_at) "
        "SELECT 'workspace', dataset_id, spec_json, updated_at FROM draft_shared"
    )
    op.drop_table("draft_shared")
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(f"INSERT INTO workspace (id, key) VALUES (1, '{uuid.uuid4().hex}')")


def downgrade() -> None:
    op.drop_table("workspace")
    op.rename_table("draft", "draft_session")
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("spec_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO draft (id, dataset_id, spec_json, updated_at) "
        "SELECT 1, dataset_id, spec_json, updated_at FROM draft_session ORDER BY updated_at DESC LIMIT 1"
    )
    op.drop_table("draft_session")
    with op.batch_alter_table("run") as batch_op:
        batch_op.drop_column("worker_start")
        batch_op.drop_column("worker_host")
