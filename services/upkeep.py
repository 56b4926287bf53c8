"""Start-up housekeeping: what dead runs and dead writers left behind is marked or removed."""

import shutil

from storage import repo
from storage.db import Storage, log_root, scratch_root, session_scope


def tidy(storage: Storage) -> None:
    """Runs of this machine whose process is gone become 'interrupted'; their scratch folders and partial
    artifact writes of dead processes are removed, and so, when the artifact folder is this database's, are
    artifacts no record names (past a grace period). The folders it keeps are made private."""
    folders = list(scratch_root().glob("run-*"))  # listed before the runs are read: a run makes its folder after
    with session_scope(storage.engine) as session:
        repo.interrupt_dead_runs(session)
        kept = {f"run-{run_id}" for run_id in repo.active_run_ids(session)}
        referenced = repo.referenced_artifacts(session)
    for folder in folders:
        if folder.name not in kept:
            shutil.rmtree(folder, ignore_errors=True)
    storage.artifacts.sweep(referenced if storage.owns_artifacts() else None)
    for folder in (storage.artifacts.root, *storage.artifacts.root.glob("*"), log_root(), scratch_root()):
        if folder.is_dir():
            folder.chmod(0o700)  # folders made by an earlier version may be open to anyone
