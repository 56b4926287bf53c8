"""The worker processes training runs in: tasks handed out one at a time, so the caller chooses each next task
after seeing the last outcome (a model the race stopped gets no further fold); native threads capped per task,
so tasks × threads never exceed the cores; and no worker outliving the process that started it, even one
killed with -9. A small job runs in this process instead, where starting workers would cost more than it saves.
With PIPEWRIGHT_DASK_ADDRESS set, the same tasks go to that Dask cluster instead.
"""

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from joblib.externals.loky import get_reusable_executor

from pipeline_core.errors import ComputeError, SpecError
from pipeline_core.words import counted

WATCH_SECONDS = 0.5
IDLE_SECONDS = 300  # a reused pool's workers end after this long without a task
# Below this many training rows × models, starting a pool of processes costs more than it saves.
IN_PROCESS_WORK = 10_000
CONNECT_SECONDS = 10  # to reach a Dask scheduler before saying it cannot be reached
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")


def make_pool(size: int, warm_up: Callable[[], None] | None = None) -> "Pool | ClusterPool":
    """The Dask cluster's workers when PIPEWRIGHT_DASK_ADDRESS names one, else `size` processes of this machine."""
    address = cluster_address()
    return ClusterPool(address) if address else Pool(size, warm_up)


def cluster_address() -> str | None:
    return os.environ.get("PIPEWRIGHT_DASK_ADDRESS") or None


def computed_on() -> str:
    """Where runs started now train, in words."""
    address = cluster_address()
    return f"the Dask cluster at {address}" if address else f"this machine ({counted(cores(), 'core')})"


class Pool:
    """`size` worker processes (loky's executor, reused from one run to the next), or this very process when
    `size` is 1. `submit` returns a future; a task in this process has run by the time it returns."""

    def __init__(self, size: int, warm_up: Callable[[], None] | None = None) -> None:
        """`warm_up`: a task each new worker runs at once, so it imports the engine (the module that defines
        the task) while this process gets the data ready."""
        self.size, self.threads, self.threads_alone = size, threads_per_task(size), cores()
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

    def reaches(self, folder: Path) -> None:
        """The workers share this machine's files."""


class ClusterPool:
    """The Dask cluster's worker threads, one task each, through `distributed`'s futures (handed out one at a time,
    as to the processes here). The tasks read and write the run's scratch folder, so every worker must see it at
    the same path: a LocalCluster does, a real cluster through a shared file system.

    A task lost with its worker is sent again by the scheduler; lost for good, it fails as with a dead process
    here (sent once more, then its model fails). A task on another machine cannot be ended from here: time
    budgets apply between fits, and a cancelled run's tasks are forgotten when its client goes."""

    threads = threads_alone = 1
    preemptible = False

    def __init__(self, address: str) -> None:
        self.client = _client(address)
        self.size = sum(self.client.nthreads().values())
        if not self.size:
            raise ComputeError(f"The Dask cluster at {address} has no workers yet: start some, then train again.")
        self._held: set = set()  # a future nobody holds is forgotten by the scheduler

    def submit(self, task, *args) -> Future:
        remote, local = self.client.submit(task, *args, pure=False), Future()

        def relay(finished) -> None:
            self._held.discard(finished)
            try:
                local.set_result(finished.result())
            except Exception as error:  # noqa: BLE001 - lost with its worker: KilledWorker, a closed connection
                local.set_exception(BrokenProcessPool(f"{type(error).__name__}: {error}"))

        self._held.add(remote)
        remote.add_done_callback(relay)
        return local

    def restart(self) -> None:
        """Nothing: the scheduler replaces lost workers' tasks itself."""

    def reaches(self, folder: Path) -> None:
        """Raises ComputeError unless every worker sees `folder`."""
        blind = [worker for worker, seen in self.client.run(os.path.isdir, str(folder)).items() if not seen]
        if blind:
            raise ComputeError(
                f"The Dask workers {', '.join(blind)} cannot see {folder}: put PIPEWRIGHT_DATA_DIR on storage "
                "every worker mounts at the same path."
            )


_clients: dict = {}  # one connection per scheduler, per process


def _client(address: str):
    from distributed import Client  # imported only by a process that uses a cluster

    if address not in _clients:
        try:
            _clients[address] = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ComputeError(
                f"The Dask scheduler at {address} (PIPEWRIGHT_DASK_ADDRESS) could not be reached within "
                f"{CONNECT_SECONDS} s: is it running, and is the address right? ({error})"
            ) from error
    return _clients[address]


_latest = None  # the executor last started, for shut_down


def shut_down() -> None:
    """End the workers at once, and leave any cluster: for a process about to leave without tearing down (the
    CLI), so loky's resource tracker has nothing left to warn about."""
    if _latest is not None:
        _latest.shutdown(wait=True, kill_workers=True)
    while _clients:
        _clients.popitem()[1].close()


def runs_at_once() -> int:
    """How many runs may train on this machine at the same time (PIPEWRIGHT_MAX_RUNS, default 1): each has an
    equal share of the cores, so runs that wait for their turn never slow down those training.

    Raises:
        SpecError: the setting is not a whole number from 1 up.
    """
    setting = os.environ.get("PIPEWRIGHT_MAX_RUNS") or "1"
    if not setting.isdigit() or int(setting) < 1:
        raise SpecError(f"PIPEWRIGHT_MAX_RUNS must be a whole number from 1 up, not {setting!r}.")
    return int(setting)


def cores() -> int:
    """The cores one run may use: its share of the machine's."""
    return max(1, (os.cpu_count() or 1) // runs_at_once())


def threads_per_task(workers: int) -> int:
    """Native threads each task may use, so that tasks × threads never exceed the run's cores."""
    return max(1, cores() // workers)


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
    return 1 if n_train * n_models <= IN_PROCESS_WORK else cores()
