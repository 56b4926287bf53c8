"""A model's chart data moves out of its result row into a table of its own, in typed parts (one per chart)
rather than one flat bag of keys; a clustering model's number of groups becomes a column of its result.

Revision ID: 0007
Revises: 0006
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Each part of the new layout and, per field, the flat key it was stored under. As written here, not
# imported: a migration keeps meaning what it meant when it was written.
PARTS = {
    "roc": {"fpr": "fpr", "tpr": "tpr"},
    "precision_recall": {"precision": "precision", "recall": "recall"},
    "gain": {"share": "gain_share", "found": "gain_found"},
    "calibration": {"predicted": "calibration_predicted", "observed": "calibration_observed"},
    "thresholds": {
        "threshold": "threshold_threshold",
        "precision": "threshold_precision",
        "recall": "threshold_recall",
    },
    "confusion": {"labels": "labels", "counts": "confusion"},
    "actual_predicted": {"actual": "actual", "predicted": "predicted"},
    "learning": {"rows": "learning_rows", "train": "learning_train", "test": "learning_test"},
    "importance": {
        "metric": "importance_metric",
        "features": "importance_features",
        "mean": "importance_mean",
        "std": "importance_std",
    },
    "groups": {
        "names": "groups",
        "sizes": "sizes",
        "map_x": "map_x",
        "map_y": "map_y",
        "map_group": "map_group",
        "profile_columns": "profile_columns",
        "profile_means": "profile_means",
        "described_as": "described_as",
        "described": "described",
    },
}
AS_THEY_ARE = {"tuning": "tuning", "tuned_threshold": "threshold"}


def _typed(flat: dict) -> dict:
    parts = {
        part: {field: flat[key] for field, key in fields.items()}
        for part, fields in PARTS.items()
        if all(key in flat for key in fields.values())
    }
    return parts | {part: flat[key] for part, key in AS_THEY_ARE.items() if flat.get(key) is not None}


def _flat(parts: dict) -> dict:
    flat = {key: parts[part][field] for part, fields in PARTS.items() if part in parts for field, key in fields.items()}
    return flat | {key: parts[part] for part, key in AS_THEY_ARE.items() if part in parts}


def _json(value) -> dict:
    return json.loads(value) if isinstance(value, str) else value or {}


def upgrade() -> None:
    curves = op.create_table(
        "modelcurves",
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["modelresult.id"]),
        sa.PrimaryKeyConstraint("result_id"),
    )
    with op.batch_alter_table("modelresult") as batch_op:
        batch_op.add_column(sa.Column("n_groups", sa.Integer(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, curves FROM modelresult")).all()
    typed = [(row.id, _typed(_json(row.curves))) for row in rows]
    if typed:
        op.bulk_insert(curves, [{"result_id": id_, "data": data} for id_, data in typed])
    for id_, data in typed:
        if "groups" in data:
            connection.execute(
                sa.text("UPDATE modelresult SET n_groups = :n WHERE id = :id"),
                {"n": len(data["groups"]["names"]), "id": id_},
            )
    with op.batch_alter_table("modelresult") as batch_op:
        batch_op.drop_column("curves")


def downgrade() -> None:
    with op.batch_alter_table("modelresult") as batch_op:
        batch_op.add_column(sa.Column("curves", sa.JSON(), nullable=False, server_default="{}"))
    connection = op.get_bind()
    for row in connection.execute(sa.text("SELECT result_id, data FROM modelcurves")).all():
        connection.execute(
            sa.text("UPDATE modelresult SET curves = :curves WHERE id = :id"),
            {"curves": json.dumps(_flat(_json(row.data))), "id": row.result_id},
        )
    with op.batch_alter_table("modelresult") as batch_op:
        batch_op.drop_column("n_groups")
    op.drop_table("modelcurves")
