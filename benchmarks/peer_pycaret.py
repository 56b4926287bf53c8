"""Pipewright's `run` against PyCaret 3.3.2's `compare_models`, alternately, in one invocation.

PyCaret pins scikit-learn 1.4 and pandas 2.1, so it is built in a virtual environment of its own under a
temporary folder (or one given with --pycaret-venv, kept for the next time) and never enters the project's.
Both sides get the same generated table (benchmarks/tables.py), the same 7 models (logistic or linear/ridge
regression, random forest, histogram gradient boosting, extra trees, k-nearest neighbours, decision tree, naive
Bayes or ridge), 5-fold cross-validation on the same 80 % training share, and run as whole processes from the CSV
to the leaderboard and a saved model. Each side's wall time, peak memory of all its processes together and best
CV score (ROC AUC, or R² for regression) are printed per round, then the medians and their ratio.

Run: `python -m benchmarks.peer_pycaret --rows 1000 50000 [--regression] [--rounds 3] [--pycaret-venv DIR]`
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

from benchmarks.tables import customer_table

ROOT = Path(__file__).resolve().parent.parent
PYCARET = ["pycaret==3.3.2", "six"]  # scikit-plot, which PyCaret imports, needs six without declaring it
COMMON = "random_forest,hist_gradient_boosting,extra_trees,knn,decision_tree"
MODELS = {
    "classification": f"logistic_regression,{COMMON},naive_bayes",
    "regression": f"linear_regression,{COMMON},ridge",
}
PYCARET_SCRIPT = """
import json, sys
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
path, target, task, out = sys.argv[1:5]
frame = pd.read_csv(path)
if task == "classification":
    from pycaret.classification import compare_models, pull, save_model, setup
    include, sort = ["lr", "rf", HistGradientBoostingClassifier(), "et", "knn", "dt", "nb"], "AUC"
else:
    from pycaret.regression import compare_models, pull, save_model, setup
    include, sort = ["lr", "rf", HistGradientBoostingRegressor(), "et", "knn", "dt", "ridge"], "R2"
setup(frame, target=target, session_id=42, fold=5, train_size=0.8, html=False, verbose=False, n_jobs=-1)
best = compare_models(include=include, sort=sort, verbose=False)
board = pull()
save_model(best, out)
print(json.dumps({"best": str(board.iloc[0]["Model"]), "score": float(board.iloc[0][sort])}))
"""


def pycaret_python(venv: Path) -> Path:
    """The PyCaret environment's Python, built first if it is not there."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"building PyCaret 3.3.2 in {venv} (a few minutes, once)…", flush=True)  # noqa: T201
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PYCARET], check=True)
    return python


class PeakMemory:
    """The largest total resident memory of a process and all its children, sampled while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._done = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.peak = max(self.peak, sum(_rss(pid) for pid in _tree(self.pid)))

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


def _tree(pid: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *[grandchild for child in children for grandchild in _tree(int(child))]]


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(command: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, int, str]:
    """Wall seconds, peak memory of the whole process tree (bytes) and standard output of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    out, err = process.communicate()
    seconds, peak = time.perf_counter() - start, memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{err[-2000:]}")
    return seconds, peak, out


def pipewright(csv: Path, target: str, task: str, folder: Path) -> tuple[float, int, float]:
    data_dir = Path(tempfile.mkdtemp(dir=folder))
    report = data_dir / "run.json"
    command = [sys.executable, "-m", "pipeline_core", "run", "--data", str(csv), "--target", target]
    command += ["--models", MODELS[task], "--json", str(report)]
    seconds, peak, _ = timed(command, os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)})
    run = json.loads(report.read_text())
    metric = "roc_auc" if task == "classification" else "r2"
    best = max((m for m in run["models"] if m["cv"].get(metric)), key=lambda m: m["cv"][metric]["mean"] or -1)
    return seconds, peak, best["cv"][metric]["mean"]


def pycaret(python: Path, csv: Path, target: str, task: str, folder: Path) -> tuple[float, int, float]:
    script = folder / "pycaret_compare.py"
    script.write_text(textwrap.dedent(PYCARET_SCRIPT))
    command = [str(python), str(script), str(csv), target, task, str(folder / "pycaret_model")]
    seconds, peak, out = timed(command, os.environ | {"PYTHONWARNINGS": "ignore"}, cwd=folder)  # its logs.log there
    return seconds, peak, json.loads(out.strip().splitlines()[-1])["score"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 50_000])
    parser.add_argument("--regression", action="store_true", help="the regression twin of the table")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pycaret-venv", type=Path, help="where PyCaret's environment is (built there if absent)")
    args = parser.parse_args()
    task, target = ("regression", "lifetime_value") if args.regression else ("classification", "churn")
    with tempfile.TemporaryDirectory(prefix="pipewright-peer-") as folder:
        folder = Path(folder)
        python = pycaret_python(args.pycaret_venv or folder / "pycaret-venv")
        for rows in args.rows:
            csv = folder / f"table-{rows}.csv"
            customer_table(rows, regression=args.regression).to_csv(csv, index=False)
            figures: dict[str, list[tuple[float, int, float]]] = {"Pipewright": [], "PyCaret": []}
            for round_ in range(1, args.rounds + 1):
                figures["Pipewright"].append(pipewright(csv, target, task, folder))
                figures["PyCaret"].append(pycaret(python, csv, target, task, folder))
                line = "  ".join(
                    f"{side} {s:.1f} s {m / 2**20:,.0f} MiB score {v:.4f}" for side, [*_, (s, m, v)] in figures.items()
                )
                print(f"{rows:>7,} rows {task}, round {round_}: {line}", flush=True)  # noqa: T201
            ours, theirs = ([statistics.median(x[i] for x in figures[side]) for i in range(3)] for side in figures)
            memory = f"{ours[1] / 2**20:,.0f} vs {theirs[1] / 2**20:,.0f} MiB"
            print(  # noqa: T201
                f"{rows:>7,} rows {task}: median Pipewright {ours[0]:.1f} s, PyCaret {theirs[0]:.1f} s "
                f"(PyCaret / Pipewright = {theirs[0] / ours[0]:.2f}); best CV score {ours[2]:.4f} vs {theirs[2]:.4f} "
                f"(difference {ours[2] - theirs[2]:+.4f}); peak memory of all processes {memory}",
                flush=True,
            )


if __name__ == "__main__":
    main()
