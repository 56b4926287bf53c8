"""The Monitor page: a shifted batch raises the alert and names its column, batches add up to a history, and a
labelled batch retrains a challenger that is compared with the champion and promoted."""

from unittest import mock

import numpy as np

from pipeline_core.data.samples import make_churn
from services import monitoring
from tests.ui.conftest import _start_and_finish, open_page, rerun_until, train_sample
from ui import messages, resources


def _check(app, name: str, rows) -> None:
    app.file_uploader(key="monitor_upload").upload(name, rows.to_csv(index=False).encode()).run()
    next(button for button in app.button if button.key.startswith("ask.monitor.")).click().run()
    rerun_until(app, lambda at: any(f" · {name} · " in str(box.format_func(box.value)) for box in at.selectbox))


def test_a_shifted_batch_is_flagged_with_its_column_and_batches_build_a_history(app):
    open_page(app, "7_Monitor")
    assert app.info[0].value == messages.NO_RUNS and not app.error  # an empty state that says what to do
    train_sample(app, "customer_churn", ["logistic_regression", "naive_bayes"])
    open_page(app, "7_Monitor")
    assert "No batch has been checked against this run yet." in [box.value for box in app.info]
    chosen = next(model for model in app.selectbox(key="monitor_model").options if "naive Bayes" in model)
    app.selectbox(key="monitor_model").select(chosen).run()

    shifted = make_churn(400, seed=3).assign(monthly_charges=lambda f: f["monthly_charges"] * 1.5)
    _check(app, "march.csv", shifted)
    alert = app.error[0].value
    assert alert.startswith("**Alert:**") and "`monthly_charges`" in alert
    assert "drift_by_column" in {chart.key for chart in app.get("plotly_chart")}
    breaches = next(frame.value for frame in app.dataframe if "Problem" in frame.value)
    assert breaches.loc[breaches["Column"] == "monthly_charges", "Problem"].str.startswith("above the training").all()
    assert "breaches." + str(app.session_state["monitor_batch"]) in {b.key for b in app.get("download_button")}
    (batch,) = monitoring.history(resources.storage(), [app.session_state["run_id"]])
    assert batch.model_key == "naive_bayes"  # the model picked, not the best

    _check(app, "april.csv", make_churn(400, seed=4))
    assert app.success[0].value.startswith("Nothing alarming")
    assert {"drift_history", "performance_history"} <= {chart.key for chart in app.get("plotly_chart")}
    assert not app.exception

    app.file_uploader(key="monitor_upload").upload("empty.csv", b"customer_id,churn\n").run()
    next(button for button in app.button if button.key.startswith("ask.monitor.")).click().run()
    rerun_until(app, lambda at: at.error)
    assert "no data rows" in app.error[0].value
    assert not app.success and not app.get("plotly_chart")  # april's verdict is not shown as if it were this file's


def test_a_labelled_batch_retrains_a_challenger_that_is_compared_then_promoted(app):
    train_sample(app, "customer_churn", ["logistic_regression"])
    open_page(app, "7_Monitor")
    changed = make_churn(500, seed=8)
    changed["churn"] = np.where(changed["contract"] == "two-year", "yes", "no")
    _check(app, "may.csv", changed)
    assert "fell outside what cross-validation promised" in app.error[0].value

    with mock.patch("services.runs.start", _start_and_finish):  # the challenger trained here, not by a worker
        next(button for button in app.button if button.key.startswith("ask.retrain.")).click().run()
        rerun_until(app, lambda at: any(button.key.startswith("ask.duel.") for button in at.button), timeout=180)
    next(button for button in app.button if button.key.startswith("ask.duel.")).click().run()
    rerun_until(app, lambda at: "duel_folds" in {chart.key for chart in at.get("plotly_chart")})
    assert any("does better" in box.value for box in app.success)
    app.text_input(key="promote_name").input("Churn").run()
    app.button(key="promote").click().run()
    assert any(box.value.startswith("Saved as Churn v1") for box in app.success)
    assert not app.exception
