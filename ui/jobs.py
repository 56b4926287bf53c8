"""Training off the page's thread: the run lives in the database, the page only polls it.

The worker thread belongs to the server process, not to a browser session, so leaving the page
or refreshing the browser shows the same run with its live progress.
"""

import threading

from pipeline_core.spec import PipelineSpec
from pipeline_core.train import check_trainable, library_versions, train
from storage import repo
from storage.db import session_scope
from storage.models import DatasetRead
from storage.recorder import RunRecorder
from ui import resources


def start_training(dataset: DatasetRead, spec: PipelineSpec) -> int:
    """Check the spec against the data, record a queued run and start it; return the run id.

    Raises:
        DataError, SpecError: before anything is stored, when this spec cannot train on this data.
    """
    frame = resources.dataset_frame(dataset)
    check_trainable(spec, frame)
    engine, store = resources.engine(), resources.store()
    with session_scope(engine) as session:
        run = repo.create_run(session, dataset_id=dataset.id, spec=spec, library_versions=library_versions())
    recorder = RunRecorder(engine, store, run.id)
    threading.Thread(
        target=recorder.record,
        args=(lambda observer: train(spec, frame, observer=observer),),
        name=f"pipewright-run-{run.id}",
        daemon=True,
    ).start()
    return run.id
