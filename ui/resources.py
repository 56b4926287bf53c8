"""Process-wide resources, made once per server and shared by every session."""

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from storage import repo
from storage.artifacts import ArtifactStore
from storage.db import artifact_store, make_engine, session_scope
from storage.models import DatasetRead


@st.cache_resource
def engine() -> Engine:
    """The database engine; on first use, runs left 'running' by a dead server become 'interrupted'."""
    made = make_engine()
    with session_scope(made) as session:
        repo.mark_interrupted_runs(session)
    return made


@st.cache_resource
def store() -> ArtifactStore:
    return artifact_store()


@st.cache_data(max_entries=8, show_spinner="Loading the dataset…")
def dataset_frame(dataset: DatasetRead) -> pd.DataFrame:
    return repo.load_dataset_frame(store(), dataset)
