"""Pipewright home: what the app does, where to start, and the latest pipelines and runs."""

import streamlit as st

from services import drafts, pipelines, runs
from ui import messages, resources, state
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import show_pipelines

setup("Pipewright")
st.markdown(
    "Build a machine-learning pipeline by pointing and clicking: **load data**, **prepare** it, "
    "**train** several models with honest cross-validation, **compare** them, then **save** and "
    "**download** the best one, and **monitor** the new rows it meets for drift and falling performance. Every "
    "pipeline is a spec that also runs from the command line."
)

columns = st.columns(7)
for column, (page, label, icon) in zip(
    columns,
    [
        ("pages/1_Data.py", "1 · Data", ":material/table:"),
        ("pages/2_Prepare.py", "2 · Prepare", ":material/tune:"),
        ("pages/3_Train.py", "3 · Train", ":material/model_training:"),
        ("pages/4_Compare.py", "4 · Compare", ":material/leaderboard:"),
        ("pages/5_Pipelines.py", "5 · Pipelines", ":material/folder_open:"),
        ("pages/6_Export.py", "6 · Export", ":material/download:"),
        ("pages/7_Monitor.py", "7 · Monitor", ":material/monitor_heart:"),
    ],
    strict=True,
):
    column.page_link(page, label=label, icon=icon)

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
