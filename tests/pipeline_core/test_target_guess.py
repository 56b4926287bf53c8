"""The target guessed as an analyst would: by name, then a yes/no column, then the last column; never an id."""

import numpy as np
import pandas as pd
import pytest

from pipeline_core.columns import infer_column_types
from pipeline_core.data.target import guess_target

RNG = np.random.default_rng(0)
N = 200


def _telco() -> pd.DataFrame:  # the target in the middle, a last column with gaps
    return pd.DataFrame(
        {
            "customer_id": [f"{i:05d}" for i in range(N)],
            "tenure": RNG.integers(0, 72, N),
            "Churn": RNG.choice(["Yes", "No"], N),
            "monthly_charges": RNG.normal(60, 20, N),
            "total_charges": np.where(RNG.random(N) < 0.02, np.nan, RNG.normal(2000, 500, N)),
        }
    )


def _ames() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Lot_Area": RNG.integers(1000, 20000, N),
            "SalePrice": RNG.normal(2e5, 5e4, N),
            "Latitude": RNG.normal(42, 1, N),
        }
    )


def _titanic() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "PassengerId": np.arange(1, N + 1),
            "Survived": RNG.integers(0, 2, N),
            "Pclass": RNG.integers(1, 4, N),
            "Fare": RNG.gamma(2, 10, N),
        }
    )


@pytest.mark.parametrize(
    ("frame", "expected"),
    [(_telco(), "Churn"), (_ames(), "SalePrice"), (_titanic(), "Survived")],
    ids=["telco", "ames", "titanic"],
)
def test_a_target_named_as_targets_are_is_guessed_wherever_it_stands(frame, expected):
    guess = guess_target(frame, infer_column_types(frame))
    assert guess.column == expected and f"`{expected}`" in guess.reason


def test_without_a_telling_name_a_two_valued_column_then_the_last_complete_one_is_guessed():
    frame = pd.DataFrame({"a": RNG.normal(size=N), "paid_late": RNG.choice(["y", "n"], N), "b": RNG.normal(size=N)})
    assert guess_target(frame, infer_column_types(frame)).column == "paid_late"
    numbers = pd.DataFrame({"a": RNG.normal(size=N), "b": RNG.normal(size=N), "c": [np.nan] + [1.0] * (N - 1)})
    guess = guess_target(numbers, infer_column_types(numbers))
    assert guess.column == "b" and "last column" in guess.reason


def test_an_identifier_is_never_guessed_even_when_last_or_named_like_a_target_but_numbers_as_text_may_be():
    frame = pd.DataFrame({"amount": RNG.normal(size=N), "label": [f"row-{i}" for i in range(N)]})
    assert guess_target(frame, infer_column_types(frame)).column == "amount"
    margins = pd.DataFrame({"x": np.arange(60.0), "margin": [f"{v:.1f}%" for v in np.linspace(-5, 30, 60)]})
    assert guess_target(margins, infer_column_types(margins)).column == "margin"
