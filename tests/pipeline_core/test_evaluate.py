"""Predictions read once: labels taken from the probabilities must be the labels the model predicts."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.neighbors import KNeighborsClassifier

from pipeline_core.catalog import get_model
from pipeline_core.catalog.metrics import Predictions
from pipeline_core.train.evaluate import LABELS_FROM_PROBA, predict, score_all


@pytest.mark.parametrize("kind", ["random_forest", "extra_trees", "knn", "decision_tree", "hist_gradient_boosting"])
@pytest.mark.parametrize("load", [load_iris, load_breast_cancer])
def test_labels_read_off_the_probabilities_are_the_models_own(kind, load):
    X, y = load(return_X_y=True)
    kind = get_model(kind)
    model = kind.build(kind.defaults(), "classification", 0).fit(X[::2], y[::2])
    assert isinstance(model, LABELS_FROM_PROBA)
    assert np.array_equal(predict(model, X[1::2], y[1::2]).y_pred, model.predict(X[1::2]))


def test_tied_neighbours_give_the_same_label_both_ways():
    X, y = load_iris(return_X_y=True)
    model = KNeighborsClassifier(n_neighbors=4).fit(X[::3], y[::3])  # an even vote: two against two happens
    proba = model.predict_proba(X)
    assert (np.sort(proba, axis=1)[:, -1] == np.sort(proba, axis=1)[:, -2]).any()
    assert np.array_equal(predict(model, X, y).y_pred, model.predict(X))


def test_scores_of_text_labels_equal_those_of_the_same_labels_as_numbers():
    X, y = load_breast_cancer(return_X_y=True)
    kind = get_model("naive_bayes")
    as_numbers = predict(kind.build(kind.defaults(), "classification", 0).fit(X[::2], y[::2]), X[1::2], y[1::2])
    words = np.array(["malignant", "benign"], dtype=object)  # a renaming that reverses the classes' order
    as_text = Predictions(
        words[as_numbers.y_true], words[as_numbers.y_pred], as_numbers.proba[:, ::-1], ("benign", "malignant")
    )
    assert score_all("classification", as_text) == pytest.approx(score_all("classification", as_numbers), abs=1e-12)
    unseen = replace(as_text, y_true=np.array(["other"] * len(as_text.y_true), dtype=object))
    assert score_all("classification", unseen)["accuracy"] == 0.0  # a label the model never saw: scored as it is
