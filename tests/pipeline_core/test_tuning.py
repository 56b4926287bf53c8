"""Tuning: search spaces from the catalog, four methods, nested scoring, budgets."""

import time

import numpy as np
import pandas as pd
import pytest

from pipeline_core.catalog import MODELS
from pipeline_core.errors import SpecError
from pipeline_core.model_files import load_model
from pipeline_core.spec import ModelSpec, PipelineSpec, default_spec
from pipeline_core.train.supervised import train
from pipeline_core.train.tuning import TunedModel, candidates_for, inner_folds


@pytest.mark.parametrize("kind", [k for k in MODELS.values() if k.tunable()], ids=lambda k: k.key)
def test_each_tuning_space_samples_parameters_the_catalog_accepts_and_builds(kind):
    space = kind.validate_space({})
    for method in ("random", "grid"):
        for candidate in candidates_for(kind.key, {"method": method, "trials": 12, "space": space}, seed=0)[:30]:
            params = kind.validate_params(candidate)  # raises on anything outside the parameter's limits
            for task in kind.tasks:
                kind.build(params, task, 0)


def _model(kind: str, tuning: dict) -> ModelSpec:
    data = {"target": "y", "task": "regression" if kind == "linear_regression" else "classification"}
    return PipelineSpec.from_dict({"data": data, "models": [{"kind": kind, "tuning": tuning}]}).models[0]


def test_kinds_without_parameters_to_tune_and_bad_ranges_are_refused():
    with pytest.raises(SpecError, match="has no parameters to tune"):
        _model("linear_regression", {})
    with pytest.raises(SpecError, match="cannot tune 'max_iter'"):
        _model("logistic_regression", {"space": {"max_iter": [100, 200]}})
    with pytest.raises(SpecError, match="Search range of 'C'"):
        _model("logistic_regression", {"space": {"C": [0.0, 10.0]}})
    with pytest.raises(SpecError, match="low ≤ high"):
        _model("random_forest", {"space": {"n_estimators": [300, 100]}})
    narrowed = _model("random_forest", {"space": {"n_estimators": [20, 40]}})
    assert narrowed.tuning.space["n_estimators"] == [20, 40] and narrowed.tuning.space["min_samples_leaf"] == [1, 20]


def _tuned(frame, target, method, **tuning):
    roles = {"customer_id": "id"} if "customer_id" in frame else {}
    spec = default_spec(target=target, task="classification", roles=roles)
    model = {"kind": "decision_tree", "tuning": {"method": method, "trials": 8} | tuning}
    return PipelineSpec.from_dict(spec.model_dump() | {"models": [model]})


@pytest.mark.parametrize("method", ["optuna", "random", "halving", "grid"])
def test_every_method_tunes_inside_each_fold_and_exports_the_plain_best_model(method, churn):
    result = train(_tuned(churn, "churn", method), churn)
    tree = result.models[1]
    assert tree.status == "succeeded" and len(tree.cv_scores["roc_auc"]) == 5
    tuning = tree.curves.tuning
    assert tuning.method == method and tuning.best_params.keys() == {"max_depth", "class_weight"}
    assert len(tuning.trials) == (8 if method != "grid" else 6)  # grid: 3 depths × 2 weightings
    model = load_model(tree.model_file).named_steps["model"]  # trusted types only: no search object inside
    assert type(model).__name__ == "DecisionTreeClassifier"
    assert model.max_depth == tuning.best_params["max_depth"]


def test_each_outer_fold_runs_its_own_search_on_its_training_rows_only(churn, monkeypatch):
    searched = []
    original = TunedModel.fit

    def spy(self, X, y):
        searched.append(len(X))
        return original(self, X, y)

    monkeypatch.setattr(TunedModel, "fit", spy)
    train(_tuned(churn, "churn", "random"), churn, n_jobs=1)  # in this process, so the spy sees every search
    assert sorted(searched) == [192] * 5 + [240]  # five outer training folds, then the whole training part


def test_tuning_finds_no_signal_in_noise(churn):
    rng = np.random.default_rng(3)
    noise = pd.DataFrame(rng.normal(size=(300, 8)), columns=[f"x{i}" for i in range(8)])
    noise["label"] = rng.choice(["a", "b"], 300)
    tree = train(_tuned(noise, "label", "random", trials=25), noise).models[1]
    assert abs(np.mean(tree.cv_scores["balanced_accuracy"]) - 0.5) < 0.08


def test_optuna_stops_at_its_time_budget(churn):
    X = pd.get_dummies(churn.drop(columns=["churn", "customer_id"]), dtype=float).fillna(0)
    search = TunedModel(
        "random_forest",
        "classification",
        0,
        {},
        {
            "method": "optuna",
            "trials": 500,
            "seconds": 5,
            "space": MODELS["random_forest"].validate_space({}),
            "inner_folds": 3,
        },
        "roc_auc",
        "macro",
    )
    start = time.monotonic()
    search.fit(X, churn["churn"])
    assert time.monotonic() - start < 15 and len(search.trials_) < 500


def test_a_tuned_model_can_have_its_threshold_tuned_too(churn):
    spec = _tuned(churn, "churn", "random")
    spec = PipelineSpec.from_dict(
        spec.model_dump() | {"evaluation": spec.evaluation.model_dump() | {"tune_threshold": True}}
    )
    tree = train(spec, churn).models[1]
    assert tree.status == "succeeded", tree.error
    assert 0 < tree.curves.tuned_threshold < 1 and tree.curves.tuning.best_params


def test_searches_under_a_time_series_scheme_validate_on_later_rows_only():
    for fit, valid in inner_folds("classification", "time_series", 3, 0).split(np.arange(90)):
        assert fit.max() < valid.min()
