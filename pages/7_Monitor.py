"""Monitor: check a batch of new rows against a trained model and the rows it learned from; history; retrain."""

import functools
import hashlib

import streamlit as st

from pipeline_core.catalog.drift import DRIFT_TESTS
from pipeline_core.data.ingest import SUFFIXES
from pipeline_core.monitor import charts
from pipeline_core.monitor.challenge import Duel
from services import monitoring, runs
from storage.errors import NotFoundError, StorageError
from ui import batch_report, jobs, resources, signin
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import pick_run, pick_trained

setup("Monitor")
st.caption(
    "Does the model still fit the data it meets? Upload a batch of new rows (next month's customers, the rows the "
    "serving app logged): it is checked against the columns and values the model was trained on, then for drift, "
    "and, when it carries the target, for performance. Every batch is kept, so drift and performance show over time."
)
run, results = pick_run(key="monitor_run", with_curves=False)  # the Monitor draws no training chart
if run.task == "clustering":
    st.info("Monitoring covers classification and regression runs; this run groups rows.")
    st.stop()
model = pick_trained(run, results, key="monitor_model", none="No model of this run went the whole way to watch.")

st.subheader("Check a batch")
upload = st.file_uploader(
    "New rows (with the target to measure performance)",
    type=[suffix.lstrip(".") for suffix in SUFFIXES],
    key="monitor_upload",
)
test = st.selectbox(
    "Drift test",
    [None, *DRIFT_TESTS],
    format_func=lambda key: "Chosen per column (recommended)" if key is None else DRIFT_TESTS[key].label,
    key="monitor_test",
    help="By default each column gets the test that suits its type and the rows compared. Pick one to use it on "
    "every column it can take (the population stability index, say, as credit-risk teams are used to).",
)
if upload is not None:
    content = upload.getvalue()
    check_key = ("monitor", run.id, model.key, test, hashlib.sha256(content).hexdigest())
    checked = jobs.on_request(
        check_key,
        functools.partial(monitoring.check_file, model_key=model.key, test=test),
        resources.storage(),
        run,
        content,
        upload.name,
        ask=f"Check {upload.name}",
        working="Checking the batch: data contract, drift per column, the domain classifier, the model's scores…",
    )
    if checked is not None:
        st.session_state["monitor_batch"] = checked.id
    elif jobs.failed(check_key):
        st.stop()  # the error says why; an earlier batch's verdict below it would read as this file's

history = monitoring.history(resources.storage(), [run.id])
if not history:
    st.info("No batch has been checked against this run yet.")
    st.stop()
by_id = {b.id: b for b in history}
chosen_id = st.session_state.get("monitor_batch")
shown_id = st.selectbox(  # by id: a batch's record changes (retrained, compared) while it is shown
    "Batch",
    list(by_id)[::-1],
    index=list(by_id)[::-1].index(chosen_id) if chosen_id in by_id else 0,
    format_func=lambda i: (
        f"Batch {i} · {by_id[i].name} · {by_id[i].n_rows:,} rows · {by_id[i].created_at:%Y-%m-%d %H:%M}"
        + (" · alert" if by_id[i].alarm else "")
    ),
    key=f"monitor_shown.{history[-1].id}",  # a batch checked since starts the choice afresh, on itself
)
batch = by_id[shown_id]
report = monitoring.report(batch)
batch_report.verdict(report)
batch_report.contract(batch, report)
batch_report.drift(report)
batch_report.performance(report)

if len(history) > 1:
    st.subheader("History")
    named = [(f"#{b.id}", monitoring.report(b)) for b in history]  # the Batch list above names each
    left, right = st.columns(2)
    left.plotly_chart(charts.drift_history(named), key="drift_history")
    if any(r.performance for _, r in named):
        right.plotly_chart(charts.performance_history(named), key="performance_history")
    else:
        right.caption("Performance over batches shows once batches carry the target.")

st.subheader("Act")
if not signin.may_change(batch.owner):
    st.caption(as_markdown(f"Batch {batch.id} was checked by {batch.owner}: only they retrain it."))
    st.stop()
if not batch.labelled:
    st.caption("Retraining needs the new rows' target: upload a batch with it to retrain on it.")
    st.stop()


def retraining(run_id: int):
    """The run retrained with the batch; a page about it stops if that run is another person's (a batch of the
    whole team's, retrained by one of it)."""
    try:
        return runs.get(resources.storage(), run_id)
    except NotFoundError:
        st.caption(f"Batch {batch.id} was retrained by someone else, as run {run_id}: the run is theirs.")
        st.stop()


earlier = retraining(batch.retrain_run_id) if batch.retrain_run_id else None
if earlier is None or earlier.status in monitoring.ENDED_WITHOUT_MODELS:
    if earlier is not None:
        st.error(as_markdown(f"The retraining (run {earlier.id}) {earlier.status}: {earlier.error or 'no result'}."))
    st.caption(
        "Retrain the same pipeline on its training rows plus this batch's labelled rows, in the background. Then "
        "compare it with the current model on the same folds of the new rows before promoting it."
    )
    started = jobs.on_request(  # in the background: the button cannot be pressed twice while the rows are stored
        ("retrain", batch.id, earlier.id if earlier else 0),
        monitoring.retrain,
        resources.storage(),
        batch,
        ask="Retrain on the training rows + this batch",
        working="Storing the training rows with the batch's and starting the retraining…",
    )
    if started is None:
        st.stop()
    batch = monitoring.get(resources.storage(), batch.id)


@st.fragment(run_every=2.0)
def _challenger_progress(run_id: int) -> None:
    challenger = runs.get(resources.storage(), run_id)
    if not challenger.is_active:
        st.rerun()
    st.progress(challenger.progress, text=f"Run {run_id} (the challenger): {challenger.message or challenger.status}")
    if st.button("Cancel the retraining", key="cancel_retrain"):
        runs.cancel(resources.storage(), run_id)


challenger = retraining(batch.retrain_run_id)
if challenger.is_active:
    _challenger_progress(challenger.id)
    st.stop()
if challenger.status != "succeeded":
    st.error(
        as_markdown(f"The retraining (run {challenger.id}) {challenger.status}: {challenger.error or 'no result'}.")
    )
    st.stop()
st.caption(as_markdown(f"Retrained as run {challenger.id}: its models are on the Compare page."))
duel = Duel.model_validate(batch.duel) if batch.duel else None
duel = duel or jobs.on_request(
    ("duel", batch.id, challenger.id),
    monitoring.challenge,
    resources.storage(),
    batch,
    ask="Compare champion and challenger",
    working="Fitting the challenger on each fold of the new rows and scoring both on the rows left out…",
)
if duel is None:
    st.stop()
(st.success if duel.challenger_wins else st.info)(duel.sentence())
st.plotly_chart(charts.duel_folds(duel), key="duel_folds")
st.caption(
    "Champion: the model as trained. Challenger: the same pipeline fitted on the training rows plus the batch's "
    "other folds, so neither is scored on a row it learned from. The p-value is the corrected resampled t-test used "
    "on the Compare page."
)
name = st.text_input("Pipeline name", value=run.pipeline_name or "", key="promote_name")
if st.button("Promote the challenger: save it as the pipeline's new version", key="promote"):
    try:
        version = monitoring.promote(resources.storage(), batch, name=name)
    except (ValueError, StorageError) as error:  # no name, an archived one, or another person's pipeline
        st.error(as_markdown(str(error)))
    else:
        st.success(as_markdown(f"Saved as {name} v{version.version}; run {challenger.id} is filed under it."))
