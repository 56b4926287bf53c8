"""A run's status is one of the known ones: the database refuses any other.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# As written here, not imported: a migration keeps meaning what it meant when it was written.
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "interrupted")


def upgrade() -> None:
    with op.batch_alter_table("run") as batch_op:
        batch_op.create_check_constraint("run_status", "status IN ({})".format(", ".join(f"'{s}'" for s in STATUSES)))


def downgrade() -> None:
    with op.batch_alter_table("run") as batch_op:
        batch_op.drop_constraint("run_status", type_="check")
