"""Loading a file into the workspace and profiling it, shared by the Data page's tabs."""

import pandas as pd
import streamlit as st

from pipeline_core.columns import infer_column_types
from pipeline_core.data import aggregate
from pipeline_core.data.aggregate import RFMColumns
from pipeline_core.data.ingest import ReadOptions, infer_task, read_table
from pipeline_core.data.report import Profile, profile
from pipeline_core.data.target import TargetGuess, guess_target
from pipeline_core.errors import DataError
from pipeline_core.prepare.build import preview, step_shapes
from pipeline_core.spec import PipelineSpec, default_spec
from services import datasets
from storage.errors import StorageError
from storage.models import DatasetRead
from ui import resources, state
from ui.messages import as_markdown

NOTES = "load_notes"


def load(
    data: bytes,
    filename: str,
    *,
    options: ReadOptions | None = None,
    target: str | None = None,
    keep: PipelineSpec | None = None,
) -> bool:
    """Read, store and open a file; a bad file only shows why. Returns whether it loaded.

    `keep` is the draft of an earlier reading of the same file: its target, task and roles carry
    over to the columns that still exist.
    """
    error = None
    with st.status(f"Reading and storing {filename}…", expanded=False) as status:
        try:
            dataset, table = datasets.store_upload(resources.storage(), data, filename, options)
        except (DataError, StorageError) as refused:
            error = refused
            status.update(label="The file could not be used", state="error")
        else:
            status.update(label="Inferring column types…")
            open_dataset(dataset, table.frame, target=target, keep=keep)
            status.update(label=f"Loaded {filename}", state="complete")
    if error:
        st.error(as_markdown(str(error)))
        return False
    st.session_state[NOTES] = table.notes
    return True


def open_dataset(
    dataset: DatasetRead, frame: pd.DataFrame, *, target: str | None = None, keep: PipelineSpec | None = None
) -> None:
    """Start a draft on a stored dataset: target guessed (or kept), every column's type inferred and recorded."""
    if keep is not None and keep.data.target in frame.columns:
        target = keep.data.target
    column_types = infer_column_types(frame)
    target = target if target in frame.columns else guess_target(frame, column_types).column
    spec = default_spec(
        target=target,
        task=infer_task(frame[target]),
        dataset_fingerprint=dataset.fingerprint,
        dataset_name=dataset.name,
        column_types=column_types,
    )
    if keep is not None:
        roles = {column: role for column, role in keep.data.roles.items() if column in frame.columns}
        data = spec.data.model_dump() | {"roles": roles, "task": keep.data.task, "row_steps": keep.data.row_steps}
        spec = keep.replace(data=data)
    state.open_pipeline(dataset, spec)
    st.session_state[NOTES] = []


@st.cache_data(max_entries=16, show_spinner=False)
def target_guess(dataset_fingerprint: str, _frame: pd.DataFrame, column_types: dict) -> TargetGuess:
    """The target guessed for a dataset and its column types, once: the Data page says why beside its choice."""
    return guess_target(_frame, column_types)


@st.cache_data(max_entries=16, show_spinner=False)
def purchases_guess(dataset_fingerprint: str, _frame: pd.DataFrame, column_types: dict) -> RFMColumns | None:
    """The customer, date and amount columns of a dataset, once per dataset and column types (counting each
    column's values reads every row): the customer aggregation proposes them, the Data page points to it."""
    return aggregate.guess_columns(_frame, column_types)


@st.cache_data(max_entries=8, show_spinner=False)
def inferred_types(dataset_fingerprint: str, _frame: pd.DataFrame) -> dict:
    """Every column's inferred type, once per dataset (for a table no draft describes)."""
    return infer_column_types(_frame)


@st.cache_data(max_entries=16, show_spinner="Profiling the data…")
def cached_profile(dataset_fingerprint: str, data_spec_json: str, _frame: pd.DataFrame, _spec: PipelineSpec) -> Profile:
    """The profile, recomputed only when the dataset or the data part of the spec changes."""
    return profile(_frame, _spec)


def dataset_profile(frame: pd.DataFrame, spec: PipelineSpec) -> Profile:
    """The profile of the data as the spec reads it (its data part, and the folds the target must fill)."""
    key = spec.data.model_dump_json() + spec.evaluation.model_dump_json()
    return cached_profile(spec.data.dataset_fingerprint or "", key, frame, spec)


@st.cache_data(max_entries=16)
def excel_sheets(dataset: DatasetRead) -> list[str]:
    return read_table(datasets.source(resources.storage(), dataset), dataset.name).sheets


@st.cache_data(max_entries=32, show_spinner="Preparing the preview…")
def _prepared_sample(dataset_fingerprint: str, spec_json: str, _frame: pd.DataFrame, _spec: PipelineSpec):
    return preview(_spec, _frame), step_shapes(_spec, _frame)


def prepared_sample(frame: pd.DataFrame, spec: PipelineSpec) -> tuple[pd.DataFrame, dict]:
    """The preview and the columns after each step, fitted once per spec rather than on every rerun."""
    return _prepared_sample(spec.data.dataset_fingerprint or "", spec.to_json(), frame, spec)
