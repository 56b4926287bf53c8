"""Work the pages start but never wait for: training runs in worker processes, run-time estimates in a
background thread of the server (an estimate fits models, which with other runs training can take a while)."""

from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import pandas as pd
import streamlit as st

from pipeline_core.estimate import estimate
from pipeline_core.spec import PipelineSpec
from services import runs
from storage.models import DatasetRead
from ui import resources, state

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
    """The run's estimated time in words (None when the spec cannot train: the Train button says why), as a
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


def _describe(spec: PipelineSpec, frame: pd.DataFrame) -> str | None:
    try:
        return estimate(spec, frame).describe()
    except Exception:  # noqa: BLE001 - an estimate is a courtesy: the Train button or the run says what is wrong
        return None
