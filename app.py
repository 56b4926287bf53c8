"""Pipewright home: what the app does, where this session stands and its next step, and the latest pipelines
and runs."""

import streamlit as st

from services import drafts, monitoring, pipelines, runs
from storage.errors import NotFoundError
from ui import messages, resources, signin, state
from ui.messages import as_markdown
from ui.page import PAGES, setup
from ui.runs import show_pipelines

setup("Pipewright")
st.markdown(
    "Build a machine-learning pipeline by pointing and clicking: **load data**, **prepare** it, "
    "**train** several models with honest cross-validation, **compare** them, then **save** and "
    "**download** the best one, and **monitor** the new rows it meets for drift and falling performance. Every "
    "pipeline is a spec that also runs from the command line."
)


def watched_run(run_id: int | None):
    """The session's run, if it is still there for this person to see."""
    try:
        return runs.get(resources.storage(), run_id) if run_id is not None else None
    except NotFoundError:
        return None


def journey() -> list[tuple[bool, str, str, str]]:
    """Where this session stands: (done, what, the page that does it, the next step there), in order."""
    dataset, spec, run_id = state.dataset(), state.spec(), state.run_id()
    run = watched_run(run_id)
    trained = run is not None and run.status == "succeeded"
    checked = trained and bool(monitoring.history(resources.storage(), [run.id]))
    return [
        (
            dataset is not None,
            f"Data: **{dataset.name}** ({dataset.n_rows:,} rows × {dataset.n_columns} columns)" if dataset else "Data",
            "pages/1_Data.py",
            "Upload a table or load a sample",
        ),
        (
            spec is not None,
            f"Target: `{spec.data.target}` ({spec.data.task})" if spec else "Target",
            "pages/1_Data.py",
            "Choose what to predict",
        ),
        (
            trained,
            f"Trained: run {run.id} ({run.status})" if run else "Trained",
            "pages/3_Train.py",
            "Review the preparation, pick models and train them",
        ),
        (
            trained and run.pipeline_name is not None,
            f"Saved: **{run.pipeline_name}** v{run.pipeline_version}" if run and run.pipeline_name else "Saved",
            "pages/4_Compare.py",
            "Compare the models and save the pipeline",
        ),
        (checked, "Monitored: new rows checked", "pages/7_Monitor.py", "Check new rows for drift, or export the model"),
    ]


steps = journey()
left, right = st.columns([2, 3])
with left:
    st.subheader("Where you are")
    for done, what, _, _ in steps:
        st.markdown(as_markdown((":material/check_circle: " if done else ":material/radio_button_unchecked: ") + what))
with right:
    st.subheader("Next step")
    upcoming = next(((page, todo) for done, _, page, todo in steps if not done), None)
    if upcoming is None:
        st.success("Every step is done for this pipeline: open another dataset, or watch more batches.")
    else:
        page, todo = upcoming
        st.page_link(page, label=todo, icon=":material/arrow_forward:")
    st.caption("Or go straight to any step:")
    links = st.columns(4)
    for i, (page, label, icon) in enumerate(PAGES[1:]):
        links[i % 4].page_link(page, label=label, icon=icon)

saved = pipelines.listed(resources.storage())
recent = runs.recent(resources.storage(), limit=10)

left, right = st.columns(2)
with left:
    st.subheader("Saved pipelines")
    if saved:
        show_pipelines(saved)
    else:
        st.info(messages.NO_PIPELINES)
with right:
    st.subheader("Recent runs")
    if recent:
        st.dataframe(
            [
                {
                    "Run": r.id,
                    "Dataset": r.dataset_name,
                    "Target": r.target,
                    "Status": r.status,
                    "Pipeline": f"{r.pipeline_name} v{r.pipeline_version}" if r.pipeline_name else "—",
                    "Started": f"{r.created_at:%Y-%m-%d %H:%M}",
                }
                | signin.made_by(r)
                for r in recent
            ],
            hide_index=True,
        )
    else:
        st.info(messages.NO_RUNS)


def other_drafts() -> None:
    """Work in progress in other browser sessions (or before a tab was closed), to carry on with here."""
    others = drafts.others(resources.storage(), key=state.draft_key())
    if not others:
        return
    st.subheader("Other drafts")
    st.caption("Each browser tab keeps its own draft. Continue one here: this tab gets a copy to carry on with.")
    for draft in others[:8]:
        text, action = st.columns([5, 1], vertical_alignment="center")
        text.markdown(as_markdown(f"**{draft.dataset_name}** · changed {draft.updated_at:%Y-%m-%d %H:%M}"))
        if action.button("Continue", key=f"continue.{draft.key}"):
            state.continue_draft(draft.key)
            st.switch_page("pages/1_Data.py")


other_drafts()
