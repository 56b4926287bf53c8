"""The speed levers that change what a run does: racing, time budgets, encoding by number of levels."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from pipeline_core.compare import charts
from pipeline_core.compare.leaderboard import leaderboard
from pipeline_core.prepare.build import preview
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.results import SilentObserver, cv_mean, folds_done
from pipeline_core.train.supervised import train

LOGISTIC = {"kind": "logistic_regression"}
STUMP = {"kind": "decision_tree", "params": {"max_depth": 1}}  # one split: far behind on a table of 6 signals
SLOW_FOREST = {"kind": "random_forest", "params": {"n_estimators": 1000}}


def _table(n_rows: int) -> pd.DataFrame:
    X, y = make_classification(n_samples=n_rows, n_features=10, n_informative=6, flip_y=0.02, random_state=0)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(10)]).assign(label=np.where(y, "yes", "no"))


def _spec(models: list[dict], target: str = "label", preprocessing: dict | None = None, **evaluation) -> PipelineSpec:
    base = default_spec(target=target, task="classification").model_dump()
    base["evaluation"] |= evaluation
    base["preprocessing"] |= preprocessing or {}
    return PipelineSpec.from_dict(base | {"models": models})


def _by_key(result) -> dict:
    return {model.key: model for model in result.models}


def test_racing_stops_a_clearly_worse_model_and_keeps_a_close_one():
    close_twin = {"kind": "logistic_regression", "params": {"C": 0.5}}
    result = train(_spec([LOGISTIC, close_twin, STUMP]), _table(1500))
    models = _by_key(result)

    stump = models["decision_tree"]
    assert stump.status == "stopped"
    assert folds_done(stump) == 3 and stump.cv_scores["roc_auc"][3:] == [None, None]  # after 2 folds p was 0.08
    assert stump.error.startswith("stopped after 3 of 5 folds: behind Logistic regression")
    assert "ROC AUC (p = 0.0" in stump.error
    for key in ("logistic_regression", "logistic_regression_2"):  # within a hair of each other: both go on
        assert models[key].status == "succeeded" and folds_done(models[key]) == 5
    board = leaderboard(result.models, "roc_auc").set_index("Model")
    assert board.loc["Decision tree", "Folds"] == "3 of 5" and board.loc["Decision tree", "Status"] == "stopped"
    assert board.loc["Decision tree", "#"] != "–"  # scored on its folds, so ranked


def test_the_race_decides_the_same_in_this_process_and_in_two_workers():
    # In two workers the quick models finish all their folds while the forest is on its first: the race must
    # still judge each fold on every model's first folds, as one process does fold by fold.
    models = [LOGISTIC, STUMP, {"kind": "naive_bayes"}, {"kind": "random_forest", "params": {"n_estimators": 300}}]
    spec, table = _spec(models), _table(1500)

    def decided(n_jobs: int) -> dict:
        return {m.key: (m.status, m.error, m.cv_scores["roc_auc"]) for m in train(spec, table, n_jobs=n_jobs).models}

    alone = decided(1)
    assert alone["decision_tree"][0] == "stopped" and alone["random_forest"][0] == "succeeded"
    assert decided(2) == alone


class _CancelWhenFinished(SilentObserver):
    """Asks to stop as soon as the given model's final fit is done."""

    def __init__(self, label: str) -> None:
        self.label, self.stop = label, False

    def on_progress(self, done: int, total: int, message: str) -> None:
        self.stop = self.stop or message == f"{self.label}: final fit and test done"

    def should_stop(self) -> bool:
        return self.stop


def test_a_cancel_keeps_a_model_that_went_the_whole_way_while_the_race_still_judged_another():
    # In two workers logistic regression finishes every fold and its final fit while the forest is on its first
    # folds: it waits for the race's judgement, and a cancel then must keep it as finished.
    observer = _CancelWhenFinished("Logistic regression")
    result = train(_spec([LOGISTIC, SLOW_FOREST]), _table(4000), n_jobs=2, observer=observer)
    models = _by_key(result)
    assert result.status == "cancelled" and models["random_forest"].status == "cancelled"
    assert models["logistic_regression"].status == "succeeded" and models["logistic_regression"].test_scores


def test_without_racing_every_model_gets_every_fold():
    result = train(_spec([LOGISTIC, STUMP], racing=False), _table(1500))
    assert all(model.status == "succeeded" and folds_done(model) == 5 for model in result.models)


def test_a_model_over_its_budget_is_stopped_with_its_finished_folds():
    # A small table trains in this process: the forest's first fold runs to its end, then the budget stops it.
    result = train(_spec([SLOW_FOREST], model_seconds=1, racing=False), _table(4000))
    forest = _by_key(result)["random_forest"]
    assert forest.status == "stopped" and forest.error == "stopped after 1 of 5 folds: over its time budget"
    assert forest.cv_scores["roc_auc"][0] > 0.8 and forest.cv_scores["roc_auc"][1:] == [None] * 4
    assert result.status == "failed" and result.error.startswith("No model went the whole way. Random forest: stop")


def test_a_fit_past_its_budget_is_ended_mid_way_in_its_worker():
    result = train(_spec([LOGISTIC, SLOW_FOREST], model_seconds=1, racing=False), _table(4000), n_jobs=2)
    forest, logistic = _by_key(result)["random_forest"], _by_key(result)["logistic_regression"]
    # no fold of a thousand trees on 2,560 rows ends within a second: only ending the fit stops it this early
    assert forest.status == "stopped"
    assert forest.error == "stopped after 0 of 5 folds: over its time budget of 1 s"
    assert logistic.status == "succeeded" and folds_done(logistic) == 5 and logistic.model_file
    for chart in (charts.metric_bars(result.models, "roc_auc"), charts.fold_scores(result.models, "roc_auc")):
        assert "Random forest" not in str(chart.data)  # no fold scored: nothing to draw, and nothing breaks


def _city_table(n_rows: int = 6000, n_cities: int = 100) -> pd.DataFrame:
    """Churn driven by a city of 100 (each with its own rate, 60 rows apiece) and one numeric column."""
    rng = np.random.default_rng(0)
    city = rng.integers(0, n_cities, n_rows)
    rate = rng.uniform(-2.5, 2.5, n_cities)[city]
    tenure = rng.normal(size=n_rows)
    churned = rng.random(n_rows) < 1 / (1 + np.exp(-(rate - tenure)))
    return pd.DataFrame({"city": [f"c{c}" for c in city], "tenure": tenure, "churn": np.where(churned, "yes", "no")})


def test_many_levels_get_target_encoding_and_score_at_least_as_well_as_one_hot():
    table = _city_table()
    by_levels = _spec([LOGISTIC], target="churn")
    onehot = _spec(
        [LOGISTIC],
        target="churn",
        preprocessing={"categorical": [{"kind": "categorical_imputer"}, {"kind": "onehot_encoder"}]},
    )
    columns = list(preview(by_levels, table).columns)
    assert "city" in columns and len(columns) == 2  # one target-encoded column, not 100 one-hot ones

    scores = {
        name: cv_mean(_by_key(train(spec, table))["logistic_regression"], "roc_auc")
        for name, spec in {"levels": by_levels, "onehot": onehot}.items()
    }
    assert scores["levels"] >= scores["onehot"] - 0.002 and scores["levels"] > 0.8


@pytest.mark.parametrize(("n_cities", "encoded"), [(10, 10), (400, 50)])
def test_few_levels_and_too_few_rows_per_level_stay_one_hot(n_cities, encoded):
    table = _city_table(n_rows=6000, n_cities=n_cities)  # 600 rows per city; 15 per city
    columns = list(preview(_spec([LOGISTIC], target="churn"), table).columns)
    assert (
        len([c for c in columns if c.startswith("city_")]) == encoded
    )  # 400 levels: 49 most frequent, one for the rest
