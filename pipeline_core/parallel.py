"""The process pool every training job runs in: native threads capped per task, so tasks × threads never
exceed the cores, and no pool process outliving the process that started it, even one killed with -9."""

import os
import threading
import time
from pathlib import Path

from joblib import parallel_config

WATCH_SECONDS = 0.5


def process_pool(threads: int, scratch_dir: Path | None = None) -> parallel_config:
    """joblib's loky pool, for `Parallel(...)` calls inside `with process_pool(...)`. Large arrays it
    memory-maps go to `scratch_dir` (the run's own folder, swept if the run dies) instead of /dev/shm."""
    return parallel_config(
        backend="loky",
        inner_max_num_threads=threads,
        temp_folder=None if scratch_dir is None else str(scratch_dir),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def _exit_with_parent(parent: int) -> None:
    """Runs in each pool process as it starts: it ends itself as soon as its parent is gone (loky's own
    workers would finish the fit they are in, for minutes, before noticing)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
