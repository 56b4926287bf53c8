"""Compare: leaderboard, whether differences are real, and charts, for one run or several side by side."""

import streamlit as st

from pipeline_core.catalog.metrics import METRICS, metrics_for
from pipeline_core.compare import charts
from pipeline_core.compare.leaderboard import leaderboard
from pipeline_core.compare.significance import compare_to_best
from pipeline_core.train import splits
from pipeline_core.train.race import fold_size_ratio
from pipeline_core.train.results import best
from services import pipelines
from services import runs as services_runs
from storage.errors import StorageError
from ui import clusters, explain, jobs, resources, signin, state
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import pick_model, pick_runs, run_spec


def keep_it(run, spec, results: list) -> None:
    """Save the run as a named pipeline; download its best model (when it can place new rows), whose file the run
    kept; the Export page makes the others'."""
    top = best(results, run.primary_metric)
    st.subheader("Keep it")
    save, download = st.columns(2)
    with save.form("save_pipeline"):
        default_name = run.pipeline_name or f"{run.target} from {run.dataset_name}"
        name = st.text_input("Pipeline name", value=default_name, max_chars=120)
        note = st.text_input(
            "Note on this version (optional)", max_chars=300, placeholder="e.g. target encoding for city"
        )
        if st.form_submit_button("Save pipeline and run", type="primary"):
            try:
                version = pipelines.save(resources.storage(), name=name, spec=spec, run_id=run.id, note=note)
            except (ValueError, StorageError) as error:
                st.error(as_markdown(str(error)))
            else:
                state.set_run_id(run.id)
                note = " (a new version of an existing pipeline)" if version.version > 1 else ""
                st.success(f"Saved as **{as_markdown(version.pipeline_name)}** v{version.version}{note}.")
    if top is not None and top.artifact_sha256:
        download.download_button(
            f"Download the best model ({top.label}, .skops)",
            data=services_runs.model_file(resources.storage(), run, top),
            file_name=f"{top.key}-run{run.id}.skops",
            mime="application/octet-stream",
            key="download_best",
        )
        download.caption("Load it with scikit-learn, pandas and skops; the **Export** page shows how.")
    signin.share_switch(
        run, services_runs.share, what="this run, its models and the data it trained on", where=download
    )


setup("Compare")
runs, results = pick_runs(key="compare_runs")
run, spec = runs[0], run_spec(runs[0])
metric_keys = [m.key for m in metrics_for(run.task)]
metric = st.selectbox(
    "Rank by",
    metric_keys,
    index=metric_keys.index(run.primary_metric) if run.primary_metric in metric_keys else 0,
    format_func=lambda key: METRICS[key].label,
    key=f"compare_metric.{run.task}",
)
if run.task == "clustering":
    clusters.show(results, metric)
    if len(runs) == 1 and not run.is_active:
        keep_it(run, spec, results)
    st.stop()
same_folds = len({(r.dataset_id, splits.split_key(run_spec(r))) for r in runs}) == 1
st.caption(
    as_markdown(
        f"{run.n_train or 0:,} training rows, {splits.describe(spec)} ({run.n_test or 0:,} rows). Seed {run.seed}."
        + ("" if same_folds else " **The runs used different rows or folds**: compare their means, not fold by fold.")
    )
)
for cancelled in [r for r in runs if r.status == "cancelled"]:
    st.warning(f"Run {cancelled.id} was cancelled: only the models that finished are shown.")
for running in [r for r in runs if r.is_active]:
    st.info(f"Run {running.id} is still running: the models finished so far are shown. Open this page again for more.")

if not results:
    st.info("No model of this run finished: it was cancelled or stopped before the first one. Pick another run.")
    st.stop()
board = leaderboard(results, metric)
st.dataframe(
    board,
    hide_index=True,
    column_config={
        column: st.column_config.NumberColumn(format="%.3f") for column in board if column.startswith("Test ")
    }
    | {
        "Fit time (s)": st.column_config.NumberColumn(format="%.3f", help="Mean model fit time per fold"),
        "Predict time (s)": st.column_config.NumberColumn(format="%.4f", help="Mean prediction time per fold"),
    },
)
for result in results:
    if result.status == "failed":
        st.error(as_markdown(f"{result.label} failed: {result.error}"))
    elif result.status == "stopped":  # its mean is of fewer folds; it has no test scores or curves
        st.info(as_markdown(f"{result.label} {result.error}."))

st.subheader("Is the difference real?")
if same_folds:
    differences = compare_to_best(results, metric, fold_size_ratio(splits.scheme(spec), spec.evaluation.cv_folds))
    st.caption(
        "The best model against each other one, fold by fold, with the corrected resampled t-test of Nadeau and "
        "Bengio: folds share training rows, so the plain t-test would see differences that are not there."
    )
    for difference in differences:
        (st.success if difference.p_value < 0.05 else st.info)(as_markdown(difference.sentence))
else:
    st.info("A fold-by-fold test needs runs on the same rows and folds; these differ, so none is shown.")

tuned = [r for r in results if r.status == "succeeded" and r.curves.tuning]
with_thresholds = [r for r in results if r.status == "succeeded" and not r.is_baseline and r.curves.thresholds]
succeeded = [r for r in results if r.status == "succeeded"]
classes = run.task == "classification" and bool(succeeded)  # a confusion matrix is of classes
explainable = [r for r in succeeded if r.artifact_sha256]  # explained from its model file
tab_names = ["Scores", "Curves", "Confusion", "Importance", "Explain", "Threshold", "Tuning"]
shown = [True, True, classes, True, bool(explainable), bool(with_thresholds), bool(tuned)]
names = [name for name, on in zip(tab_names, shown, strict=True) if on]
tabs = dict(zip(names, st.tabs(names), strict=True))
scores, curves, importance = tabs["Scores"], tabs["Curves"], tabs["Importance"]
with scores:
    left, right = st.columns(2)
    left.plotly_chart(charts.metric_bars(results, metric), key="metric_bars")
    right.plotly_chart(charts.fold_scores(results, metric), key="fold_scores")
    left, right = st.columns(2)
    left.plotly_chart(charts.score_vs_fit_time(results, metric), key="score_vs_time")
    if any(r.curves.learning for r in results):
        learning_metric = run.primary_metric or metric  # the curves were scored by the run's ranking metric
        right.plotly_chart(charts.learning_curves(results, learning_metric), key="learning_curves")
    else:
        right.caption(
            "Learning curves: switch them on under Validation on the Train page (about two more fits per model)."
        )
with curves:
    left, right = st.columns(2)
    if run.task == "classification":
        left.plotly_chart(charts.roc_curves(results), key="roc")
        right.plotly_chart(charts.precision_recall_curves(results), key="pr")
        if any(r.curves.gain for r in results):
            left.plotly_chart(charts.gain_curves(results), key="gain")
            right.plotly_chart(charts.calibration_curves(results), key="calibration")
    else:
        left.plotly_chart(charts.predicted_vs_actual(results), key="predicted_vs_actual")
        right.plotly_chart(charts.residuals(results), key="residuals")
if classes:
    with tabs["Confusion"]:
        pick, scale = st.columns([3, 1], vertical_alignment="bottom")
        with pick:
            chosen = pick_model(succeeded, metric, key="confusion_model")  # the best first
        normalised = scale.toggle("Share of each true class", key="confusion_normalised")
        st.plotly_chart(charts.confusion_matrix(chosen, normalised=normalised), key="confusion_chart")
with importance:
    if succeeded:
        chosen = pick_model(succeeded, metric, key="importance_model")
        of_run = next(r for r in runs if r.id == chosen.run_id)
        explained = chosen if chosen.curves.importance else None
        explained = explained or jobs.on_request(
            ("importance", chosen.id),
            services_runs.explain,
            resources.storage(),
            of_run,
            chosen,
            ask=f"Which columns matter to {chosen.label}?",
            working="Shuffling each column of the held-out rows in turn and scoring the model again…",
        )
        ranked_by = METRICS[explained.curves.importance.metric if explained else of_run.primary_metric or metric]
        if explained is not None:
            st.plotly_chart(charts.permutation_importance_bars(explained), key="importance_chart")
        st.caption(
            f"Permutation importance: how much {ranked_by.label} (the run's ranking metric) drops on the held-out "
            "rows when one column is shuffled, through the whole pipeline, so it speaks of your columns rather than "
            "of encoded ones."
        )

if explainable:
    with tabs["Explain"]:
        chosen = pick_model(explainable, metric, key="explain_model")
        try:
            explain.show(next(r for r in runs if r.id == chosen.run_id), chosen)
        except Exception as error:  # noqa: BLE001 - an explanation that fails must not take the rest of the page
            st.error(as_markdown(f"{chosen.label} could not be explained: {error}"))
if with_thresholds:
    with tabs["Threshold"]:
        st.caption(
            "A classifier says 'positive' when its probability passes a threshold. Lower it to find more positives "
            "(recall) at the cost of more false alarms (precision). With threshold tuning on (Train page), each "
            "model's threshold was chosen by cross-validation on its training rows for the ranking metric."
        )
        chosen = st.selectbox("Model", with_thresholds, format_func=lambda r: r.label, key="threshold_model")
        st.plotly_chart(charts.threshold_tradeoff(chosen), key="threshold_chart")
if tuned:
    with tabs["Tuning"]:
        st.caption(
            "Tuned models are scored by nested cross-validation: every outer fold ran its own search on its "
            "training rows, so their CV and test scores were never seen by a search. Below: the search on the "
            "whole training part, whose best settings are in the exported model."
        )
        chosen = st.selectbox("Model", tuned, format_func=lambda r: r.label, key="tuning_model")
        st.dataframe(
            [{"Setting": name, "Chosen": str(value)} for name, value in chosen.curves.tuning.best_params.items()],
            hide_index=True,
        )
        left, right = st.columns(2)
        left.plotly_chart(charts.tuning_history(chosen), key="tuning_history")
        if chosen.curves.tuning.importance:
            right.plotly_chart(charts.parameter_importance_bars(chosen), key="parameter_importance")
        else:
            right.caption("Too few finished candidates, or one setting only, to say which setting mattered.")

if len(runs) == 1 and not run.is_active:  # saved once it has ended
    keep_it(run, spec, results)
