"""Per-session UI state: the current dataset, the draft spec and the run being watched.

Each browser session has a draft of its own, named by a random key kept in the page's address
(`?draft=…`), so a refresh finds it again and two people on one server never edit one draft unawares (the
home page lists the others, and continuing one makes a copy; only a copied address opens the same draft).
The draft is saved in the database on every change, so a refresh (or a server restart) loses nothing.
"""

import re
import uuid

import streamlit as st

from pipeline_core.errors import SpecError
from pipeline_core.spec import PipelineSpec
from services import drafts
from storage.models import DatasetRead
from ui import resources

DATASET, SPEC, RUN_ID, DRAFT_KEY = "dataset", "draft_spec", "run_id", "draft_key"
DRAFT_PARAM = "draft"
_KEY = re.compile(r"[0-9a-z_-]{1,64}")


def draft_key() -> str:
    """This session's draft key: the one in the address (after a refresh), or a new one. Written back into
    the address on every run, since moving to another page clears it."""
    key = st.session_state.get(DRAFT_KEY)
    if key is None:
        asked = st.query_params.get(DRAFT_PARAM, "")
        usable = _KEY.fullmatch(asked) and drafts.is_free(resources.storage(), key=asked)  # not another's
        switch_draft(asked if usable else uuid.uuid4().hex)
        key = st.session_state[DRAFT_KEY]
    if st.query_params.get(DRAFT_PARAM) != key:
        st.query_params[DRAFT_PARAM] = key
    return key


def switch_draft(key: str) -> None:
    """Work on the draft saved under `key` (empty if there is none yet)."""
    for name in (DATASET, SPEC, RUN_ID):
        st.session_state.pop(name, None)
    st.session_state[DRAFT_KEY] = key
    st.query_params[DRAFT_PARAM] = key
    saved = drafts.load(resources.storage(), key=key)
    if saved is None:
        return
    draft, saved_dataset = saved
    try:
        st.session_state[SPEC] = PipelineSpec.from_json(draft.spec_json)
    except SpecError:
        return  # a draft from an older catalog: start afresh rather than fail
    st.session_state[DATASET], st.session_state[RUN_ID] = saved_dataset, draft.run_id


def continue_draft(source: str) -> None:
    """Carry on here from another session's draft: this session's own draft becomes a copy of it."""
    drafts.copy(resources.storage(), source=source, key=draft_key())
    switch_draft(draft_key())


def dataset() -> DatasetRead | None:
    draft_key()
    return st.session_state.get(DATASET)


def spec() -> PipelineSpec | None:
    draft_key()
    return st.session_state.get(SPEC)


def set_spec(new_spec: PipelineSpec) -> None:
    st.session_state[SPEC] = new_spec
    drafts.save(resources.storage(), key=draft_key(), dataset_id=dataset().id, spec=new_spec)


def open_pipeline(new_dataset: DatasetRead, new_spec: PipelineSpec) -> None:
    """Make a stored dataset and spec the ones every page works on. A run on show of another dataset is no
    longer shown (the saved draft forgets it too)."""
    if dataset() is None or dataset().id != new_dataset.id:
        st.session_state[RUN_ID] = None
    st.session_state[DATASET] = new_dataset
    set_spec(new_spec)


def run_id() -> int | None:
    draft_key()
    return st.session_state.get(RUN_ID)


def set_run_id(value: int | None) -> None:
    st.session_state[RUN_ID] = value
    drafts.watch(resources.storage(), key=draft_key(), run_id=value)
