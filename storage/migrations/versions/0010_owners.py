"""Every dataset, pipeline, run, batch and draft has an owner (records made before are the team's: owner ''),
and datasets, pipelines and runs can be shared with the team; a dataset is one per content and owner; the accounts of
people who sign in with a password, and the log of their attempts.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SHARED = ("dataset", "pipeline", "run")
OWNED = (*SHARED, "batch", "draft")
INDEXED = ("dataset", "pipeline", "run", "batch")


def upgrade() -> None:
    for table in OWNED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
            )
            if table in SHARED:
                batch_op.add_column(sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false()))
            if table in INDEXED:
                batch_op.create_index(batch_op.f(f"ix_{table}_owner"), ["owner"], unique=False)
    with op.batch_alter_table("dataset") as batch_op:
        batch_op.drop_index("ix_dataset_fingerprint")
        batch_op.create_index(batch_op.f("ix_dataset_fingerprint"), ["fingerprint"], unique=False)
        batch_op.create_unique_constraint("uq_dataset_fingerprint_owner", ["fingerprint", "owner"])
    op.create_table(
        "account",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "signin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_signin_name"), "signin", ["name"], unique=False)
    op.create_index(op.f("ix_signin_at"), "signin", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("signin")
    op.drop_table("account")
    with op.batch_alter_table("dataset") as batch_op:
        batch_op.drop_constraint("uq_dataset_fingerprint_owner", type_="unique")
        batch_op.drop_index("ix_dataset_fingerprint")
        batch_op.create_index("ix_dataset_fingerprint", ["fingerprint"], unique=True)
    for table in OWNED:
        with op.batch_alter_table(table) as batch_op:
            if table in INDEXED:
                batch_op.drop_index(f"ix_{table}_owner")
            if table in SHARED:
                batch_op.drop_column("shared")
            batch_op.drop_column("owner")
