"""One training run in a process of its own: `python -m storage.worker RUN_ID`.

The app starts one per run, in a new session, so a run belongs to no browser tab and survives a
refresh, a closed tab, even a restarted server. The worker reads the run's spec and data from the
database, records progress and each finished model there, and watches for a cancel request: it
stops within seconds even in the middle of a long fit, keeping the models already recorded.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipeline_core.spec import PipelineSpec
from pipeline_core.train import train
from storage import repo
from storage.db import PROJECT_ROOT, artifact_store, data_dir, make_engine, session_scope
from storage.recorder import RunRecorder

CANCEL_POLL_SECONDS = 0.5
GRACE_SECONDS = 1.5  # a fit that ends meanwhile lets the engine stop cleanly instead


def log_path(run_id: int) -> Path:
    return data_dir() / "logs" / f"run-{run_id}.log"


def start(run_id: int) -> subprocess.Popen:
    """Launch the worker for a queued run, detached from the caller's session and terminal."""
    log = log_path(run_id)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "storage.worker", str(run_id)],
            cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: cancelling stops its pool workers too
        )


def scratch_dir(run_id: int) -> Path:
    """Where the run's temporary files (each fold's prepared rows) go, so a cancelled run's are found."""
    return data_dir() / "tmp" / f"run-{run_id}"


def main(argv: list[str]) -> int:
    run_id = int(argv[0])
    scratch = scratch_dir(run_id)
    scratch.mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = str(scratch)
    try:
        return _record(run_id)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _record(run_id: int) -> int:
    engine, store = make_engine(), artifact_store()
    with session_scope(engine) as session:
        run = repo.get_run(session, run_id=run_id)
        dataset = repo.get_dataset(session, dataset_id=run.dataset_id)
    spec = PipelineSpec.from_json(run.spec_json)
    recorder = RunRecorder(engine, store, run_id)
    threading.Thread(target=_stop_when_cancelled, args=(recorder,), daemon=True).start()
    recorder.record(lambda observer: train(spec, repo.load_dataset_frame(store, dataset), observer=observer))
    return 0


def _stop_when_cancelled(recorder: RunRecorder) -> None:
    """The engine checks for a cancel between fits; one fit can take minutes, so after a short grace
    the run is recorded as cancelled and the whole process group ends."""
    while not recorder.should_stop():
        time.sleep(CANCEL_POLL_SECONDS)
    time.sleep(GRACE_SECONDS)
    recorder.abandon("cancelled")
    shutil.rmtree(scratch_dir(recorder.run_id), ignore_errors=True)
    os.killpg(os.getpgrp(), signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
