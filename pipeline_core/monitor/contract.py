"""The data contract: a batch's columns and values against what the model was trained on, checked before
anything is scored, with every row that breaks it."""

import pandas as pd

from pipeline_core.columns import ColumnType, likely_renamed, parse_numbers
from pipeline_core.monitor.report import Breach, Contract

MISSING_RISE = 0.1  # a column missing in this much more of the batch's rows than of the training rows...
MISSING_FACTOR = 2  # ...and at least twice as often breaks the contract
MAX_REPORTED_ROWS = 50_000  # lines of the row-level report; the counts cover every row
EXAMPLES = 5
# Past the training range by more than this share of its width: new rows like the old ones fall just outside it
# now and then (the training extremes are themselves the luck of the draw).
RANGE_MARGIN = 0.05


def check_contract(
    schema: dict[str, ColumnType], reference: pd.DataFrame, batch: pd.DataFrame, *, known: set[str]
) -> tuple[Contract, pd.DataFrame]:
    """The batch's missing and extra columns (`known`: columns of the training table the model does not use,
    such as the target, which are not extra), and per column the rows whose values break the contract.

    Returns:
        The contract and the row-level report: one line per (row, column, problem), the row counted from 1.
    """
    batch = batch.reset_index(drop=True)
    missing = [column for column in schema if column not in batch.columns]
    extra = [str(column) for column in batch.columns if column not in schema and column not in known]
    breaches, lines = [], []
    for column, column_type in schema.items():
        if column in missing:
            continue
        for problem, rows in _problems(reference[column], batch[column], column_type):
            values = batch[column][rows]
            breaches.append(Breach(column=column, problem=problem, rows=int(rows.sum()), examples=_examples(values)))
            lines.append(pd.DataFrame({"row": values.index + 1, "column": column, "problem": problem, "value": values}))
    report = pd.concat(lines) if lines else pd.DataFrame(columns=["row", "column", "problem", "value"])
    report = report.assign(value=report["value"].astype(str))
    renamed = likely_renamed(missing, extra)
    contract = Contract(
        missing=missing, extra=extra, likely_renamed=renamed, breaches=breaches, rows_breaking=report["row"].nunique()
    )
    return contract, report.sort_values(["row", "column"]).head(MAX_REPORTED_ROWS).reset_index(drop=True)


def _problems(trained: pd.Series, new: pd.Series, column_type: ColumnType) -> list[tuple[str, pd.Series]]:
    """(problem, rows) for each way this column's new values differ from the trained ones."""
    found = []
    trained_missing, new_missing = trained.isna().mean(), new.isna()
    if new_missing.mean() > max(trained_missing + MISSING_RISE, MISSING_FACTOR * trained_missing):
        found.append((f"missing in {new_missing.mean():.0%} of rows ({trained_missing:.0%} in training)", new_missing))
    if column_type == "numeric":
        trained_numbers, new_numbers = _numbers(trained), _numbers(new)
        found.append(("not a number", new.notna() & new_numbers.isna()))
        low, high = trained_numbers.min(), trained_numbers.max()
        margin = RANGE_MARGIN * (high - low)
        found.append((f"below the training range (at least {low:,.4g})", new_numbers < low - margin))
        found.append((f"above the training range (at most {high:,.4g})", new_numbers > high + margin))
    elif column_type in ("categorical", "boolean"):
        seen = set(trained.dropna().astype(str))
        found.append(("a category never seen in training", new.notna() & ~new.astype(str).isin(seen)))
    return [(problem, rows) for problem, rows in found if rows.any()]


def _numbers(values: pd.Series) -> pd.Series:
    return values if pd.api.types.is_numeric_dtype(values) else parse_numbers(values)


def _examples(values: pd.Series) -> list[str]:
    return [
        f"{value:,.6g}" if isinstance(value, float) else str(value) for value in values.drop_duplicates().head(EXAMPLES)
    ]
