"""Work the pages start but never wait for: training runs in worker processes; run-time estimates and a run's
extras asked for afterwards (a model's file, its importance) in background threads of the server."""

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
import streamlit as st

from pipeline_core.errors import SpecError
from pipeline_core.spec import PipelineSpec
from pipeline_core.train.estimate import available_memory, estimate
from services import runs
from storage.models import DatasetRead
from ui import resources, state
from ui.messages import as_markdown

MAX_ESTIMATES = 32  # remembered per server, the latest first
ESTIMATE = "estimate_key"  # the spec and dataset this session last asked about


def start_training(dataset: DatasetRead, spec: PipelineSpec, *, reproduces_id: int | None = None) -> int:
    """Check the spec against the data, record a queued run and start its worker; the session watches it.

    Raises:
        DataError, SpecError: before anything is stored, when this spec cannot train on this data.
    """
    run = runs.start(resources.storage(), dataset, resources.dataset_frame(dataset), spec, reproduces_id=reproduces_id)
    state.set_run_id(run.id)
    return run.id


@st.cache_resource
def _estimator() -> tuple[ThreadPoolExecutor, OrderedDict]:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="estimate"), OrderedDict()


def estimate_text(dataset: DatasetRead, spec: PipelineSpec) -> Future:
    """The run's estimated time and memory in words, with warnings (None when the spec cannot train: the Train
    button says why), as a
    future: asked once per spec and dataset, and made in the background. A session's estimate of a spec it
    has since changed is dropped if it has not started, so quick edits do not queue up."""
    pool, futures = _estimator()
    key = (spec.content_hash(), dataset.fingerprint)
    previous = st.session_state.get(ESTIMATE)
    if previous != key and previous in futures and futures[previous].cancel():
        del futures[previous]
    st.session_state[ESTIMATE] = key
    if key not in futures:
        futures[key] = pool.submit(_describe, spec, resources.dataset_frame(dataset))
        while len(futures) > MAX_ESTIMATES:
            futures.popitem(last=False)
    return futures[key]


def _describe(spec: PipelineSpec, frame: pd.DataFrame) -> tuple[str, list[str]] | None:
    """The estimate in words, and warnings: a model that takes most of a long run, a run that will not fit in
    memory (which the Train button would refuse)."""
    try:
        found = estimate(spec, frame)
    except Exception:  # noqa: BLE001 - an estimate is a courtesy: the Train button or the run says what is wrong
        return None
    warnings = [warning for warning in [found.slow_model(spec)] if warning]
    try:
        found.memory.check(spec, available_memory())
    except SpecError as error:
        warnings.append(str(error))
    return found.describe(), warnings


@st.cache_resource
def _extras() -> tuple[ThreadPoolExecutor, dict]:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="extras"), {}


def in_background(key: tuple, work: Callable, *args) -> Future:
    """`work(*args)` in a background thread of the server, once per key (a model's file, its importance): the
    page shows its progress and never waits. A failed attempt is made again when asked for again."""
    pool, futures = _extras()
    if key not in futures or (futures[key].done() and futures[key].exception() is not None):
        futures[key] = pool.submit(work, *args)
    return futures[key]


def started(key: tuple) -> Future | None:
    """The background work under `key`, if it was asked for."""
    return _extras()[1].get(key)


def failed(key: tuple) -> bool:
    """Whether the background work under `key` ended in an error."""
    future = started(key)
    return future is not None and future.done() and future.exception() is not None


def on_request(key: tuple, work: Callable, *args, ask: str, working: str):
    """A button that starts `work(*args)` in the background, then a note while it runs, then its result (None
    until there is one). An error is shown in plain words, with the button to try again."""
    future = started(key)
    if future is None or failed(key):
        if future is not None:
            st.error(as_markdown(str(future.exception())))
        if not st.button(ask, key=f"ask.{'.'.join(map(str, key))}"):
            return None
        future = in_background(key, work, *args)
    if not future.done():
        st.fragment(run_every=1.0)(_wait_for)(future, working)
        return None
    return future.result()


def _wait_for(future: Future, working: str) -> None:
    if future.done():
        st.rerun()  # the whole page again, now with the result
    st.caption(working)
