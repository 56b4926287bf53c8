"""Choosing a finished run, shared by the Compare and Export pages."""

import streamlit as st

from pipeline_core.spec import PipelineSpec
from storage import repo
from storage.db import session_scope
from storage.models import ModelResultRead, PipelineSummary, RunRead
from ui import messages, resources, state


def pick_run(*, key: str) -> tuple[RunRead, list[ModelResultRead]]:
    """A selectbox of runs with results (the watched run first); stops the page when there are none."""
    with session_scope(resources.engine()) as session:
        runs = [r for r in repo.list_runs(session, limit=100) if r.status in {"succeeded", "cancelled"}]
    if not runs:
        st.info(messages.NO_RUNS)
        st.page_link("pages/3_Train.py", label="Go to Train", icon=":material/model_training:")
        st.stop()
    ids = [r.id for r in runs]
    default = ids.index(state.run_id()) if state.run_id() in ids else 0
    run = st.selectbox("Run", runs, index=default, format_func=describe_run, key=key)
    with session_scope(resources.engine()) as session:
        results = repo.list_model_results(session, run_id=run.id)
    return run, results


def describe_run(run: RunRead) -> str:
    saved = f" · {run.pipeline_name} v{run.pipeline_version}" if run.pipeline_name else ""
    return f"Run {run.id} · {run.dataset_name} → {run.target} · {run.created_at:%Y-%m-%d %H:%M}{saved}"


def run_spec(run: RunRead) -> PipelineSpec:
    return PipelineSpec.from_json(run.spec_json)


def show_pipelines(pipelines: list[PipelineSummary]) -> None:
    """The saved pipelines as a table, newest change first."""
    st.dataframe(
        [
            {
                "Pipeline": p.name,
                "Latest version": p.latest_version,
                "Runs": p.runs,
                "Updated": f"{p.updated_at:%Y-%m-%d %H:%M}",
            }
            for p in pipelines
        ],
        hide_index=True,
    )
