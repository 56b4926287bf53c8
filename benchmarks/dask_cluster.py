"""A large compare trained on this machine's worker processes against the same compare on a Dask cluster, in one run.

Both: `train` on the generated churn table at 500,000 rows (or --rows), the default spec with logistic regression
and histogram gradient boosting (or --models) plus the dummy baseline, racing off, every fold of each and a final
fit scored on the held-out part. Locally: the engine's pool of a process per core. On the cluster: a
`distributed.LocalCluster` of 2 worker processes with a thread each, named by PIPEWRIGHT_DASK_ADDRESS; its workers
share this machine's temporary folder, where the prepared folds are written, as a real cluster's would through a
shared file system. Both are warmed up first on a small table, and the order alternates from round to round.
Prints each timing, the ratio of the medians (cluster/local) and whether every model's scores are identical on
both (they must be).
Run: `python -m benchmarks.dask_cluster [--rows 500000] [--rounds 2] [--models hist_gradient_boosting]`.
"""

import argparse
import os
import statistics
import time

from distributed import LocalCluster

from pipeline_core.data.samples import make_churn
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.parallel import cores, shut_down
from pipeline_core.train.supervised import TrainResult, train

ADDRESS = "PIPEWRIGHT_DASK_ADDRESS"
WARM_UP_ROWS = 2000


def bench_spec(keys: list[str]) -> PipelineSpec:
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    return spec.replace(models=[{"kind": key} for key in keys], evaluation={"racing": False})  # every fold, both


def timed(spec: PipelineSpec, frame, address: str | None) -> tuple[float, TrainResult]:
    """One compare, on the cluster at `address` or (None) on this machine."""
    if address:
        os.environ[ADDRESS] = address
    else:
        os.environ.pop(ADDRESS, None)
    start = time.perf_counter()
    result = train(spec, frame)
    return time.perf_counter() - start, result


def warm_up(spec: PipelineSpec, frame, address: str) -> None:
    """The engine imported by every worker on both sides, and the local pool started (a small table would train in
    this process alone, hence n_jobs), as a pool reused from one run to the next and a running cluster are."""
    small = frame.head(WARM_UP_ROWS)
    os.environ.pop(ADDRESS, None)
    train(spec, small, n_jobs=cores())
    timed(spec, small, address)


def scores(result: TrainResult) -> dict:
    return {m.key: (m.status, m.cv_scores, m.test_scores) for m in result.models}


def differing(local: TrainResult, remote: TrainResult) -> set[str]:
    """The models whose status, CV scores or held-out scores differ between the two."""
    ours, theirs = scores(local), scores(remote)
    return {key for key in ours.keys() | theirs.keys() if ours.get(key) != theirs.get(key)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models", default="logistic_regression,hist_gradient_boosting")
    args = parser.parse_args()
    spec, frame = bench_spec(args.models.split(",")), make_churn(n_rows=args.rows)
    seconds, unequal = {"local": [], "cluster": []}, set()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        warm_up(spec, frame, address)
        for round_ in range(1, args.rounds + 1):
            results = {}
            for where in ("local", "cluster") if round_ % 2 else ("cluster", "local"):  # who goes first alternates
                took, results[where] = timed(spec, frame, address if where == "cluster" else None)
                seconds[where].append(took)
            unequal |= differing(results["local"], results["cluster"])
            print(  # noqa: T201 - the benchmark's output
                f"round {round_}: local {seconds['local'][-1]:.1f} s, Dask cluster {seconds['cluster'][-1]:.1f} s"
            )
        shut_down()  # this process's client and pool, before the cluster goes
    ratio = statistics.median(seconds["cluster"]) / statistics.median(seconds["local"])
    same = f"scores differ for {', '.join(sorted(unequal))}" if unequal else "every model's scores identical on both"
    print(  # noqa: T201 - the benchmark's output
        f"rows={args.rows:,}: cluster/local = {ratio:.2f}x (medians); {same} (CV and held-out)"
    )


if __name__ == "__main__":
    main()
