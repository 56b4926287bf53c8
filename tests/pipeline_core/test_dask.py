"""Training on a real Dask cluster (a LocalCluster: a scheduler and worker processes on this machine) gives the
scores a local run gives, with every fit run by the cluster's workers, even when a worker is killed mid-run."""

import os
import signal
import threading
import time

import pytest
from distributed import Client, LocalCluster, get_task_stream

from pipeline_core.errors import ComputeError
from pipeline_core.spec import default_spec
from pipeline_core.train import parallel
from pipeline_core.train.parallel import computed_on, shut_down
from pipeline_core.train.supervised import train

MODELS = [{"kind": "logistic_regression"}, {"kind": "random_forest", "params": {"n_estimators": 30}}]


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as started:
        yield started
        shut_down()  # this process's connection to it, before the cluster goes


def _scores(result) -> dict:
    return {m.key: (m.status, m.cv_scores, m.test_scores) for m in result.models}


def test_a_compare_on_a_dask_cluster_scores_exactly_as_a_local_run(cluster, churn, monkeypatch):
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"}).replace(models=MODELS)
    local = train(spec, churn)
    monkeypatch.setenv("PIPEWRIGHT_DASK_ADDRESS", cluster.scheduler_address)
    assert computed_on() == f"the Dask cluster at {cluster.scheduler_address}"
    with Client(cluster) as watching, get_task_stream(watching) as tasks:
        remote = train(spec, churn)
        workers = set(watching.scheduler_info()["workers"])
    assert remote.status == "succeeded" and _scores(remote) == _scores(local)
    ran = [task for task in tasks.data if task["key"].startswith(("_fit_model", "_prepare_fold"))]
    assert {task["worker"] for task in ran} == workers and len(workers) == 2  # spread over both workers
    assert len([task for task in ran if task["key"].startswith("_fit_model")]) >= 3 * 5  # every model's folds


def test_an_unreachable_scheduler_is_a_clear_error(churn, monkeypatch):
    monkeypatch.setenv("PIPEWRIGHT_DASK_ADDRESS", "tcp://127.0.0.1:9")
    monkeypatch.setattr(parallel, "CONNECT_SECONDS", 1)  # the wait is the same whatever its length
    spec = default_spec(target="churn", task="classification").replace(models=MODELS[:1])
    with pytest.raises(ComputeError, match=r"scheduler at tcp://127.0.0.1:9 \(PIPEWRIGHT_DASK_ADDRESS\) could not"):
        train(spec, churn)


def _kill_a_worker_once_it_fits(client: Client, killed: list) -> None:
    """As a hardware failure would: SIGKILL the process of the first worker seen fitting a model."""
    pids = client.run(os.getpid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for worker, keys in client.processing().items():
            if any(str(key).startswith("_fit_model") for key in keys):
                os.kill(pids[worker], signal.SIGKILL)
                killed.append(worker)
                return
        time.sleep(0.05)


def test_a_worker_killed_mid_run_has_its_fits_done_again_and_the_scores_do_not_change(churn, monkeypatch):
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"}).replace(
        models=[{"kind": "random_forest", "params": {"n_estimators": 80}}], evaluation={"racing": False}
    )
    local = train(spec, churn)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv("PIPEWRIGHT_DASK_ADDRESS", cluster.scheduler_address)
        killed: list = []
        with Client(cluster) as watching:
            killer = threading.Thread(target=_kill_a_worker_once_it_fits, args=(watching, killed))
            killer.start()
            remote = train(spec, churn)
            killer.join()
        shut_down()
    assert killed, "no worker was seen fitting"
    assert remote.status == "succeeded" and _scores(remote) == _scores(local)
