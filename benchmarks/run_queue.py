"""Eight training runs started at once against the same eight started one after another, in one run.

Each run is what the Train page starts (`services.runs.start`): a worker process of its own, training the
generated churn table (--rows) with logistic regression and a random forest plus the dummy baseline, racing off,
recorded in an SQLite store in a fresh temporary data folder. The default 6,000 rows are enough for each run to
train in a pool of worker processes of its own, as a real table's run does (the header line says which). At once:
all started together, the queue letting PIPEWRIGHT_MAX_RUNS (default 1) train at a time while the others wait
their turn. One after another: each started when the last has ended. Each wall time runs from the first start
until the last run has ended (looked at every 0.1 s). Prints both, their ratio, how many succeeded, whether any
run's error or worker log said "database is locked", and the most processes (workers and their pools) and memory
they held at once.
Run: `python -m benchmarks.run_queue [--runs 8] [--rows 6000]`.
"""

import argparse
import os
import tempfile
import threading
import time
from collections.abc import Callable

import psutil

from pipeline_core.data.samples import make_churn
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.supervised import run_workers
from services import datasets, runs
from storage import processes
from storage.db import Storage, log_path
from storage.models import RunRead

POLL_SECONDS = 0.1
LOCKED = "database is locked"
MODELS = [{"kind": "logistic_regression"}, {"kind": "random_forest", "params": {"n_estimators": 100}}]


def churn_csv(rows: int) -> bytes:
    return make_churn(n_rows=rows).to_csv(index=False).encode()


def bench_spec() -> PipelineSpec:
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    return spec.replace(models=MODELS, evaluation={"racing": False})  # the same work whichever way it is started


def ended(storage: Storage, run_id: int) -> RunRead:
    """The run once it is no longer queued or running."""
    while (run := runs.get(storage, run_id)).is_active:
        time.sleep(POLL_SECONDS)
    return run


def at_once(storage: Storage, start: Callable[[], RunRead], count: int) -> list[RunRead]:
    started = [start() for _ in range(count)]
    return [ended(storage, run.id) for run in started]


def one_after_another(storage: Storage, start: Callable[[], RunRead], count: int) -> list[RunRead]:
    return [ended(storage, start().id) for _ in range(count)]


def said_locked(run: RunRead) -> bool:
    """Whether the run's error, last message or worker log mention SQLite's lock (read while its folder exists)."""
    log = log_path(run.id)
    return any(LOCKED in text for text in (run.error or "", run.message, log.read_text() if log.exists() else ""))


def wait_until_gone(finished: list[RunRead], seconds: float = 30) -> None:
    """Until the workers have left, so that one way's last processes take no cores from the next way's runs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(run.worker_pid and processes.alive(run.worker_pid) for run in finished):
        time.sleep(POLL_SECONDS)


class Peak(threading.Thread):
    """The most processes this one's descendants (workers and their pools) numbered at once, and the most memory
    (resident) they held at once, looked at every POLL_SECONDS until `stop`."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.processes, self.bytes, self.stopped = 0, 0, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(POLL_SECONDS):
            alive = psutil.Process().children(recursive=True)
            held = sum(self._resident(child) for child in alive)
            self.processes, self.bytes = max(self.processes, len(alive)), max(self.bytes, held)

    @staticmethod
    def _resident(process: psutil.Process) -> int:
        try:
            return process.memory_info().rss
        except psutil.Error:  # it ended between the listing and the look
            return 0


def timed(way, count: int, csv: bytes) -> tuple[float, list[RunRead], bool, Peak]:
    """`count` runs started `way` on a store of their own: wall time, the ended runs, whether any said locked, and
    the peak of their processes."""
    with tempfile.TemporaryDirectory(prefix="pipewright-queue-", ignore_cleanup_errors=True) as folder:
        os.environ["PIPEWRIGHT_DATA_DIR"] = folder  # read by this process and inherited by every worker
        storage = Storage.open()
        try:
            dataset, table = datasets.store_upload(storage, csv, "churn.csv")
            spec = bench_spec()

            def start() -> RunRead:
                return runs.start(storage, dataset, table.frame, spec)

            peak = Peak()
            peak.start()
            begun = time.perf_counter()
            finished = way(storage, start, count)
            seconds = time.perf_counter() - begun
            peak.stopped.set()
            wait_until_gone(finished)
            return seconds, finished, any(said_locked(run) for run in finished), peak
        finally:
            storage.engine.dispose()


def report(label: str, seconds: float, finished: list[RunRead], locked: bool, peak: Peak) -> None:
    succeeded = sum(run.status == "succeeded" for run in finished)
    print(  # noqa: T201 - the benchmark's output
        f"{label:<19} {seconds:6.1f} s, {succeeded} of {len(finished)} succeeded, "
        f"'{LOCKED}' {'seen' if locked else 'not seen'}, at most {peak.processes} processes "
        f"holding {peak.bytes / 2**20:,.0f} MiB"
    )
    for run in finished:
        if run.status != "succeeded":
            print(f"  run {run.id}: {run.status}: {run.error}")  # noqa: T201 - the benchmark's output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--rows", type=int, default=6000)
    args = parser.parse_args()
    os.environ.pop("PIPEWRIGHT_DB_URL", None)  # each way's own SQLite file, never a configured server
    csv = churn_csv(args.rows)
    timed(one_after_another, 1, csv)  # warm the file cache for the workers' imports, for both ways alike
    together = timed(at_once, args.runs, csv)
    in_turn = timed(one_after_another, args.runs, csv)
    max_runs = os.environ.get("PIPEWRIGHT_MAX_RUNS") or "1"
    processes_each = run_workers(bench_spec(), args.rows)
    print(  # noqa: T201 - the benchmark's output
        f"{args.runs} runs of {args.rows:,} rows, each training in "
        f"{'its worker alone' if processes_each == 1 else f'a pool of {processes_each}'}, "
        f"PIPEWRIGHT_MAX_RUNS={max_runs}"
    )
    report("at once:", *together)
    report("one after another:", *in_turn)
    print(f"at once / one after another = {together[0] / in_turn[0]:.2f}x")  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
