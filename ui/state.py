"""Per-session UI state: the current dataset, the draft spec and the run being watched."""

import streamlit as st

from pipeline_core.spec import PipelineSpec
from storage.models import DatasetRead

DATASET, SPEC, RUN_ID = "dataset", "draft_spec", "run_id"


def dataset() -> DatasetRead | None:
    return st.session_state.get(DATASET)


def spec() -> PipelineSpec | None:
    return st.session_state.get(SPEC)


def set_spec(new_spec: PipelineSpec) -> None:
    st.session_state[SPEC] = new_spec


def open_pipeline(new_dataset: DatasetRead, new_spec: PipelineSpec) -> None:
    """Make a stored dataset and spec the ones every page works on."""
    st.session_state[DATASET], st.session_state[SPEC] = new_dataset, new_spec


def run_id() -> int | None:
    return st.session_state.get(RUN_ID)


def set_run_id(value: int) -> None:
    st.session_state[RUN_ID] = value
