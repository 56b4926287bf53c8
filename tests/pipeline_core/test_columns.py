import numpy as np
import pandas as pd
import pytest

from pipeline_core.columns import datetime_format, infer_column_type, numbers_as_text, parse_numbers
from pipeline_core.data.samples import make_churn

N = 60


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (np.arange(N) * 1.5, "numeric"),
        (["red", "green", "blue"] * (N // 3), "categorical"),
        (["yes", "no"] * (N // 2), "boolean"),
        ([True, False] * (N // 2), "boolean"),
        (pd.date_range("2024-01-01", periods=N).strftime("%Y-%m-%d"), "datetime"),
        (pd.date_range("2024-01-01", periods=N).strftime("%d/%m/%Y"), "datetime"),
        ([f"customer number {i} wrote a long comment about service" for i in range(N)], "text"),
        ([f"C{i:05d}" for i in range(N)], "id"),
        (np.arange(1000, 1000 + N), "id"),
        (["$1,200.50", "$3,400.00", "12"] * (N // 3), "categorical"),  # offered as a conversion instead
    ],
)
def test_column_types_are_inferred(values, expected):
    assert infer_column_type(pd.Series(values, name="column")) == expected


def test_unique_floats_are_measurements_not_ids():
    assert infer_column_type(pd.Series(np.random.default_rng(0).normal(size=N), name="x")) == "numeric"


def test_day_first_dates_are_recognised_with_their_format():
    assert datetime_format(pd.Series(["01/01/2015", "15/01/2015", "29/01/2015"])) == "%d/%m/%Y"
    assert datetime_format(pd.Series(["01/31/2015", "02/15/2015"])) == "%m/%d/%Y"
    assert datetime_format(pd.Series(["not", "a", "date"])) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["$12,345.67", "$3,400", None], [12345.67, 3400.0, np.nan]),
        (["12.5%", "-0.1%"], [12.5, -0.1]),
        (["12,000", "2,000"], [12000.0, 2000.0]),
        (["1.234,5", "12,5"], [1234.5, 12.5]),
        (["(1,200)", "300"], [-1200.0, 300.0]),
        (["n/a", "7"], [np.nan, 7.0]),
    ],
)
def test_numbers_written_as_text_are_parsed(values, expected):
    np.testing.assert_array_equal(parse_numbers(pd.Series(values, dtype="str")).to_numpy(), expected)


def test_numbers_as_text_is_detected_only_for_text_that_is_nearly_all_numbers():
    assert numbers_as_text(pd.Series(["$1", "$2,000", "3%"]))
    assert not numbers_as_text(pd.Series(["1", "two", "three"]))
    assert not numbers_as_text(pd.Series([1.0, 2.0]))


def test_churn_sample_has_every_kind_of_column_the_foundation_promises():
    frame = make_churn()
    types = {column: infer_column_type(frame[column]) for column in frame}
    assert types["customer_id"] == "id" and types["tenure_months"] == "numeric"
    assert types["contract"] == "categorical" and types["senior_citizen"] == "boolean"
    assert frame.isna().any().sum() >= 2
