"""AppTest starts from app.py, like the real app, with a private data folder per test."""

import time
from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def app(data_dir):
    import streamlit as st

    st.cache_resource.clear()  # a fresh engine for this test's data folder
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def open_page(at: AppTest, name: str) -> AppTest:
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, at.exception
    return at


def load_sample(at: AppTest, key: str) -> AppTest:
    open_page(at, "1_Data")
    at.selectbox(key="sample").select(key).run()
    at.button(key="load_sample").click().run()
    assert not at.exception
    return at


def train_and_wait(at: AppTest, timeout: float = 120) -> AppTest:
    open_page(at, "3_Train")
    at.button(key="train").click().run()
    assert not at.error, [e.value for e in at.error]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if at.success or at.error:
            break
        time.sleep(0.5)
        at.run()
    assert at.success, [e.value for e in at.error]
    return at


def _start_and_finish(storage, dataset, frame, spec, *, reproduces_id=None):
    """`services.runs.start`, with the run trained in this process before it returns."""
    from services import runs

    run = runs.create(storage, dataset, frame, spec, reproduces_id=reproduces_id)
    runs.execute(storage, run, frame)
    return runs.get(storage, run.id)


def train_here(at: AppTest) -> AppTest:
    """Press Train, with the run made in this process rather than by a worker polled until it ends: for tests
    that need a finished run (`train_and_wait` and the browser tests drive the worker)."""
    open_page(at, "3_Train")
    with mock.patch("services.runs.start", _start_and_finish):
        at.button(key="train").click().run()
    assert not at.error, [e.value for e in at.error]
    return rerun_until(at, lambda at: at.success or at.error)


def train_sample(at: AppTest, sample: str, models: list[str], task: str = "classification") -> AppTest:
    """Load a sample, pick the models and train them in this process."""
    load_sample(at, sample)
    open_page(at, "3_Train")
    at.multiselect(key=f"models.{task}").set_value(models).run()
    return train_here(at)


def rerun_until(at: AppTest, shown, timeout: float = 60) -> AppTest:
    """Rerun the page, as its polling does, until `shown(at)` holds (work finishing in the background)."""
    deadline = time.monotonic() + timeout
    while not shown(at):
        assert time.monotonic() < deadline, "the page never showed it"
        time.sleep(0.2)
        at.run()
    return at


def ask_for_importance(at: AppTest) -> AppTest:
    """On Compare's Importance tab, ask which columns matter, and wait for the chart."""
    next(button for button in at.button if button.key.startswith("ask.importance.")).click().run()
    return rerun_until(at, lambda at: "importance_chart" in {chart.key for chart in at.get("plotly_chart")})
