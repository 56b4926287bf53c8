import pandas as pd
import pytest

from pipeline_core.data.aggregate import RFMSpec, rfm
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
