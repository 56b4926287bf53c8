import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from pipeline_core.compare.leaderboard import leaderboard, so_far
from pipeline_core.errors import DataError, SpecError
from pipeline_core.model_files import load_model
from pipeline_core.prepare.build import build_pipeline
from pipeline_core.schema import feature_schema
from pipeline_core.spec import ModelSpec, PipelineSpec, default_spec
from pipeline_core.train.results import SilentObserver, best
from pipeline_core.train.supervised import _Progress, train

FAST_FOREST = {"kind": "random_forest", "params": {"n_estimators": 20}}


def _spec(target: str, task: str, models: list[dict], **changes) -> PipelineSpec:
    base = default_spec(target=target, task=task)
    return PipelineSpec.from_dict(base.model_dump() | {"models": models} | changes)


class Recorder(SilentObserver):
    def __init__(self, stop_after: int | None = None):
        self.progress, self.finished, self.stop_after = [], [], stop_after

    def on_start(self, n_train, n_test):
        self.split = (n_train, n_test)

    def on_progress(self, done, total, message):
        self.progress.append((done, total, message))

    def should_stop(self):
        return self.stop_after is not None and len(self.progress) > self.stop_after

    def on_model_finished(self, result):
        self.finished.append(result.key)

    def on_fold_scores(self, scores):
        self.so_far = scores


def test_classification_trains_every_model_plus_the_baseline_with_honest_scores(churn):
    recorder = Recorder()
    spec = _spec("churn", "classification", [{"kind": "logistic_regression"}, FAST_FOREST])
    result = train(spec, churn, observer=recorder)

    assert result.status == "succeeded"
    assert [m.key for m in result.models] == ["dummy", "logistic_regression", "random_forest"]
    assert sorted(recorder.finished) == ["dummy", "logistic_regression", "random_forest"]
    assert result.n_train + result.n_test == len(churn) and result.n_test == 60
    for model in result.models:
        assert model.status == "succeeded"
        assert all(len(scores) == 5 for scores in model.cv_scores.values())
        assert set(model.test_scores) == {"balanced_accuracy", "accuracy", "f1", "precision", "recall", "roc_auc"}
        assert model.curves.roc.fpr[0] == 0 and model.curves.roc.tpr[-1] == 1
    dummy, logistic = result.models[0], result.models[1]
    assert np.mean(dummy.cv_scores["balanced_accuracy"]) == pytest.approx(0.5)
    assert np.mean(logistic.cv_scores["roc_auc"]) > 0.7  # the churn table has real signal
    # told at the start, once per prepared fold, then once per model and fold and each final fit; all done at the end
    assert len(recorder.progress) == 1 + 6 + 3 * 6
    assert recorder.progress[0][0] == 0 and recorder.progress[-1][0] == recorder.progress[-1][1]
    for model in result.models:  # the scores told as the folds ended are the run's, fold for fold
        assert sorted(recorder.so_far[model.label]) == sorted(model.cv_scores[spec.ranking_metric])


def test_regression_reports_r2_rmse_mae_and_predicted_vs_actual(diabetes):
    result = train(_spec("progression", "regression", [{"kind": "ridge"}]), diabetes)
    ridge = next(m for m in result.models if m.key == "ridge")
    assert set(ridge.test_scores) == {"r2", "rmse", "mae"}
    assert np.mean(ridge.cv_scores["r2"]) > 0.3
    assert len(ridge.curves.actual_predicted.actual) == len(ridge.curves.actual_predicted.predicted) == result.n_test
    assert best(result.models, "rmse").key == "ridge"


def test_the_same_seed_gives_the_same_scores(iris):
    spec = _spec("species", "classification", [FAST_FOREST])
    first, second = train(spec, iris), train(spec, iris, n_jobs=1)
    assert [m.cv_scores for m in first.models] == [m.cv_scores for m in second.models]


def test_a_failing_model_is_marked_failed_and_the_others_finish(churn):
    # Without imputation, logistic regression cannot take the NaNs; gradient boosting handles them natively.
    spec = _spec(
        "churn",
        "classification",
        [{"kind": "logistic_regression"}, {"kind": "hist_gradient_boosting"}],
        preprocessing={"numeric": [], "categorical": [{"kind": "categorical_imputer"}, {"kind": "ordinal_encoder"}]},
    )
    models = {m.key: m for m in train(spec, churn).models}
    assert models["logistic_regression"].status == "failed"
    assert "NaN" in models["logistic_regression"].error
    assert models["logistic_regression"].model_file is None
    assert models["hist_gradient_boosting"].status == "succeeded"
    board = leaderboard(list(models.values()), "balanced_accuracy")
    assert board["Model"].tolist()[-1] == "Logistic regression" and board["#"].tolist()[-1] == "–"


def test_cancel_keeps_finished_models_and_stops_the_rest(churn):
    recorder = Recorder(stop_after=2)
    spec = _spec("churn", "classification", [{"kind": "logistic_regression"}, FAST_FOREST])
    result = train(spec, churn, observer=recorder, n_jobs=1)
    assert result.status == "cancelled"
    assert len(recorder.progress) < 3 * 6
    assert any(m.status == "cancelled" and m.model_file is None for m in result.models)


def test_trained_model_file_predicts_new_rows(churn):
    result = train(_spec("churn", "classification", [{"kind": "logistic_regression"}]), churn)
    model = load_model(next(m for m in result.models if m.key == "logistic_regression").model_file)
    assert set(model.predict(churn.drop(columns="churn").tail(10))) <= {"yes", "no"}


@pytest.mark.parametrize(
    ("frame", "task", "message"),
    [
        (pd.DataFrame({"x": range(40), "y": ["a"] * 40}), "classification", "has only one class ('a')"),
        (pd.DataFrame({"x": range(40), "y": ["a", "b"] * 20}), "regression", "Regression needs a numeric target"),
        (pd.DataFrame({"x": range(40), "y": [1.0, None] * 20}), "regression", "has 20 missing value(s)"),
        (pd.DataFrame({"x": range(40), "y": ["a"] * 38 + ["b"] * 2}), "classification", "has only 2 row(s)"),
        (pd.DataFrame({"x": range(10), "y": [0.5] * 10}), "regression", "Only 10 rows"),
        (
            pd.DataFrame({"x": range(300), "y": [f"id{i}" for i in range(300)]}),
            "classification",
            "has 300 different values in 300 rows: that looks like an identifier",
        ),
    ],
)
def test_untrainable_targets_are_refused_before_any_fit(frame, task, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        train(_spec("y", task, []), frame)


def test_missing_target_rows_can_be_dropped_by_a_row_step():
    frame = pd.DataFrame({"x": np.arange(60.0), "y": [1.0, 2.0, None] * 20})
    spec = _spec("y", "regression", [{"kind": "ridge"}])
    spec = PipelineSpec.from_dict(
        spec.model_dump() | {"data": spec.data.model_dump() | {"row_steps": ["drop_missing_target"]}}
    )
    result = train(spec, frame)
    assert result.n_train + result.n_test == 40


def test_categorical_columns_without_an_encoder_are_refused(churn):
    spec = _spec("churn", "classification", [], preprocessing={"categorical": [{"kind": "categorical_imputer"}]})
    with pytest.raises(SpecError, match="need a step that turns them into numbers"):
        train(spec, churn)


def test_everything_fitted_lives_inside_the_one_pipeline(churn):
    spec = _spec("churn", "classification", [])
    pipeline = build_pipeline(spec, churn, ModelSpec(kind="logistic_regression"))
    assert [name for name, _ in pipeline.steps] == ["preprocess", "model"]
    numeric = {name: steps for name, steps, _ in pipeline.named_steps["preprocess"].transformers}["numeric"]
    assert [name for name, _ in numeric.steps] == ["numeric_imputer", "standard_scaler"]


@pytest.mark.parametrize(
    "categorical",
    [None, [{"kind": "categorical_imputer"}, {"kind": "target_encoder"}]],
    ids=["default", "target_encoding"],
)
def test_cv_scores_equal_scikit_learns_own_cross_validation_of_the_whole_pipeline(churn, categorical):
    """Preparation is refit inside every fold (a target encoder cross-fitting its training rows): exactly
    what cross_val_score does with the whole pipeline, though each fold's preparation is shared by models."""
    spec = _spec("churn", "classification", [{"kind": "random_forest", "params": {"n_estimators": 30}}])
    if categorical:
        spec = PipelineSpec.from_dict(
            spec.model_dump() | {"preprocessing": spec.preprocessing.model_dump() | {"categorical": categorical}}
        )
    ours = next(m for m in train(spec, churn).models if m.key == "random_forest").cv_scores
    schema = feature_schema(spec, churn)
    X_train, _, y_train, _ = train_test_split(
        churn[list(schema)], churn["churn"], test_size=0.2, random_state=42, stratify=churn["churn"]
    )
    pipeline = build_pipeline(spec, churn, spec.models[0])
    folds = StratifiedKFold(5, shuffle=True, random_state=42)
    theirs = cross_val_score(pipeline, X_train, y_train, cv=folds, scoring="balanced_accuracy")
    assert ours["balanced_accuracy"] == pytest.approx(theirs.tolist())


def test_true_false_columns_train_with_every_model(churn):
    frame = churn.assign(senior=churn["senior_citizen"] == "yes")
    assert frame["senior"].dtype == bool
    spec = _spec("churn", "classification", [{"kind": "logistic_regression"}, {"kind": "hist_gradient_boosting"}])
    spec = PipelineSpec.from_dict(
        spec.model_dump() | {"data": spec.data.model_dump() | {"column_types": {"senior": "boolean"}}}
    )
    assert all(m.status == "succeeded" for m in train(spec, frame).models)


def test_a_primary_metric_of_the_other_task_is_refused():
    with pytest.raises(SpecError, match="the metric 'r2' does not rank classification models"):
        _spec("y", "classification", [], evaluation={"primary_metric": "r2"})


def test_more_classes_than_test_rows_is_refused_before_any_fit():
    frame = pd.DataFrame({"x": np.arange(120.0), "y": [f"c{i % 20}" for i in range(120)]})
    spec = _spec("y", "classification", [], evaluation={"test_size": 0.05, "cv_folds": 2})
    with pytest.raises(DataError, match="has 20 classes but the held-out test split has only 6 rows"):
        train(spec, frame)


def test_balanced_class_weights_help_the_rare_class():
    rng = np.random.default_rng(1)
    x = rng.normal(size=600)
    frame = pd.DataFrame({"x": x, "y": np.where(x + rng.normal(scale=0.8, size=600) > 1.6, "rare", "common")})
    scores = {}
    for weight in ("none", "balanced"):
        spec = _spec("y", "classification", [{"kind": "logistic_regression", "params": {"class_weight": weight}}])
        model = next(m for m in train(spec, frame).models if m.key == "logistic_regression")
        scores[weight] = np.mean(model.cv_scores["balanced_accuracy"])
    assert scores["balanced"] > scores["none"] + 0.05


def test_target_encoding_inside_the_pipeline_does_not_leak_noise_into_the_scores():
    """Target-encoded on all rows first, a pure-noise code with many levels looks predictive; fitted inside
    each fold (and cross-fitted), as the pipeline does, it stays at chance."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"code": rng.integers(0, 150, 400).astype(str), "y": rng.choice(["a", "b"], 400)})
    spec = _spec(
        "y",
        "classification",
        [{"kind": "logistic_regression"}],
        preprocessing={"numeric": [], "categorical": [{"kind": "target_encoder"}]},
        data={"target": "y", "task": "classification", "column_types": {"code": "categorical"}},
    )
    honest = next(m for m in train(spec, frame).models if m.key == "logistic_regression")
    assert np.mean(honest.cv_scores["roc_auc"]) < 0.6

    leaky = frame.assign(code=frame.groupby("code")["y"].transform(lambda s: (s == "b").mean()))
    naive = cross_val_score(LogisticRegression(), leaky[["code"]], leaky["y"], cv=5, scoring="roc_auc")
    assert naive.mean() > 0.7  # the same noise, encoded with every row's own label, looks like signal


def test_row_filters_decide_the_rows_before_the_split(churn):
    spec = _spec(
        "churn",
        "classification",
        [],
        data={
            "target": "churn",
            "task": "classification",
            "filters": [{"column": "tenure_months", "operator": "ge", "value": 12}],
        },
    )
    result = train(spec, churn)
    assert result.n_train + result.n_test == (churn["tenure_months"] >= 12).sum()


def test_a_tuned_threshold_trades_precision_for_recall_and_ships_with_the_model(churn):
    spec = _spec("churn", "classification", [{"kind": "logistic_regression"}])
    plain = train(spec, churn).models[1]
    tuned_spec = PipelineSpec.from_dict(
        spec.model_dump() | {"evaluation": spec.evaluation.model_dump() | {"tune_threshold": True}}
    )
    tuned = train(tuned_spec, churn).models[1]
    threshold = tuned.curves.tuned_threshold
    assert 0 < threshold < 0.5  # churners are the rarer class: balanced accuracy wants a lower bar
    assert np.mean(tuned.cv_scores["recall"]) > np.mean(plain.cv_scores["recall"])
    assert np.mean(tuned.cv_scores["balanced_accuracy"]) > np.mean(plain.cv_scores["balanced_accuracy"])
    shipped = load_model(tuned.model_file)
    assert shipped.named_steps["model"].threshold == threshold
    assert len(tuned.curves.thresholds.threshold) == len(tuned.curves.thresholds.recall) > 10


def test_threshold_tuning_is_refused_for_several_classes_or_a_threshold_free_metric(iris):
    spec = _spec("species", "classification", [{"kind": "logistic_regression"}])
    evaluation = spec.evaluation.model_dump() | {"tune_threshold": True}
    with pytest.raises(DataError, match="Threshold tuning is for two classes; 'species' has 3"):
        train(PipelineSpec.from_dict(spec.model_dump() | {"evaluation": evaluation}), iris)
    with pytest.raises(SpecError, match="ROC AUC does not"):
        PipelineSpec.from_dict(spec.model_dump() | {"evaluation": evaluation | {"primary_metric": "roc_auc"}})


def test_learning_curves_refit_on_growing_shares_of_the_training_rows(churn):
    spec = _spec("churn", "classification", [{"kind": "logistic_regression"}])
    spec = PipelineSpec.from_dict(
        spec.model_dump() | {"evaluation": spec.evaluation.model_dump() | {"learning_curve": True}}
    )
    result = train(spec, churn)
    logistic = result.models[1]
    assert logistic.curves.learning.rows == [24, 60, 120, 180, 240]
    assert len(logistic.curves.learning.test) == 5
    # fitted on every training row, the last point is the test score itself
    assert logistic.curves.learning.test[-1] == pytest.approx(logistic.test_scores[result.primary_metric])


def test_progress_weighs_each_models_tasks_by_the_seconds_its_fits_take():
    recorder = Recorder()
    progress = _Progress(recorder, {_Progress.PREPARING: 0, "baseline": 4, "forest": 4})
    for fold in range(4):
        progress.step("baseline", 0.01, f"baseline fold {fold}")
    progress.step("forest", 1.0, "forest fold 0")
    done, total, _ = recorder.progress[-1]
    # 5 of 8 tasks, but the forest's three left take a second each: about a quarter of the work is done
    assert done / total == pytest.approx(1.04 / 4.04)


def test_scores_so_far_rank_the_models_and_show_a_spread_only_from_two_folds():
    board = so_far({"A": [0.85], "B": [0.7, 0.9], "C": []}, "roc_auc")
    assert board.to_dict("records") == [
        {"Model": "A", "Folds done": 1, "CV ROC AUC so far": "0.850"},  # one fold: no '± 0.000'
        {"Model": "B", "Folds done": 2, "CV ROC AUC so far": "0.800 ± 0.141"},
        {"Model": "C", "Folds done": 0, "CV ROC AUC so far": "–"},
    ]
