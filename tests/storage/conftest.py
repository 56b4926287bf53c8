"""Every storage test runs on both stores (see `database_url`)."""

import pytest

from storage.db import make_engine


@pytest.fixture
def engine(database_url):
    made = make_engine(database_url)
    yield made
    made.dispose()
