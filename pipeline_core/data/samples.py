"""Sample datasets: scikit-learn's bundled sets and a generated customer-churn table.

Each sample is serialised to CSV bytes so it enters the product exactly as an upload would.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris


@dataclass(frozen=True)
class Sample:
    key: str
    label: str
    description: str
    target: str
    make: Callable[[], pd.DataFrame]

    def csv_bytes(self) -> bytes:
        return self.make().to_csv(index=False).encode()

    @property
    def filename(self) -> str:
        return f"{self.key}.csv"


def _breast_cancer() -> pd.DataFrame:
    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame.drop(columns="target")
    frame["diagnosis"] = bunch.target.map(dict(enumerate(bunch.target_names)))
    return frame


def _iris() -> pd.DataFrame:
    bunch = load_iris(as_frame=True)
    frame = bunch.frame.drop(columns="target")
    frame["species"] = bunch.target.map(dict(enumerate(bunch.target_names)))
    return frame


def _diabetes() -> pd.DataFrame:
    frame = load_diabetes(as_frame=True, scaled=False).frame
    return frame.rename(columns={"target": "progression"})


def make_churn(n_rows: int = 1500, seed: int = 7) -> pd.DataFrame:
    """A telecom churn table with numeric and categorical columns and missing values.

    The label depends on contract, tenure, charges and support calls through a logistic model,
    so there is real signal to learn and a known ranking of what matters.
    """
    rng = np.random.default_rng(seed)
    contract = rng.choice(["month-to-month", "one-year", "two-year"], n_rows, p=[0.55, 0.25, 0.2])
    tenure = rng.integers(1, 73, n_rows)
    monthly = rng.normal(65, 20, n_rows).clip(18, 120).round(2)
    support_calls = rng.poisson(1.5, n_rows)
    internet = rng.choice(["fiber", "dsl", "none"], n_rows, p=[0.45, 0.4, 0.15])
    payment = rng.choice(["card", "bank transfer", "electronic check", "mailed check"], n_rows)
    logit = (
        -1.2
        + 1.4 * (contract == "month-to-month")
        - 0.8 * (contract == "two-year")
        - 0.035 * tenure
        + 0.02 * (monthly - 65)
        + 0.45 * support_calls
        + 0.5 * (internet == "fiber")
    )
    churned = rng.random(n_rows) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{index:05d}" for index in range(n_rows)],
            "tenure_months": tenure,
            "contract": contract,
            "monthly_charges": monthly,
            "total_charges": (monthly * tenure).round(2),
            "internet_service": internet,
            "payment_method": payment,
            "support_calls": support_calls.astype(float),
            "senior_citizen": rng.choice(["yes", "no"], n_rows, p=[0.16, 0.84]),
            "churn": np.where(churned, "yes", "no"),
        }
    )
    for column, share in {"total_charges": 0.03, "internet_service": 0.05, "support_calls": 0.04}.items():
        frame.loc[rng.random(n_rows) < share, column] = np.nan
    return frame


SAMPLES: dict[str, Sample] = {
    sample.key: sample
    for sample in [
        Sample(
            "customer_churn",
            "Customer churn (generated)",
            "1,500 customers, numeric and categorical columns with missing values; predict `churn`.",
            "churn",
            make_churn,
        ),
        Sample(
            "breast_cancer",
            "Breast cancer (scikit-learn)",
            "569 tumours, 30 numeric measurements; predict `diagnosis` (malignant or benign).",
            "diagnosis",
            _breast_cancer,
        ),
        Sample(
            "iris",
            "Iris (scikit-learn)",
            "150 flowers, 4 measurements; predict `species` (3 classes).",
            "species",
            _iris,
        ),
        Sample(
            "diabetes",
            "Diabetes (scikit-learn)",
            "442 patients, 10 measurements; predict disease `progression` (regression).",
            "progression",
            _diabetes,
        ),
    ]
}
