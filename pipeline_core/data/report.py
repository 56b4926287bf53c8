"""The validation report: per-column summaries and table-wide findings, each with a one-click fix.

Counts (missing, distinct, duplicates, outliers) use every row; the model-based checks (how well
one column alone predicts the target) and correlations use a stated random sample, so a large
file profiles in seconds.
"""

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from pipeline_core.columns import (
    ColumnType,
    Role,
    datetime_format,
    mixed_type_share,
    numbers_as_text,
    read_as,
)
from pipeline_core.data.ingest import MAX_CLASSES_FOR_NUMERIC_TARGET
from pipeline_core.data.target import check_target
from pipeline_core.errors import DataError
from pipeline_core.schema import BRANCH_OF, column_types
from pipeline_core.spec import ROW_STEPS, PipelineSpec

SAMPLE_ROWS = 100_000  # correlations run on at most this many rows
CHECK_ROWS = 5_000  # single-column predictive checks run on at most this many rows
# One column alone scoring this well is too good to be true (iris' petal width, a real signal, scores 0.984).
LEAK_SCORE = 0.995
ORDER_SCORE = 0.9  # an identifier should say nothing about the target; this much means the rows are sorted by it
NEAR_CONSTANT = 0.99
HIGH_CARDINALITY = 50
IMBALANCE = 0.1
Severity = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Fix:
    """A change to the spec that remedies a finding, applied by one click."""

    label: str
    roles: dict[str, Role] = field(default_factory=dict)
    column_types: dict[str, ColumnType] = field(default_factory=dict)
    row_step: str | None = None


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: Severity
    message: str
    column: str | None = None
    fix: Fix | None = None


@dataclass
class ColumnSummary:
    name: str
    type: ColumnType
    missing: int
    distinct: int
    stats: dict[str, float] = field(default_factory=dict)
    top: list[tuple[str, int]] = field(default_factory=list)
    outliers: int | None = None  # beyond 1.5 × IQR: Tukey's rule, counted for every numeric column
    extreme: int = 0  # beyond 3 × IQR: rare in any bell-shaped column, so worth a finding
    date_format: str | None = None


@dataclass
class Profile:
    n_rows: int
    sample_rows: int
    duplicates: int
    columns: dict[str, ColumnSummary]
    findings: list[Finding]
    correlations: pd.DataFrame | None = None
    target_counts: pd.Series | None = None
    predictive_power: dict[str, float] = field(default_factory=dict)


def apply_fix(spec: PipelineSpec, fix: Fix) -> PipelineSpec:
    """The spec with the fix's changes made."""
    data = spec.data.model_dump()
    data["roles"] |= fix.roles
    data["column_types"] |= fix.column_types
    if fix.row_step and fix.row_step not in data["row_steps"]:
        data["row_steps"].append(fix.row_step)
    return spec.replace(data=data)


def profile(frame: pd.DataFrame, spec: PipelineSpec, *, seed: int = 0) -> Profile:
    """Summarise every column and find what would spoil a model trained as the spec says."""
    types = column_types(spec, frame)
    target = spec.data.target
    sample = frame.sample(SAMPLE_ROWS, random_state=seed) if len(frame) > SAMPLE_ROWS else frame
    columns = {column: _summarise(frame[column], types[column]) for column in frame.columns}
    duplicates = int(frame.duplicated().sum())
    findings = _table_findings(frame, spec, duplicates) + [
        finding
        for column in frame.columns
        if column != target
        for finding in _column_findings(frame[column], columns[column], spec)
    ]
    power = _predictive_power(sample, spec, types)
    findings += _leakage_findings(frame, spec, types, power)
    if spec.data.task == "classification":
        findings += _balance_findings(frame[target])
    numeric = [
        c for c in frame.columns if c != target and types[c] == "numeric" and pd.api.types.is_numeric_dtype(frame[c])
    ]
    order = {"high": 0, "medium": 1, "low": 2}
    return Profile(
        n_rows=len(frame),
        sample_rows=len(sample),
        duplicates=duplicates,
        columns=columns,
        findings=sorted(findings, key=lambda f: order[f.severity]),
        correlations=sample[numeric[:30]].corr() if len(numeric) > 1 else None,
        target_counts=frame[target].value_counts() if spec.data.task == "classification" else None,
        predictive_power=power,
    )


def _summarise(series: pd.Series, column_type: ColumnType) -> ColumnSummary:
    summary = ColumnSummary(series.name, column_type, int(series.isna().sum()), int(series.nunique()))
    values = read_as(series, column_type).dropna()
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) and not values.empty:
        q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
        summary.stats = {
            "min": values.min(),
            "25%": q1,
            "median": median,
            "75%": q3,
            "max": values.max(),
            "mean": values.mean(),
        }
        spread = q3 - q1
        summary.outliers = int(((values < q1 - 1.5 * spread) | (values > q3 + 1.5 * spread)).sum()) if spread else 0
        summary.stats["outliers (1.5 × IQR)"] = summary.outliers
        summary.extreme = int(((values < q1 - 3 * spread) | (values > q3 + 3 * spread)).sum()) if spread else 0
    else:
        summary.top = [(str(value), int(count)) for value, count in values.value_counts().head(5).items()]
    if column_type == "datetime":
        summary.date_format = datetime_format(series)
    return summary


def _table_findings(frame: pd.DataFrame, spec: PipelineSpec, duplicates: int) -> list[Finding]:
    findings = []
    target = spec.data.target  # a missing target has its own finding, with a fix
    labelled = read_as(frame[target].dropna(), spec.data.column_types.get(target))
    try:
        check_target(spec, labelled)
    except DataError as error:
        findings.append(Finding("target_unusable", "high", str(error), column=spec.data.target))
    if duplicates and "drop_duplicates" not in spec.data.row_steps:
        findings.append(
            Finding(
                "duplicate_rows",
                "medium",
                f"{duplicates:,} rows ({duplicates / len(frame):.1%}) repeat an earlier row exactly. Copies can land "
                "on both sides of a train/test split and make scores look better than they are.",
                fix=Fix(ROW_STEPS["drop_duplicates"], row_step="drop_duplicates"),
            )
        )
    target = frame[spec.data.target]
    if spec.data.column_types.get(spec.data.target) != "numeric" and numbers_as_text(target):
        findings.append(
            Finding(
                "numbers_as_text",
                "medium",
                f"The target `{spec.data.target}` holds numbers written as text (such as '{target.dropna().iloc[0]}').",
                column=spec.data.target,
                fix=Fix("Read as numbers", column_types={spec.data.target: "numeric"}),
            )
        )
    missing = int(target.isna().sum())
    if missing and "drop_missing_target" not in spec.data.row_steps:
        findings.append(
            Finding(
                "missing_target",
                "high",
                f"The target `{spec.data.target}` is missing in {missing:,} rows. Rows without a label cannot be "
                "learned from.",
                column=spec.data.target,
                fix=Fix(ROW_STEPS["drop_missing_target"], row_step="drop_missing_target"),
            )
        )
    return findings


def _column_findings(series: pd.Series, summary: ColumnSummary, spec: PipelineSpec) -> list[Finding]:
    name = str(series.name)
    if spec.data.roles.get(name, "feature") != "feature":
        return []
    leave_out = Fix("Leave it out", roles={name: "ignore"})
    n = len(series)
    if summary.missing == n:
        return [Finding("empty_column", "medium", f"`{name}` is empty in every row.", name, leave_out)]
    if summary.distinct <= 1:
        return [
            Finding(
                "constant_column",
                "medium",
                f"`{name}` has the same value in every row: it cannot tell rows apart.",
                name,
                leave_out,
            )
        ]
    findings = []
    top_share = series.value_counts(dropna=False).iloc[0] / n
    if top_share >= NEAR_CONSTANT:
        findings.append(
            Finding(
                "near_constant",
                "low",
                f"`{name}` has one value in {top_share:.1%} of rows: it carries almost no information.",
                name,
                leave_out,
            )
        )
    if summary.missing:
        findings.append(
            Finding(
                "missing_values",
                "low",
                f"`{name}` is missing in {summary.missing:,} rows "
                f"({summary.missing / n:.1%}); the fill step on Prepare handles them.",
                name,
            )
        )
    if summary.type == "id":
        findings.append(
            Finding(
                "id_like",
                "low",
                f"`{name}` is different in every row: it is treated as an identifier and kept out of the features.",
                name,
            )
        )
    elif summary.type == "categorical" and numbers_as_text(series):
        example = series.dropna().iloc[0]
        findings.append(
            Finding(
                "numbers_as_text",
                "medium",
                f"`{name}` holds numbers written as text (such as "
                f"'{example}'). Read as text, each value becomes its own category.",
                name,
                Fix("Read as numbers", column_types={name: "numeric"}),
            )
        )
    elif summary.type == "categorical" and 0.05 < mixed_type_share(series) < 0.95:
        findings.append(
            Finding(
                "mixed_types",
                "medium",
                f"`{name}` mixes numbers and text; check for typing errors or codes such as 'n/a'.",
                name,
            )
        )
    elif summary.type == "categorical" and summary.distinct > HIGH_CARDINALITY:
        findings.append(
            Finding(
                "high_cardinality",
                "medium",
                f"`{name}` has {summary.distinct:,} different "
                "values: one-hot encoding keeps only the most frequent ones, and rare values "
                "say little.",
                name,
                leave_out,
            )
        )
    if summary.type == "datetime":
        findings.append(
            Finding(
                "dates",
                "low",
                f"`{name}` holds dates ({summary.date_format}); Prepare turns them into "
                "date parts (year, month, weekday, …).",
                name,
            )
        )
    if summary.extreme:
        findings.append(
            Finding(
                "outliers",
                "low",
                f"`{name}` has {summary.extreme:,} extreme values (beyond 3 × the interquartile range; "
                f"{summary.outliers:,} beyond 1.5 ×).",
                name,
            )
        )
    return findings


def _predictive_power(sample: pd.DataFrame, spec: PipelineSpec, types: dict[str, ColumnType]) -> dict[str, float]:
    """How well each column alone predicts the target: a small tree's 3-fold CV ROC AUC (0.5 is no
    signal) for classification, R² (0 is no signal) for regression."""
    target, task = spec.data.target, spec.data.task
    rows = sample.dropna(subset=[target])
    rows = rows.sample(CHECK_ROWS, random_state=0) if len(rows) > CHECK_ROWS else rows
    y = read_as(rows[target], types[target])
    classification = task == "classification"
    if (
        len(rows) < 30
        or (classification and y.value_counts().min() < 3)
        or (not classification and not pd.api.types.is_numeric_dtype(y))
    ):
        return {}
    folds = (StratifiedKFold if classification else KFold)(3, shuffle=True, random_state=0)
    model = (DecisionTreeClassifier if classification else DecisionTreeRegressor)(
        max_depth=6, min_samples_leaf=3, random_state=0
    )
    scoring = ("roc_auc" if y.nunique() == 2 else "roc_auc_ovr") if classification else "r2"
    power = {}
    for column, column_type in types.items():
        if column == target or spec.data.roles.get(column, "feature") == "ignore":
            continue
        if column_type not in BRANCH_OF and column_type != "id":
            continue
        values = rows[column]
        x = values.astype(float) if pd.api.types.is_numeric_dtype(values) else pd.Series(pd.factorize(values)[0])
        x = x.fillna(x.median() if x.notna().any() else 0).to_numpy().reshape(-1, 1)
        power[column] = float(np.mean(cross_val_score(model, x, y, cv=folds, scoring=scoring)))
    return power


def _leakage_findings(
    frame: pd.DataFrame, spec: PipelineSpec, types: dict[str, ColumnType], power: dict[str, float]
) -> list[Finding]:
    target = spec.data.target
    findings = []
    for column, score in power.items():
        copy = frame[column].equals(frame[target])
        if score < (ORDER_SCORE if types[column] == "id" else LEAK_SCORE) and not copy:
            continue
        leave_out = Fix("Leave it out", roles={column: "ignore"})
        if copy:
            message = f"`{column}` is a copy of the target `{target}`. A model would learn nothing useful from it."
        elif types[column] == "id":
            message = (
                f"The identifier `{column}` predicts `{target}` (score {score:.2f} alone): the rows are "
                "ordered by the target. It is kept out of the features; check how the file was made."
            )
            leave_out = None
        else:
            message = (
                f"`{column}` alone predicts `{target}` almost perfectly (score {score:.2f} under "
                "cross-validation). It is probably derived from the target or only known afterwards: "
                "a leak that would not exist when predicting new rows."
            )
        findings.append(Finding("leakage", "high", message, column, leave_out))
    return findings


def _balance_findings(target: pd.Series) -> list[Finding]:
    shares = target.value_counts(normalize=True)
    if not 2 <= len(shares) <= MAX_CLASSES_FOR_NUMERIC_TARGET or shares.iloc[-1] >= IMBALANCE:
        return []
    return [
        Finding(
            "class_imbalance",
            "medium",
            f"The class '{shares.index[-1]}' is only {shares.iloc[-1]:.1%} "
            "of rows. Accuracy will flatter models that ignore it; rank by balanced accuracy or F1.",
            str(target.name),
        )
    ]
