"""Scoring new rows: checked against the training columns, then predicted with probabilities."""

import pytest

from pipeline_core.errors import DataError
from pipeline_core.export.predict import check_columns, predict_table
from pipeline_core.prepare.build import build_pipeline
from pipeline_core.schema import feature_schema
from pipeline_core.spec import default_spec


@pytest.fixture(scope="module")
def fitted(churn):
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    schema = feature_schema(spec, churn)
    return build_pipeline(spec, churn, spec.models[0]).fit(churn[list(schema)], churn["churn"]), schema


def test_new_rows_get_a_prediction_and_a_probability_per_class(churn, fitted):
    model, schema = fitted
    new = churn.drop(columns=["churn"]).head(5).assign(region="north")
    assert check_columns(schema, new) == ["Not used by the model, ignored: customer_id, region."]
    scored = predict_table(model, new, schema)
    assert set(scored["prediction"]) <= {"yes", "no"}
    assert (scored["probability yes"] + scored["probability no"]).round(6).eq(1).all()
    assert scored["region"].eq("north").all()  # the rows come back whole


def test_missing_and_mistyped_columns_are_all_named_in_one_message(churn, fitted):
    _, schema = fitted
    bad = churn.drop(columns=["churn", "contract"]).head(5).assign(tenure_months="long")
    with pytest.raises(DataError) as refused:
        check_columns(schema, bad)
    assert "missing a column the model needs: 'contract'" in str(refused.value)
    assert "a column that should hold numbers holds text: 'tenure_months'" in str(refused.value)


def test_numbers_written_as_text_still_fit(churn, fitted):
    _, schema = fitted
    as_text = (
        churn.drop(columns=["churn"])
        .head(5)
        .assign(monthly_charges=lambda f: f["monthly_charges"].map("${:,.2f}".format))
    )
    assert check_columns(schema, as_text) == ["Not used by the model, ignored: customer_id."]


def test_numbers_written_as_text_are_read_as_numbers_before_the_model_sees_them(churn, fitted):
    model, schema = fitted
    as_text = churn.drop(columns=["churn"]).head(5)
    as_text["monthly_charges"] = as_text["monthly_charges"].map("${:,.2f}".format)
    scored = predict_table(model, as_text, schema)
    plain = predict_table(model, churn.drop(columns=["churn"]).head(5), schema)
    assert scored["probability yes"].round(6).tolist() == plain["probability yes"].round(6).tolist()
