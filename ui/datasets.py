"""Loading a file into the workspace and profiling it, shared by the Data page's tabs."""

import pandas as pd
import streamlit as st

from pipeline_core.columns import infer_column_types
from pipeline_core.errors import DataError
from pipeline_core.ingest import ReadOptions, fingerprint, infer_task, read_table
from pipeline_core.profile import Profile, profile
from pipeline_core.spec import PipelineSpec, default_spec
from storage import repo
from storage.db import session_scope
from storage.models import DatasetRead
from ui import resources, state

NOTES = "load_notes"


def load(data: bytes, filename: str, *, options: ReadOptions | None = None, target: str | None = None) -> bool:
    """Read, store and open a file as a fresh draft; a bad file only shows a message. Returns success."""
    with st.status(f"Reading {filename}…", expanded=False) as status:
        try:
            table = read_table(data, filename, options)
        except DataError as error:
            status.update(label="The file could not be used", state="error")
            st.error(str(error))
            return False
        status.update(label=f"Storing {len(table.frame):,} rows…")
        with session_scope(resources.engine()) as session:
            dataset = repo.save_dataset(
                session,
                resources.store(),
                frame=table.frame,
                fingerprint=fingerprint(data, table.options),
                name=filename,
                size_bytes=len(data),
                read_options=table.options.model_dump(),
                source=data,
            )
        status.update(label="Inferring column types…")
        open_dataset(dataset, table.frame, target=target)
        status.update(label=f"Loaded {filename}", state="complete")
    st.session_state[NOTES] = table.notes
    return True


def open_dataset(dataset: DatasetRead, frame: pd.DataFrame, *, target: str | None = None) -> None:
    """Start a draft on a stored dataset: target guessed, every column's type inferred and recorded."""
    target = target if target in frame.columns else frame.columns[-1]
    spec = default_spec(
        target=target,
        task=infer_task(frame[target]),
        dataset_fingerprint=dataset.fingerprint,
        dataset_name=dataset.name,
        column_types=infer_column_types(frame),
    )
    state.open_pipeline(dataset, spec)
    st.session_state[NOTES] = []


@st.cache_data(max_entries=16, show_spinner="Profiling the data…")
def cached_profile(dataset_fingerprint: str, data_spec_json: str, _frame: pd.DataFrame, _spec: PipelineSpec) -> Profile:
    """The profile, recomputed only when the dataset or the data part of the spec changes."""
    return profile(_frame, _spec)


def dataset_profile(frame: pd.DataFrame, spec: PipelineSpec) -> Profile:
    return cached_profile(spec.data.dataset_fingerprint or "", spec.data.model_dump_json(), frame, spec)
