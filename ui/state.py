"""Per-session UI state: the current dataset, the draft spec and the run being watched.

The draft is also saved in the database on every change and restored into a new session, so a
browser refresh (or a server restart) loses nothing.
"""

import streamlit as st

from pipeline_core.errors import SpecError
from pipeline_core.spec import PipelineSpec
from storage import repo
from storage.db import session_scope
from storage.models import DatasetRead
from ui import resources

DATASET, SPEC, RUN_ID, RESTORED = "dataset", "draft_spec", "run_id", "draft_restored"


def _restore_once() -> None:
    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    with session_scope(resources.engine()) as session:
        draft = repo.load_draft(session)
    if draft is None:
        return
    dataset, spec_json = draft
    try:
        st.session_state[DATASET], st.session_state[SPEC] = dataset, PipelineSpec.from_json(spec_json)
    except SpecError:
        pass  # a draft from an older catalog: start afresh rather than fail


def dataset() -> DatasetRead | None:
    _restore_once()
    return st.session_state.get(DATASET)


def spec() -> PipelineSpec | None:
    _restore_once()
    return st.session_state.get(SPEC)


def set_spec(new_spec: PipelineSpec) -> None:
    st.session_state[SPEC] = new_spec
    with session_scope(resources.engine()) as session:
        repo.save_draft(session, dataset_id=dataset().id, spec=new_spec)


def open_pipeline(new_dataset: DatasetRead, new_spec: PipelineSpec) -> None:
    """Make a stored dataset and spec the ones every page works on."""
    st.session_state[RESTORED] = True
    st.session_state[DATASET] = new_dataset
    set_spec(new_spec)


def run_id() -> int | None:
    return st.session_state.get(RUN_ID)


def set_run_id(value: int | None) -> None:
    st.session_state[RUN_ID] = value
