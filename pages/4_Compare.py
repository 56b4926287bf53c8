"""Compare: the leaderboard and charts of a run, saving it as a named pipeline, downloading the best model."""

import streamlit as st

from pipeline_core.charts import metric_bars, predicted_vs_actual, roc_curves
from pipeline_core.evaluate import METRICS
from pipeline_core.leaderboard import best, leaderboard
from storage import repo
from storage.db import session_scope
from ui import resources, state
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import pick_run, run_spec

setup("Compare")
run, results = pick_run(key="compare_run")
metric = run.primary_metric
st.caption(
    f"{run.n_train:,} training rows in {run_spec(run).evaluation.cv_folds}-fold cross-validation; "
    f"{run.n_test:,} held-out test rows scored once. Seed {run.seed}. Ranked by CV {METRICS[metric].label}."
)
if run.status == "cancelled":
    st.warning("This run was cancelled: only the models that finished are shown.")

board = leaderboard(results, metric)
st.dataframe(
    board,
    hide_index=True,
    column_config={
        column: st.column_config.NumberColumn(format="%.3f") for column in board if column.startswith("Test ")
    }
    | {"Fit time (s)": st.column_config.NumberColumn(format="%.3f", help="Mean fit time per fold")},
)
for result in results:
    if result.status == "failed":
        st.error(as_markdown(f"{result.label} failed: {result.error}"))

left, right = st.columns(2)
left.plotly_chart(metric_bars(results, metric), key="metric_bars")
curves = roc_curves(results) if run.task == "classification" else predicted_vs_actual(results)
right.plotly_chart(curves, key="curves")

top = best(results, metric)
st.subheader("Keep it")
save, download = st.columns(2)
with save.form("save_pipeline"):
    default_name = run.pipeline_name or f"{run.target} from {run.dataset_name}"
    name = st.text_input("Pipeline name", value=default_name, max_chars=120)
    if st.form_submit_button("Save pipeline and run", type="primary"):
        try:
            with session_scope(resources.engine()) as session:
                version = repo.save_pipeline(session, name=name, spec=run_spec(run), run_id=run.id)
        except ValueError as error:
            st.error(as_markdown(str(error)))
        else:
            state.set_run_id(run.id)
            note = " (a new version of an existing pipeline)" if version.version > 1 else ""
            st.success(f"Saved as **{as_markdown(version.pipeline_name)}** v{version.version}{note}.")
if top is not None:
    download.download_button(
        f"Download the best model ({top.label}, .skops)",
        data=repo.model_file(resources.store(), top),
        file_name=f"{top.key}-run{run.id}.skops",
        mime="application/octet-stream",
        key="download_best",
    )
    download.caption("Load it with scikit-learn, pandas and skops; the **Export** page shows how.")
