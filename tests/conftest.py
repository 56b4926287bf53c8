"""Shared fixtures: real data (scikit-learn's bundled sets, the generated churn table), a real SQLite file and a
real PostgreSQL server."""

import os

import pandas as pd
import pytest
from hypothesis import settings

from pipeline_core.data.samples import SAMPLES, make_churn
from storage.artifacts import ArtifactStore
from storage.db import database_url as default_url
from storage.db import make_engine
from tests import postgres

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


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server per test process, started when a test first asks for it."""
    with postgres.server() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_server):
    """A fresh database on that server for one test (PostgreSQL's counterpart of `data_dir`'s SQLite file)."""
    with postgres.database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, data_dir, monkeypatch) -> str:
    """A test asking for it runs on both stores: the embedded SQLite file and a fresh PostgreSQL database, whose
    URL is set as PIPEWRIGHT_DB_URL so that the processes the test starts use it too."""
    if request.param == "sqlite":
        return default_url()
    url = request.getfixturevalue("postgres_database")
    monkeypatch.setenv("PIPEWRIGHT_DB_URL", url)
    return url
