"""Process-wide resources, made once per server and shared by every session."""

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from services import datasets, upkeep
from storage.artifacts import ArtifactStore
from storage.db import Storage
from storage.models import DatasetRead

SIGNED_IN_AS = "signed_in_as"  # the session's user, set by ui.signin alone


@st.cache_resource
def _opened() -> Storage:
    """The database and artifact store; on first use, what dead runs and writers left is tidied away."""
    opened = Storage.open()
    upkeep.tidy(opened)
    return opened


def storage() -> Storage:
    """The store, used on behalf of whoever signed in to this session (no one, with sign-in off)."""
    return _opened().acting_as(st.session_state.get(SIGNED_IN_AS))


def engine() -> Engine:
    return storage().engine


def store() -> ArtifactStore:
    return storage().artifacts


@st.cache_data(max_entries=8, show_spinner="Loading the dataset…")
def dataset_frame(dataset: DatasetRead) -> pd.DataFrame:
    return datasets.frame(storage(), dataset)
