"""baseline: the schema before migrations

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dataset",
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("n_columns", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("parquet_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("read_options", sa.JSON(), nullable=False),
        sa.Column("source_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lineage", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_fingerprint"), ["fingerprint"], unique=True)

    op.create_table(
        "pipeline",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("pipeline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pipeline_name"), ["name"], unique=True)

    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("spec_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "pipelineversion",
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("spec_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pipeline_id"],
            ["pipeline.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pipeline_id", "version"),
    )
    with op.batch_alter_table("pipelineversion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pipelineversion_pipeline_id"), ["pipeline_id"], unique=False)

    op.create_table(
        "run",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("pipeline_version_id", sa.Integer(), nullable=True),
        sa.Column("spec_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("spec_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("task", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("worker_pid", sa.Integer(), nullable=True),
        sa.Column("primary_metric", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("n_train", sa.Integer(), nullable=True),
        sa.Column("n_test", sa.Integer(), nullable=True),
        sa.Column("library_versions", sa.JSON(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pipeline_version_id"],
            ["pipelineversion.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_dataset_id"), ["dataset_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_run_pipeline_version_id"), ["pipeline_version_id"], unique=False)

    op.create_table(
        "modelresult",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("is_baseline", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("cv_scores", sa.JSON(), nullable=False),
        sa.Column("test_scores", sa.JSON(), nullable=False),
        sa.Column("fit_seconds", sa.Float(), nullable=False),
        sa.Column("predict_seconds", sa.Float(), nullable=False),
        sa.Column("curves", sa.JSON(), nullable=False),
        sa.Column("artifact_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("artifact_size", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["run.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "key"),
    )
    with op.batch_alter_table("modelresult", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_modelresult_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("modelresult", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_modelresult_run_id"))

    op.drop_table("modelresult")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_pipeline_version_id"))
        batch_op.drop_index(batch_op.f("ix_run_dataset_id"))

    op.drop_table("run")
    with op.batch_alter_table("pipelineversion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipelineversion_pipeline_id"))

    op.drop_table("pipelineversion")
    op.drop_table("draft")
    with op.batch_alter_table("pipeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pipeline_name"))

    op.drop_table("pipeline")
    with op.batch_alter_table("dataset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_fingerprint"))

    op.drop_table("dataset")
