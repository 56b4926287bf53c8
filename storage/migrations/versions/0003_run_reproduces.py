"""A run can reproduce an earlier one.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run") as batch_op:
        batch_op.add_column(sa.Column("reproduces_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_run_reproduces_id", ["reproduces_id"])
        batch_op.create_foreign_key("fk_run_reproduces_id_run", "run", ["reproduces_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("run") as batch_op:
        batch_op.drop_constraint("fk_run_reproduces_id_run", type_="foreignkey")
        batch_op.drop_index("ix_run_reproduces_id")
        batch_op.drop_column("reproduces_id")
