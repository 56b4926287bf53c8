"""The worker processes training runs in: tasks handed out one at a time, so the caller chooses each next task
after seeing the last outcome (a model the race stopped gets no further fold); native threads capped per task,
so tasks × threads never exceed the cores; and no worker outliving the process that started it, even one
killed with -9. A small job runs in this process instead, where starting workers would cost more than it saves.
"""

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from joblib.externals.loky import get_reusable_executor

WATCH_SECONDS = 0.5
IDLE_SECONDS = 300  # a reused pool's workers end after this long without a task
# Below this many training rows × models, starting a pool of processes costs more than it saves.
IN_PROCESS_WORK = 10_000
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


class Pool:
    """`size` worker processes (loky's executor, reused from one run to the next), or this very process when
    `size` is 1. `submit` returns a future; a task in this process has run by the time it returns."""

    def __init__(self, size: int, warm_up: Callable[[], None] | None = None) -> None:
        """`warm_up`: a task each new worker runs at once, so it imports the engine (the module that defines
        the task) while this process gets the data ready."""
        self.size, self.threads = size, threads_per_task(size)
        self._executor = self._start() if size > 1 else None
        if self._executor is not None and warm_up is not None:
            for _ in range(size):
                self._executor.submit(warm_up)

    def _start(self, *, anew: bool = False):
        global _latest
        _latest = get_reusable_executor(
            max_workers=self.size,
            timeout=IDLE_SECONDS,
            kill_workers=anew,
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
            env=dict.fromkeys(THREAD_VARIABLES, str(self.threads)),
        )
        return _latest

    def submit(self, task, *args, **kwargs) -> Future:
        if self._executor is not None:
            return self._executor.submit(task, *args, **kwargs)
        done: Future = Future()
        done.set_result(task(*args, **kwargs))
        return done

    def restart(self) -> None:
        """Workers anew, after one was killed (which breaks the whole pool: its other tasks must be sent again)."""
        if self._executor is not None:
            self._executor = self._start(anew=True)

    @property
    def preemptible(self) -> bool:
        """Whether a running task can be stopped mid-way (it runs in a worker, whose process can be ended)."""
        return self._executor is not None


_latest = None  # the executor last started, for shut_down


def shut_down() -> None:
    """End the workers at once: for a process about to leave without tearing down (the CLI), so loky's
    resource tracker has nothing left to warn about."""
    if _latest is not None:
        _latest.shutdown(wait=True, kill_workers=True)


def threads_per_task(workers: int) -> int:
    """Native threads each task may use, so that tasks × threads never exceed the cores."""
    return max(1, (os.cpu_count() or 1) // workers)


def kill(pid_file: Path) -> bool:
    """End the worker running the task that wrote `pid_file` (see `running`); whether it was found."""
    try:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        return False
    return True


def seconds_running(pid_file: Path) -> float | None:
    """How long the task that wrote `pid_file` (see `running`) has been running; None if it is not."""
    try:
        return time.time() - pid_file.stat().st_mtime
    except OSError:
        return None


class running:
    """`with running(path):` in a task: its worker's pid is in the file while the task runs, so the parent can
    end that one worker (a fit over its time budget) rather than wait for it."""

    def __init__(self, pid_file: Path | None) -> None:
        self.pid_file = pid_file

    def __enter__(self) -> None:
        if self.pid_file is not None:
            self.pid_file.write_text(str(os.getpid()))

    def __exit__(self, *_) -> None:
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)


def _exit_with_parent(parent: int) -> None:
    """Runs in each worker as it starts: it ends itself as soon as its parent is gone (loky's own workers
    would finish the fit they are in, for minutes, before noticing)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def workers_for(n_train: int, n_models: int) -> int:
    """The cores, or this process alone for a small table (starting workers would cost more than it saves)."""
    return 1 if n_train * n_models <= IN_PROCESS_WORK else os.cpu_count() or 1
