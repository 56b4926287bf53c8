"""Shared fixtures: real data (scikit-learn's bundled sets, the generated churn table) and a real SQLite file."""

import os

import pandas as pd
import pytest
from hypothesis import settings

from pipeline_core.data.samples import SAMPLES, make_churn
from storage.artifacts import ArtifactStore
from storage.db import make_engine

# Property-based tests try 120 examples each in the suite; HYPOTHESIS_PROFILE=deep tries many more, by hand.
settings.register_profile("suite", max_examples=120)
settings.register_profile("deep", max_examples=5000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="session")
def churn() -> pd.DataFrame:
    return make_churn(n_rows=300)


@pytest.fixture(scope="session")
def iris() -> pd.DataFrame:
    return SAMPLES["iris"].make()


@pytest.fixture(scope="session")
def diabetes() -> pd.DataFrame:
    return SAMPLES["diabetes"].make()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private data folder and SQLite file for one test; the project's data/ is never touched."""
    monkeypatch.setenv("PIPEWRIGHT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PIPEWRIGHT_DB_URL", raising=False)
    return tmp_path


@pytest.fixture
def engine(data_dir):
    made = make_engine()
    yield made
    made.dispose()


@pytest.fixture
def store(data_dir) -> ArtifactStore:
    return ArtifactStore(data_dir / "artifacts")
