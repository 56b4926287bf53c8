"""The Compare page: significance in plain words, every chart, and runs side by side."""

from tests.ui.conftest import ask_for_importance, load_sample, open_page, rerun_until, train_here, train_sample


def _train(app, models: list[str], seed: int = 42):
    open_page(app, "3_Train")
    app.multiselect(key="models.classification").set_value(models).run()
    app.number_input(key="seed").set_value(seed).run()
    train_here(app)


def test_the_best_model_is_tested_against_each_other_one_in_plain_words(app):
    load_sample(app, "customer_churn")
    _train(app, ["logistic_regression", "naive_bayes"])
    open_page(app, "4_Compare")
    sentences = [box.value for box in app.success] + [box.value for box in app.info]
    verdicts = [s for s in sentences if "not distinguishable from" in s or "is better than" in s]
    assert len(verdicts) == 2  # the best against the other model and against the baseline
    assert any("Baseline (dummy)" in v and "is better than" in v for v in verdicts)  # real signal beats the dummy
    ask_for_importance(app)  # worked out when asked for: it costs many predictions
    charts = {chart.key for chart in app.get("plotly_chart")}
    assert {"gain", "calibration", "pr", "roc", "fold_scores", "score_vs_time", "importance_chart"} <= charts
    app.selectbox(key="compare_metric.classification").select("accuracy").run()
    assert "CV Accuracy" == app.dataframe[0].value.columns[4]  # the chosen metric leads the board, after the folds
    assert not app.exception


def test_two_runs_side_by_side_pair_their_folds_only_when_they_split_alike(app):
    load_sample(app, "customer_churn")
    _train(app, ["logistic_regression"])
    first = app.session_state["run_id"]
    _train(app, ["naive_bayes"])
    open_page(app, "4_Compare")
    app.multiselect(key="compare_runs").select(
        next(r for r in app.multiselect(key="compare_runs").options if r.startswith(f"Run {first} "))
    ).run()
    board = app.dataframe[0].value
    assert {f"Logistic regression · run {first}", f"Gaussian naive Bayes · run {first + 1}"} <= set(board["Model"])
    assert not app.warning and "different rows or folds" not in app.caption[0].value
    _train(app, ["naive_bayes"], seed=3)
    open_page(app, "4_Compare")
    runs = app.multiselect(key="compare_runs")
    runs.set_value(runs.options[:2]).run()
    assert "different rows or folds" in " ".join(c.value for c in app.caption)
    assert "needs runs on the same rows and folds" in app.info[0].value


def test_a_tuned_model_shows_its_search_and_is_scored_by_nested_cross_validation(app):
    load_sample(app, "customer_churn")
    open_page(app, "3_Train")
    app.multiselect(key="models.classification").set_value(["decision_tree"]).run()
    app.toggle(key="model.decision_tree.tune").set_value(True).run()
    app.selectbox(key="model.decision_tree.method").select("random").run()
    app.number_input(key="model.decision_tree.trials").set_value(6).run()
    app.number_input(key="model.decision_tree.space.max_depth.high").set_value(8).run()
    tuning = app.session_state["draft_spec"].models[0].tuning
    assert (tuning.method, tuning.trials, tuning.space["max_depth"]) == ("random", 6, [2, 8])
    rerun_until(app, lambda at: "Estimated time" in " ".join(c.value for c in at.caption))
    train_here(app)
    open_page(app, "4_Compare")
    settings = next(frame.value for frame in app.dataframe if "Setting" in frame.value)
    chosen = {row["Setting"]: row["Chosen"] for row in settings.to_dict("records")}
    assert 2 <= int(chosen["max_depth"]) <= 8
    assert {"tuning_history", "parameter_importance"} <= {chart.key for chart in app.get("plotly_chart")}
    assert "nested cross-validation" in " ".join(c.value for c in app.caption)


def test_threshold_tuning_and_learning_curves_are_switched_on_and_drawn(app):
    load_sample(app, "customer_churn")
    open_page(app, "3_Train")
    app.multiselect(key="models.classification").set_value(["logistic_regression"]).run()
    app.checkbox(key="tune_threshold").check().run()
    app.checkbox(key="learning_curve").check().run()
    assert app.session_state["draft_spec"].evaluation.tune_threshold
    train_here(app)
    open_page(app, "4_Compare")
    charts = {chart.key: chart.proto.spec for chart in app.get("plotly_chart")}
    assert "tuned 0." in charts["threshold_chart"] and "default 0.5" in charts["threshold_chart"]
    assert "Logistic regression: test" in charts["learning_curves"]


def test_clustering_groups_the_rows_and_describes_each_group(app):
    load_sample(app, "customer_churn")
    app.radio(key=next(r.key for r in app.radio if r.key.startswith("task."))).set_value("clustering").run()
    assert "is left out and describes the groups afterwards" in app.success[0].value
    open_page(app, "3_Train")
    assert app.multiselect(key="models.clustering").value == ["kmeans", "gaussian_mixture"]
    train_here(app)
    open_page(app, "4_Compare")
    board = app.dataframe[0].value
    assert {"Silhouette", "Davies–Bouldin", "Calinski–Harabasz", "Groups"} <= set(board.columns)
    charts = {chart.key: chart.proto.spec for chart in app.get("plotly_chart")}
    assert "2-D PCA projection" in charts["cluster_map"] and "share churn = yes" in charts["cluster_profile"]
    assert not app.exception


def test_a_run_cancelled_before_any_model_finished_says_so(app):
    from storage import repo
    from storage.db import session_scope
    from ui import resources

    load_sample(app, "iris")
    spec, dataset = app.session_state["draft_spec"], app.session_state["dataset"]
    with session_scope(resources.engine()) as session:
        run = repo.create_run(session, dataset_id=dataset.id, spec=spec, library_versions={})
        repo.finish_run(session, run_id=run.id, status="cancelled")
    open_page(app, "4_Compare")
    assert "No model of this run finished" in app.info[0].value
    assert not app.exception


def test_a_model_the_race_stopped_is_ranked_on_its_folds_and_says_why(app):
    load_sample(app, "customer_churn")
    _train(app, ["logistic_regression", "decision_tree"])  # a lone unpruned tree: far behind on this table
    open_page(app, "4_Compare")
    board = app.dataframe[0].value.set_index("Model")
    assert board.loc["Decision tree", "Status"] == "stopped" and board.loc["Decision tree", "Folds"] == "2 of 5"
    assert board.loc["Logistic regression", "Folds"] == "5 of 5"
    [why] = [box.value for box in app.info if box.value.startswith("Decision tree stopped")]
    assert "stopped after 2 of 5 folds: behind Logistic regression by" in why and "ROC AUC" in why
    bars = next(chart for chart in app.get("plotly_chart") if chart.key == "metric_bars")
    assert "Decision tree (2 of 5 folds)" in bars.proto.spec and "circle-open" in bars.proto.spec
    assert not app.exception


def test_a_regression_run_draws_predicted_against_actual_and_residuals(app):
    train_sample(app, "diabetes", ["ridge"], task="regression")
    open_page(app, "4_Compare")
    charts = {chart.key: chart for chart in app.get("plotly_chart")}
    assert {"predicted_vs_actual", "residuals"} <= set(charts)
    assert (
        "Ridge regression" in charts["residuals"].proto.spec and "Perfect" in charts["predicted_vs_actual"].proto.spec
    )
    assert not app.exception


def test_a_model_is_explained_column_by_column_row_by_row_and_by_what_if(app):
    train_sample(app, "customer_churn", ["logistic_regression"])
    open_page(app, "4_Compare")
    assert "dependence_chart" not in {chart.key for chart in app.get("plotly_chart")}  # only when asked for
    assert app.selectbox(key="confusion_model").value.label == "Logistic regression"  # the best, not the baseline
    result_id = app.selectbox(key="explain_model").value.id
    app.toggle(key=f"explain_on.{result_id}").set_value(True).run()
    assert {"dependence_chart", "contribution_bars", "confusion_chart"} <= {c.key for c in app.get("plotly_chart")}
    app.selectbox(key=f"explain_column.{result_id}").select("contract").run()
    assert any("partial dependence" in caption.value for caption in app.caption)
    app.number_input(key=f"explain_row.{result_id}").set_value(2).run()
    values = next(table.value["value"] for table in app.dataframe if list(table.value.columns) == ["value"])
    assert values["tenure_months"].isdigit() and values["support_calls"].isdigit()  # counts read 2, not 2.0
    next(b for b in app.form_submit_button if b.label == "Predict with these values").click().run()
    (asked,) = [m for m in app.metric if "with these values" in m.label]
    assert asked.label.startswith("probability of yes") and asked.delta == "+0"  # unchanged values: no change
    assert not app.exception


def test_a_regression_has_no_confusion_tab_and_is_explained_by_its_predicted_value(app):
    train_sample(app, "diabetes", ["ridge"], task="regression")
    open_page(app, "4_Compare")
    result_id = app.selectbox(key="explain_model").value.id
    app.toggle(key=f"explain_on.{result_id}").set_value(True).run()
    charts = {chart.key for chart in app.get("plotly_chart")}
    assert "confusion_chart" not in charts and "dependence_chart" in charts
    assert not any("confusion matrix" in caption.value for caption in app.caption)
    assert not app.exception
