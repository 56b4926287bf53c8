"""Batches of new rows checked against a trained model, with what was found.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batch",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("model_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("labelled", sa.Boolean(), nullable=False),
        sa.Column("drift", sa.Boolean(), nullable=False),
        sa.Column("alarm", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("data_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("breaches_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("retrain_run_id", sa.Integer(), nullable=True),
        sa.Column("duel", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["retrain_run_id"], ["run.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_batch_run_id"), "batch", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_batch_run_id"), table_name="batch")
    op.drop_table("batch")
