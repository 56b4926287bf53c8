"""Pipelines: saved definitions, their versions and runs; open one to keep working on it."""

import streamlit as st

from pipeline_core.catalog import get_model
from pipeline_core.spec import PipelineSpec
from storage import repo
from storage.db import session_scope
from ui import messages, resources, state
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import describe_run, show_pipelines

setup("Pipelines")
with session_scope(resources.engine()) as session:
    pipelines = repo.list_pipelines(session)
if not pipelines:
    st.info(messages.NO_PIPELINES)
    st.stop()

show_pipelines(pipelines)
chosen = st.selectbox("Pipeline", pipelines, format_func=lambda p: p.name, key="pipeline")
with session_scope(resources.engine()) as session:
    versions = repo.list_versions(session, pipeline_id=chosen.id)
    runs = repo.list_runs(session, pipeline_id=chosen.id)
version = st.selectbox(
    "Version", versions, format_func=lambda v: f"v{v.version} · saved {v.created_at:%Y-%m-%d %H:%M}", key="version"
)
spec = PipelineSpec.from_json(version.spec_json)

st.subheader(as_markdown(f"{chosen.name} · v{version.version}"))
left, right = st.columns(2)
with left:
    st.markdown(as_markdown(f"**Predicts** `{spec.data.target}` ({spec.data.task}) from **{spec.data.dataset_name}**"))
    st.markdown("**Models** " + ", ".join(get_model(m.kind).label for m in spec.models))
    if st.button("Open in Prepare and Train", type="primary", key="open"):
        with session_scope(resources.engine()) as session:
            dataset = repo.get_dataset(session, fingerprint=spec.data.dataset_fingerprint)
        state.open_pipeline(dataset, spec)
        st.switch_page("pages/2_Prepare.py")
    with st.expander("Spec (JSON)"):
        st.code(version.spec_json, language="json")
with right:
    st.markdown("**Runs**")
    if runs:
        st.dataframe([{"Run": describe_run(r), "Status": r.status} for r in runs], hide_index=True)
    else:
        st.caption("No runs filed under this pipeline.")
