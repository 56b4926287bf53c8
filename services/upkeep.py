"""Start-up housekeeping: what dead runs and dead writers left behind is marked or removed."""

import shutil

from storage import repo
from storage.db import Storage, scratch_root, session_scope


def tidy(storage: Storage) -> None:
    """Runs of this machine whose process is gone become 'interrupted'; their scratch folders, partial
    artifact writes of dead processes, and artifacts no record names (past a grace period) are removed."""
    folders = list(scratch_root().glob("run-*"))  # listed before the runs are read: a run makes its folder after
    with session_scope(storage.engine) as session:
        repo.interrupt_dead_runs(session)
        active = repo.active_run_ids(session)
        referenced = repo.referenced_artifacts(session)
    for folder in folders:
        if folder.name.removeprefix("run-") not in {str(run_id) for run_id in active}:
            shutil.rmtree(folder, ignore_errors=True)
    storage.artifacts.sweep(referenced)
