"""Customer aggregation: a transactions table into one row per customer (recency, frequency, monetary)."""

import hashlib
import json
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pipeline_core.columns import ColumnType, name_words, parse_dates
from pipeline_core.errors import DataError

LABELS = {  # the label's column → what 'yes' means, for the two ways an analyst frames it
    "churned": "no purchase",
    "buys_again": "a purchase",
}
CUSTOMER_WORDS = ("customer", "client", "user", "account", "member", "buyer", "id")
DATE_WORDS = ("date", "time", "day", "when")
AMOUNT_WORDS = ("amount", "total", "revenue", "sales", "spend", "paid", "value", "price")
MIN_ROWS_PER_CUSTOMER = 1.5  # on average: a table of transactions, not one of customers
MIN_CUSTOMERS = 20  # fewer distinct values make a category (a region, a plan), not customers


class RFMColumns(BaseModel):
    """The customer, date and amount columns of a transactions table."""

    customer: str
    date: str
    amount: str


def guess_columns(frame: pd.DataFrame, column_types: dict[str, ColumnType]) -> RFMColumns | None:
    """The columns an analyst would pick, by type and name: a date column, a numeric amount, and a customer
    column whose values repeat (several purchases each). None when the table has no such three."""
    dates = [c for c in frame.columns if column_types.get(c) == "datetime"]
    numbers = [c for c in frame.columns if column_types.get(c) == "numeric"]
    repeating = [
        c
        for c in frame.columns
        if c not in dates
        and (c not in numbers or _named(c, CUSTOMER_WORDS))  # a number is a customer only when named so
        and MIN_CUSTOMERS <= frame[c].nunique() <= len(frame) / MIN_ROWS_PER_CUSTOMER
    ]
    if not dates or not repeating:
        return None
    customer = _by_name(repeating, CUSTOMER_WORDS)
    amounts = [c for c in numbers if c != customer]
    if not amounts:
        return None
    return RFMColumns(customer=customer, date=_by_name(dates, DATE_WORDS), amount=_by_name(amounts, AMOUNT_WORDS))


def named_as_customers(column) -> bool:
    """Whether a column's name says it holds customers: with guessed columns, a table reads as purchases."""
    return _named(column, CUSTOMER_WORDS)


def _by_name(columns: list[str], words: tuple[str, ...]) -> str:
    """The first column with the earliest of these words in its name; else the first column."""
    for word in words:
        named = [c for c in columns if _named(c, (word,))]
        if named:
            return named[0]
    return columns[0]


def _named(column, words: tuple[str, ...]) -> bool:
    """Whether one of the words is a word of the column's name ('customer_id', 'CustomerID'; not 'provider')."""
    return bool(set(name_words(column)) & set(words))


class RFMSpec(BaseModel):
    """How a transactions table becomes one row per customer, as of a cutoff date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    customer: str
    date: str
    amount: str
    cutoff: str = Field(description="ISO date; only transactions on or before it make the features")
    churn_days: int | None = Field(default=None, ge=1, le=3650, description="label: (no) purchase within N days after")
    label: Literal["churned", "buys_again"] = "churned"

    def fingerprint(self, source_fingerprint: str) -> str:
        """The derived dataset's identity: its source and these settings."""
        return hashlib.sha256(f"{source_fingerprint}|{self.model_dump_json()}".encode()).hexdigest()


def rfm(transactions: pd.DataFrame, spec: RFMSpec) -> pd.DataFrame:
    """One row per customer active by the cutoff: recency_days, frequency, monetary, tenure_days,
    average_basket and, when `churn_days` is set, the label (`churned`: 'yes' when no purchase followed within
    it; `buys_again`: 'yes' when one did).

    Raises:
        DataError: a named column is missing, dates or amounts cannot be read, nobody bought by the cutoff, or
            the label's window runs past the last transaction (every customer would look churned).
    """
    missing = [c for c in (spec.customer, spec.date, spec.amount) if c not in transactions.columns]
    if missing:
        raise DataError(f"The transactions table has no column {', '.join(map(repr, missing))}.")
    dates = parse_dates(
        transactions[spec.date]
    ).dt.normalize()  # by day: a purchase at 14:00 on the cutoff is before it
    amounts = pd.to_numeric(transactions[spec.amount], errors="coerce")
    if dates.isna().mean() > 0.5 or amounts.isna().mean() > 0.5:
        raise DataError(f"'{spec.date}' must hold dates and '{spec.amount}' numbers in most rows.")
    cutoff = pd.Timestamp(spec.cutoff)
    rows = pd.DataFrame({"customer": transactions[spec.customer], "date": dates, "amount": amounts}).dropna()
    before = rows[rows["date"] <= cutoff]
    if before.empty:
        raise DataError(f"No transaction falls on or before the cutoff {spec.cutoff}.")
    if spec.churn_days is not None and cutoff + pd.Timedelta(days=spec.churn_days) > rows["date"].max():
        latest = rows["date"].max()
        raise DataError(
            f"The label looks {spec.churn_days} days past the cutoff, but the last transaction is on "
            f"{latest:%Y-%m-%d}: customers would look as if they stopped buying only because the data ends. Choose "
            "a cutoff on or before "
            f"{latest - pd.Timedelta(days=spec.churn_days):%Y-%m-%d}, or fewer days."
        )
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
        bought = table[spec.customer].isin(window["customer"])
        table[spec.label] = np.where(bought == (spec.label == "buys_again"), "yes", "no")
    return table.reset_index(drop=True)


def describe(spec: RFMSpec) -> str:
    label = f", {spec.label} = {LABELS[spec.label]} in the next {spec.churn_days} days" if spec.churn_days else ""
    return f"RFM per {spec.customer} as of {spec.cutoff}{label}"


def windows(spec: RFMSpec) -> str:
    """Exactly which days make the features and which the label, in words."""
    cutoff = pd.Timestamp(spec.cutoff)
    text = f"Features: every transaction on or before {cutoff:%Y-%m-%d}."
    if spec.churn_days is None:
        return text
    first, last = cutoff + pd.Timedelta(days=1), cutoff + pd.Timedelta(days=spec.churn_days)
    return (
        f"{text} Label `{spec.label}`: 'yes' for a customer with {LABELS[spec.label]} from {first:%Y-%m-%d} to "
        f"{last:%Y-%m-%d} (the {spec.churn_days} days after the cutoff, both ends included); only customers who "
        "bought by the cutoff are rows."
    )


def lineage(spec: RFMSpec, source_fingerprint: str) -> dict:
    return {
        "source_fingerprint": source_fingerprint,
        "aggregation": "rfm",
        "settings": json.loads(spec.model_dump_json()),
    }
