"""Training off the server: each run is a worker process; the pages only poll its record."""

from subprocess import Popen

import pandas as pd
import streamlit as st

from pipeline_core.estimate import estimate
from pipeline_core.spec import PipelineSpec
from pipeline_core.train import check_trainable, library_versions
from storage import repo, worker
from storage.db import session_scope
from storage.models import DatasetRead
from ui import resources

# The workers this server started, so one that died without recording why is noticed (and reaped).
_workers: dict[int, Popen] = {}


def start_training(dataset: DatasetRead, spec: PipelineSpec, *, reproduces_id: int | None = None) -> int:
    """Check the spec against the data, record a queued run (a re-run of `reproduces_id`, when given) and
    start its worker; return the run id.

    Raises:
        DataError, SpecError: before anything is stored, when this spec cannot train on this data.
    """
    check_trainable(spec, resources.dataset_frame(dataset))
    engine = resources.engine()
    with session_scope(engine) as session:
        run = repo.create_run(
            session,
            dataset_id=dataset.id,
            spec=spec,
            library_versions=library_versions(),
            reproduces_id=reproduces_id,
        )
    process = worker.start(run.id)
    _workers[run.id] = process
    with session_scope(engine) as session:
        repo.assign_worker(session, run_id=run.id, pid=process.pid)
    return run.id


def check_worker(run_id: int) -> None:
    """A worker of this server that exited while its run is still active crashed: fail the run, pointing
    at its log."""
    process = _workers.get(run_id)
    if process is None or process.poll() is None:
        return
    del _workers[run_id]
    with session_scope(resources.engine()) as session:
        if repo.get_run(session, run_id=run_id).is_active:
            repo.finish_run(
                session,
                run_id=run_id,
                status="failed",
                error=f"The training worker stopped unexpectedly (exit code {process.returncode}). "
                f"Its log: {worker.log_path(run_id)}",
            )


def estimate_text(dataset: DatasetRead, spec: PipelineSpec) -> str | None:
    """The run's estimated time in words, or None when the spec cannot train (the Train button says why)."""
    return _estimate_text(spec.to_json(), dataset.fingerprint, resources.dataset_frame(dataset), spec)


@st.cache_data(max_entries=32, show_spinner="Estimating the run time…")
def _estimate_text(spec_json: str, fingerprint: str, _frame: pd.DataFrame, _spec: PipelineSpec) -> str | None:
    try:
        return estimate(_spec, _frame).describe()
    except Exception:  # noqa: BLE001 - an estimate is a courtesy: the Train button or the run says what is wrong
        return None
