"""Explanations as scikit-learn, shap and arithmetic give them: partial dependence of a linear model is its slope,
what a value adds is its coefficient times its distance from typical rows, and the what-if prediction is the
model's."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

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
    output = explain.output_of(model, "price", ROWS)
    found = explain.dependence(model, ROWS, "size", SCHEMA, output)
    slope = np.diff(found.average) / np.diff(found.grid)
    assert slope == pytest.approx(3, abs=0.01) and found.output == "predicted price" and not found.categorical
    assert np.ptp(np.diff(np.asarray(found.rows), axis=1), axis=0).max() < 1e-9  # parallel lines: no interaction
    by_city = explain.dependence(model, ROWS, "city", SCHEMA, output)
    assert by_city.categorical and sorted(by_city.grid) == ["a", "b", "c"]
    by_level = dict(zip(by_city.grid, by_city.average, strict=True))
    assert [by_level["b"] - by_level["a"], by_level["c"] - by_level["b"]] == pytest.approx([5, 5], abs=0.1)


def test_what_a_value_adds_is_its_coefficient_times_its_distance_from_typical_rows():
    model = make_pipeline(LinearRegression()).fit(ROWS[["size", "age"]], PRICE)
    row = pd.DataFrame({"size": [9.0], "age": [1.0]})
    output = explain.output_of(model, "price", row)
    found = explain.contributions(model, row, ROWS[["size", "age"]], output)
    typical = ROWS.sample(explain.BACKGROUND_ROWS, random_state=0)
    coefficients = model[-1].coef_
    assert found.value == pytest.approx(model.predict(row)[0]) == pytest.approx(explain.outputs(model, row, output)[0])
    assert found.average == pytest.approx(model.predict(typical[["size", "age"]]).mean())
    assert found.parts["size"] == pytest.approx(coefficients[0] * (9.0 - typical["size"].mean()))
    assert found.parts["age"] == pytest.approx(coefficients[1] * (1.0 - typical["age"].mean()))


def test_a_classifier_is_explained_by_the_probability_of_its_positive_class_and_gaps_are_no_point_on_the_grid():
    churned = np.where(ROWS["age"] > 2.5, "yes", "no")
    model = _pipeline(LogisticRegression()).fit(ROWS, churned)
    output = explain.output_of(model, "churned", ROWS)
    found = explain.dependence(model, ROWS, "age", SCHEMA, output)
    assert found.output == "probability of yes" and found.average[-1] > 0.9 > 0.1 > found.average[0]
    row = ROWS.head(1)
    shares = explain.contributions(model, row, ROWS, explain.output_of(model, "churned", row))  # text coded for shap
    assert shares.value == pytest.approx(model.predict_proba(row)[0, 1])  # the shares add up
    assert max(shares.parts, key=lambda c: abs(shares.parts[c])) == "age"
    gaps = ROWS.assign(
        city=ROWS["city"].astype("str").where(RNG.random(N) > 0.2), age=ROWS["age"].where(RNG.random(N) > 0.2)
    )
    filled = make_pipeline(
        make_column_transformer(
            (make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder()), ["city"]),
            (SimpleImputer(), ["size", "age"]),
        ),
        LogisticRegression(),
    ).fit(gaps, churned)
    for column in ("city", "age"):  # a missing value is not a point of the grid, nor does it empty it
        drawn = explain.dependence(filled, gaps, column, SCHEMA, explain.output_of(filled, "churned", gaps))
        assert drawn.grid and not pd.isna(drawn.grid).any() and np.isfinite(drawn.average).all()


def test_a_classifier_without_probabilities_is_explained_by_its_score():
    churned = np.where(ROWS["age"] > 2.5, "yes", "no")
    model = _pipeline(LinearSVC()).fit(ROWS, churned)
    output = explain.output_of(model, "churned", ROWS)
    assert output.name == "score for yes"
    found = explain.dependence(model, ROWS, "age", SCHEMA, output)
    assert found.average[-1] > 0 > found.average[0]
    row = ROWS.head(1)
    assert explain.contributions(model, row, ROWS, output).value == pytest.approx(model.decision_function(row)[0])
