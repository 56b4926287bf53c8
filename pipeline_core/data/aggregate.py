"""Customer aggregation: a transactions table into one row per customer (recency, frequency, monetary)."""

import hashlib
import json

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pipeline_core.columns import parse_dates
from pipeline_core.errors import DataError


class RFMSpec(BaseModel):
    """How a transactions table becomes one row per customer, as of a cutoff date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer: str
    date: str
    amount: str
    cutoff: str = Field(description="ISO date; only transactions on or before it make the features")
    churn_days: int | None = Field(default=None, ge=1, le=3650, description="label: no purchase within N days after")

    def fingerprint(self, source_fingerprint: str) -> str:
        """The derived dataset's identity: its source and these settings."""
        return hashlib.sha256(f"{source_fingerprint}|{self.model_dump_json()}".encode()).hexdigest()


def rfm(transactions: pd.DataFrame, spec: RFMSpec) -> pd.DataFrame:
    """One row per customer active by the cutoff: recency_days, frequency, monetary, tenure_days,
    average_basket and, when `churn_days` is set, `churned` ('yes' when no purchase followed within it).

    Raises:
        DataError: a named column is missing, dates or amounts cannot be read, or nobody bought by the cutoff.
    """
    missing = [c for c in (spec.customer, spec.date, spec.amount) if c not in transactions.columns]
    if missing:
        raise DataError(f"The transactions table has no column {', '.join(map(repr, missing))}.")
    dates = parse_dates(transactions[spec.date])
    amounts = pd.to_numeric(transactions[spec.amount], errors="coerce")
    if dates.isna().mean() > 0.5 or amounts.isna().mean() > 0.5:
        raise DataError(f"'{spec.date}' must hold dates and '{spec.amount}' numbers in most rows.")
    cutoff = pd.Timestamp(spec.cutoff)
    rows = pd.DataFrame({"customer": transactions[spec.customer], "date": dates, "amount": amounts}).dropna()
    before = rows[rows["date"] <= cutoff]
    if before.empty:
        raise DataError(f"No transaction falls on or before the cutoff {spec.cutoff}.")
    per_customer = before.groupby("customer").agg(
        last=("date", "max"), first=("date", "min"), frequency=("date", "size"), monetary=("amount", "sum")
    )
    table = pd.DataFrame(
        {
            spec.customer: per_customer.index,
            "recency_days": (cutoff - per_customer["last"]).dt.days.to_numpy(),
            "frequency": per_customer["frequency"].to_numpy(),
            "monetary": per_customer["monetary"].round(2).to_numpy(),
            "tenure_days": (cutoff - per_customer["first"]).dt.days.to_numpy(),
            "average_basket": (per_customer["monetary"] / per_customer["frequency"]).round(2).to_numpy(),
        }
    )
    if spec.churn_days is not None:
        window = rows[(rows["date"] > cutoff) & (rows["date"] <= cutoff + pd.Timedelta(days=spec.churn_days))]
        table["churned"] = np.where(table[spec.customer].isin(window["customer"]), "no", "yes")
    return table.reset_index(drop=True)


def describe(spec: RFMSpec) -> str:
    label = f", churned = no purchase in the next {spec.churn_days} days" if spec.churn_days else ""
    return f"RFM per {spec.customer} as of {spec.cutoff}{label}"


def lineage(spec: RFMSpec, source_fingerprint: str) -> dict:
    return {
        "source_fingerprint": source_fingerprint,
        "aggregation": "rfm",
        "settings": json.loads(spec.model_dump_json()),
    }
