"""Process-wide resources, made once per server and shared by every session."""

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from services import datasets, upkeep
from storage.artifacts import ArtifactStore
from storage.db import Storage
from storage.models import DatasetRead


@st.cache_resource
def storage() -> Storage:
    """The database and artifact store; on first use, what dead runs and writers left is tidied away."""
    opened = Storage.open()
    upkeep.tidy(opened)
    return opened


def engine() -> Engine:
    return storage().engine


def store() -> ArtifactStore:
    return storage().artifacts


@st.cache_data(max_entries=8, show_spinner="Loading the dataset…")
def dataset_frame(dataset: DatasetRead) -> pd.DataFrame:
    return datasets.frame(storage(), dataset)
