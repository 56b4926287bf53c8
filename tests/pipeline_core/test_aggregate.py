import numpy as np
import pandas as pd
import pytest

from pipeline_core.columns import infer_column_types
from pipeline_core.data.aggregate import RFMSpec, guess_columns, named_as_customers, rfm, windows
from pipeline_core.data.samples import make_churn
from pipeline_core.errors import DataError

ORDERS = pd.DataFrame(
    {
        "customer": ["A", "A", "A", "B", "B", "C", "D"],
        "order_date": [
            "2024-01-01",
            "2024-02-01",
            "2024-03-15",
            "2024-02-20",
            "2024-04-10",
            "2024-03-30",
            "2024-05-01",
        ],
        "amount": [10.0, 20.0, 30.0, 5.0, 7.5, 100.0, 50.0],
    }
)


def test_rfm_matches_a_hand_computed_example():
    spec = RFMSpec(customer="customer", date="order_date", amount="amount", cutoff="2024-03-31", churn_days=30)
    table = rfm(ORDERS, spec).set_index("customer")
    assert list(table.index) == ["A", "B", "C"]  # D bought only after the cutoff
    assert table.loc["A"].to_dict() == {
        "recency_days": 16,
        "frequency": 3,
        "monetary": 60.0,
        "tenure_days": 90,
        "average_basket": 20.0,
        "churned": "yes",
    }
    assert table.loc["B", ["recency_days", "frequency", "monetary", "churned"]].tolist() == [40, 1, 5.0, "no"]
    assert table.loc["C", ["recency_days", "tenure_days", "churned"]].tolist() == [1, 1, "yes"]


def test_without_a_churn_window_there_is_no_label():
    spec = RFMSpec(customer="customer", date="order_date", amount="amount", cutoff="2024-12-31")
    assert "churned" not in rfm(ORDERS, spec).columns


def test_the_derived_dataset_has_an_identity_from_its_source_and_settings():
    spec = RFMSpec(customer="customer", date="order_date", amount="amount", cutoff="2024-03-31")
    assert spec.fingerprint("abc") != spec.fingerprint("abd")
    assert spec.fingerprint("abc") != spec.model_copy(update={"churn_days": 30}).fingerprint("abc")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "price"}, "has no column 'price'"),
        ({"cutoff": "2020-01-01"}, "No transaction falls on or before the cutoff"),
        ({"amount": "customer"}, "must hold dates and 'customer' numbers"),
    ],
)
def test_unusable_settings_are_refused_clearly(changes, message):
    spec = RFMSpec(customer="customer", date="order_date", amount="amount", cutoff="2024-03-31").model_copy(
        update=changes
    )
    with pytest.raises(DataError, match=message):
        rfm(ORDERS, spec)


def test_the_label_can_be_framed_as_buying_again_and_a_purchase_later_on_the_cutoff_day_counts_before_it():
    spec = RFMSpec(
        customer="customer", date="order_date", amount="amount", cutoff="2024-03-31", churn_days=30, label="buys_again"
    )
    table = rfm(ORDERS, spec).set_index("customer")
    assert table["buys_again"].to_dict() == {"A": "no", "B": "yes", "C": "no"}  # churned, the other way round
    timed = ORDERS.assign(order_date=(ORDERS["order_date"] + " 09:00").str.replace("03-30 09", "03-31 14"))
    assert rfm(timed, spec).set_index("customer").loc["C", "recency_days"] == 0  # that afternoon is before the cutoff


def test_a_label_window_past_the_last_transaction_is_refused_and_windows_are_said_day_by_day():
    late = RFMSpec(customer="customer", date="order_date", amount="amount", cutoff="2024-04-15", churn_days=30)
    with pytest.raises(DataError, match="the last transaction is on 2024-05-01.*on or before 2024-04-01"):
        rfm(ORDERS, late)
    spec = late.model_copy(update={"cutoff": "2024-03-31"})
    assert "from 2024-04-01 to 2024-04-30" in windows(spec) and "on or before 2024-03-31" in windows(spec)


def test_the_customer_date_and_amount_columns_are_guessed_and_a_customers_table_is_not_taken_for_purchases():
    rng = np.random.default_rng(1)
    orders = pd.DataFrame(
        {
            "order_id": np.arange(300),
            "store": rng.choice(["north", "south"], 300),
            "client_code": rng.choice([f"K{i}" for i in range(50)], 300),
            "placed": pd.date_range("2024-01-01", periods=300, freq="D").strftime("%Y-%m-%d"),
            "quantity": rng.integers(1, 5, 300),
            "total": rng.uniform(5, 90, 300),
        }
    )
    found = guess_columns(orders, infer_column_types(orders))
    assert (found.customer, found.date, found.amount) == ("client_code", "placed", "total")
    assert named_as_customers(found.customer)
    customers = make_churn(500).assign(signup=pd.date_range("2020-01-01", periods=500, freq="D").strftime("%Y-%m-%d"))
    guessed = guess_columns(customers, infer_column_types(customers))
    assert guessed is None or not named_as_customers(guessed.customer)
