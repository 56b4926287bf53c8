"""Explanations as scikit-learn, shap and arithmetic give them: partial dependence of a linear model is its slope,
what a value adds is its coefficient times its distance from typical rows, and the what-if prediction is the
model's."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder

from pipeline_core.compare import explain

RNG = np.random.default_rng(0)
N = 400
ROWS = pd.DataFrame({"size": RNG.uniform(0, 10, N), "age": RNG.uniform(0, 5, N), "city": RNG.choice(list("abc"), N)})
PRICE = 3 * ROWS["size"] - 2 * ROWS["age"] + ROWS["city"].map({"a": 0, "b": 5, "c": 10}) + RNG.normal(0, 0.1, N)
SCHEMA = {"size": "numeric", "age": "numeric", "city": "categorical"}


def _pipeline(model):
    encode = make_column_transformer((OneHotEncoder(), ["city"]), remainder="passthrough")
    return make_pipeline(encode, model)


def test_the_partial_dependence_of_a_linear_model_is_its_slope_and_its_rows_move_alike():
    model = _pipeline(LinearRegression()).fit(ROWS, PRICE)
    found = explain.dependence(model, ROWS, "size", SCHEMA, "price")
    slope = np.diff(found.average) / np.diff(found.grid)
    assert slope == pytest.approx(3, abs=0.01) and found.output == "predicted price" and not found.categorical
    assert np.ptp(np.diff(np.asarray(found.rows), axis=1), axis=0).max() < 1e-9  # parallel lines: no interaction
    by_city = explain.dependence(model, ROWS, "city", SCHEMA, "price")
    assert by_city.categorical and by_city.grid == ["a", "b", "c"]
    assert np.diff(by_city.average) == pytest.approx([5, 5], abs=0.1)


def test_what_a_value_adds_is_its_coefficient_times_its_distance_from_typical_rows():
    model = make_pipeline(LinearRegression()).fit(ROWS[["size", "age"]], PRICE)
    row = pd.DataFrame({"size": [9.0], "age": [1.0]})
    found = explain.contributions(model, row, ROWS[["size", "age"]])
    typical = ROWS.sample(explain.BACKGROUND_ROWS, random_state=0)
    coefficients = model[-1].coef_
    assert found.value == pytest.approx(model.predict(row)[0]) == pytest.approx(explain.predicted(model, row))
    assert found.average == pytest.approx(model.predict(typical[["size", "age"]]).mean())
    assert found.parts["size"] == pytest.approx(coefficients[0] * (9.0 - typical["size"].mean()))
    assert found.parts["age"] == pytest.approx(coefficients[1] * (1.0 - typical["age"].mean()))


def test_a_classifier_is_explained_by_the_probability_of_its_positive_class():
    churned = np.where(ROWS["age"] > 2.5, "yes", "no")
    model = _pipeline(LogisticRegression()).fit(ROWS, churned)
    found = explain.dependence(model, ROWS, "age", SCHEMA, "churned")
    assert found.output == "probability of yes" and found.average[-1] > 0.9 > 0.1 > found.average[0]
    found = explain.contributions(model, ROWS.head(1), ROWS)  # a text column among them, coded for shap
    assert explain.output_name(model, "churned", ROWS.head(1)) == "probability of yes"
    assert found.value == pytest.approx(model.predict_proba(ROWS.head(1))[0, 1])  # the shares add up
    assert max(found.parts, key=lambda c: abs(found.parts[c])) == "age"
