"""One AppTest per page, each driving the page as a user would."""

import time
from unittest import mock

from streamlit.testing.v1 import AppTest

from tests.ui.conftest import APP, ask_for_importance, load_sample, open_page, rerun_until, train_and_wait
from ui import jobs
from ui.state import SPEC


def test_home_shows_where_the_session_stands_and_its_next_step(app):
    assert app.title[0].value == "Pipewright"
    assert any("No saved pipelines yet" in info.value for info in app.info)
    sidebar = [link.label for link in app.sidebar.get("page_link")]
    assert sidebar == ["Home", "Data", "Prepare", "Train", "Compare", "Pipelines", "Export", "Monitor"]
    assert app.main.get("page_link")[0].label == "Upload a table or load a sample"  # the next step, first of all
    todo = [m.value for m in app.markdown if m.value.startswith(":material/radio_button_unchecked:")]
    assert [line.split(" ", 1)[1] for line in todo[:2]] == ["Data", "Target"]

    load_sample(app, "iris")
    app.switch_page("app.py").run()
    done = [m.value for m in app.markdown if m.value.startswith(":material/check_circle:")]
    assert "Data: **iris.csv**" in done[0] and "Target: `species`" in done[1]
    assert "Review the preparation, pick models and train them" in [link.label for link in app.get("page_link")]


def test_train_then_compare_save_pipelines_and_export(app):
    load_sample(app, "iris")
    open_page(app, "3_Train")
    assert app.multiselect[0].value == ["logistic_regression", "random_forest", "hist_gradient_boosting"]
    app.multiselect[0].set_value(["logistic_regression", "random_forest"]).run()
    app.number_input(key="model.random_forest.n_estimators").set_value(20).run()
    app.number_input(key="seed").set_value(7).run()
    train_and_wait(app)
    assert app.progress[0].value == 100

    open_page(app, "4_Compare")
    board = app.dataframe[0].value
    assert board["Model"].tolist()[-1] == "Baseline (dummy)"
    assert {"CV Balanced accuracy", "CV ROC AUC", "Test Balanced accuracy", "Fit time (s)"} <= set(board.columns)
    ask_for_importance(app)
    charts = {chart.key for chart in app.get("plotly_chart")}
    assert {"metric_bars", "fold_scores", "roc", "pr", "confusion_chart", "importance_chart"} <= charts
    assert "gain" not in charts  # cumulative gain is for two classes; iris has three
    next(box for box in app.text_input if box.label == "Pipeline name").set_value("Iris flowers")
    next(b for b in app.form_submit_button if b.label == "Save pipeline and run").click().run()
    assert "Saved as **Iris flowers** v1." in app.success[-1].value

    open_page(app, "5_Pipelines")
    assert app.dataframe[0].value["Pipeline"].tolist() == ["Iris flowers"]
    app.button(key="open").click().run()
    assert app.session_state["draft_spec"].evaluation.seed == 7

    open_page(app, "6_Export")
    assert "sio.load(" in app.code[0].value
    assert app.selectbox(key="export_model").value.status == "succeeded"


def test_compare_pipelines_and_export_pages_explain_what_to_do_when_empty(app):
    for page, message in [
        ("4_Compare", "No training runs yet"),
        ("5_Pipelines", "No saved pipelines yet"),
        ("6_Export", "No training runs yet"),
        ("3_Train", "No dataset yet"),
    ]:
        open_page(app, page)
        assert message in app.info[0].value


def test_a_browser_refresh_restores_the_dataset_and_the_draft(app):
    load_sample(app, "iris")
    open_page(app, "3_Train")
    app.number_input(key="seed").set_value(11).run()
    key = app.query_params["draft"]  # the address names the session's draft

    refreshed = AppTest.from_file(APP, default_timeout=60)  # a new session at the same address, as after a refresh
    refreshed.query_params["draft"] = key
    open_page(refreshed.run(), "3_Train")
    assert refreshed.session_state["dataset"].name == "iris.csv"
    assert refreshed.session_state["draft_spec"].evaluation.seed == 11
    assert refreshed.number_input(key="seed").value == 11


def test_another_session_has_a_draft_of_its_own_and_can_continue_the_first(app):
    load_sample(app, "iris")
    first = app.query_params["draft"]

    other = AppTest.from_file(APP, default_timeout=60).run()  # another person, or a new tab
    assert other.query_params["draft"] != first
    open_page(other, "3_Train")
    assert "No dataset yet" in other.info[0].value
    other.switch_page("app.py").run()
    assert "iris.csv" in " ".join(m.value for m in other.markdown)
    own = other.query_params["draft"]
    other.button(key=f"continue.{first}").click().run()
    assert other.session_state["dataset"].name == "iris.csv"
    assert other.query_params["draft"] == own  # a copy of its own: the two never write one draft


def test_removing_the_fill_step_warns_which_models_will_fail(app):
    load_sample(app, "customer_churn")
    open_page(app, "2_Prepare")
    assert not app.warning
    app.button(key="numeric.0.numeric_imputer.remove").click().run()
    assert "`total_charges`, `support_calls` have missing values and no fill step" in app.warning[0].value
    assert "Logistic regression cannot take missing values" in app.warning[0].value
    open_page(app, "3_Train")
    assert "Logistic regression" in app.warning[0].value


def test_model_forms_show_class_weights_only_for_classification(app):
    load_sample(app, "diabetes")
    open_page(app, "3_Train")
    assert not [s for s in app.selectbox if s.label == "Class weights"]
    load_sample(app, "iris")
    open_page(app, "3_Train")
    assert [s.key for s in app.selectbox if s.label == "Class weights"][0] == "model.logistic_regression.class_weight"


def test_the_train_page_shows_its_button_at_once_and_the_estimate_when_it_is_ready(app):
    load_sample(app, "iris")
    busy = jobs._estimator()[0].submit(time.sleep, 3)  # the estimator is still busy with another session's
    open_page(app, "3_Train")
    assert not app.button(key="train").disabled
    assert "Estimating the run time…" in " ".join(c.value for c in app.caption)
    busy.result()
    rerun_until(app, lambda at: "Estimated time: about" in " ".join(c.value for c in at.caption))


def test_a_run_waiting_for_its_turn_shows_its_place_and_is_cancelled_before_it_starts(app):
    from services import runs
    from storage import repo
    from storage.db import session_scope

    load_sample(app, "iris")
    open_page(app, "3_Train")
    with mock.patch("services.runs.start", runs.create):  # recorded, and no worker to take it yet
        app.button(key="train").click().run()  # the machine's one place is taken by this first run...
        app.button(key="train").click().run()  # ...so this one waits
    storage = runs.Storage.open()
    first, waiting = sorted(run.id for run in runs.recent(storage))
    with session_scope(storage.engine) as session:
        assert repo.claim_run(session, run_id=first, at_once=1) == "running"
    app.run()
    assert "Waiting for its turn: 1 run before it. · on this machine" in " ".join(c.value for c in app.caption)
    app.button(key="cancel").click().run()
    assert runs.get(storage, waiting).status == "cancelled" and runs.get(storage, waiting).started_at is None
    assert "Cancelled: it will not start." in [toast.value for toast in app.toast]


def test_a_time_limit_is_switched_on_within_the_specs_bounds_and_off_again(app):
    load_sample(app, "iris")
    open_page(app, "3_Train")
    assert app.session_state[SPEC].evaluation.model_seconds is None
    assert "model_seconds" not in {number.key for number in app.number_input}  # off: no seconds to type
    app.toggle(key="model_seconds.on").set_value(True).run()
    seconds = app.number_input(key="model_seconds")
    assert (seconds.value, seconds.min) == (60, 1)  # the spec's own lowest: nothing typed here is refused later
    seconds.set_value(90).run()
    assert app.session_state[SPEC].evaluation.model_seconds == 90
    app.toggle(key="model_seconds.on").set_value(False).run()
    assert app.session_state[SPEC].evaluation.model_seconds is None and not app.error


def test_a_searchs_time_limit_is_offered_for_optuna_only_and_kept_in_the_spec(app):
    load_sample(app, "iris")
    open_page(app, "3_Train")
    app.toggle(key="model.logistic_regression.tune").set_value(True).run()
    app.toggle(key="model.logistic_regression.seconds.on").set_value(True).run()
    assert app.number_input(key="model.logistic_regression.seconds").min == 5  # the spec's own lowest
    app.number_input(key="model.logistic_regression.seconds").set_value(30).run()
    tuned = next(m for m in app.session_state[SPEC].models if m.kind == "logistic_regression")
    assert tuned.tuning.seconds == 30 and not app.error
    app.selectbox(key="model.logistic_regression.method").select("random").run()
    assert app.toggle(key="model.logistic_regression.seconds.on").disabled
    tuned = next(m for m in app.session_state[SPEC].models if m.kind == "logistic_regression")
    assert tuned.tuning.seconds is None  # only Optuna stops on time
