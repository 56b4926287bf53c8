"""The Train page's time estimate against the run it describes, on the benchmark tables.

For each size: the table from `benchmarks.tables`, a whole `python -m pipeline_core run` of the seven models
the peer comparison uses (racing on, then with --full-cv), timed from start to exit; then the estimate the
Train page would show for that very run's stored spec and rows. Prints both and their ratio (the goal:
within ×1.5 either way).
Run: `python -m benchmarks.estimate_vs_actual --rows 1000 50000`.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.peer_pycaret import MODELS
from benchmarks.tables import customer_table

ROOT = Path(__file__).resolve().parent.parent


def actual_run(csv: Path, data_dir: Path, full_cv: bool) -> float:
    command = [sys.executable, "-m", "pipeline_core", "run", "--data", str(csv), "--target", "churn"]
    command += ["--models", MODELS["classification"]] + (["--full-cv"] if full_cv else [])
    start = time.perf_counter()
    subprocess.run(
        command, cwd=ROOT, env=os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)}, check=True, capture_output=True
    )
    return time.perf_counter() - start


def estimated(data_dir: Path):
    """The estimate of the last run stored in `data_dir`, made as the Train page makes it."""
    os.environ["PIPEWRIGHT_DATA_DIR"] = str(data_dir)
    from pipeline_core.spec import PipelineSpec
    from pipeline_core.train.estimate import estimate
    from services import runs
    from storage.db import Storage

    storage = Storage.open()
    run = runs.recent(storage, limit=1)[0]
    return estimate(PipelineSpec.from_json(run.spec_json), runs.rows(storage, run))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 50_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pipewright-estimate-") as folder:
        for rows in args.rows:
            csv = Path(folder) / f"table-{rows}.csv"
            customer_table(rows).to_csv(csv, index=False)
            for full_cv in (False, True):
                data_dir = Path(tempfile.mkdtemp(dir=folder))
                seconds = actual_run(csv, data_dir, full_cv)
                found = estimated(data_dir)
                guess = found.seconds if full_cv else found.likely
                print(  # noqa: T201 - the benchmark's output
                    f"{rows:>9,} rows, {'full CV' if full_cv else 'racing'}: took {seconds:.1f} s, estimated "
                    f"{guess:.1f} s ({found.describe()}); estimate / actual = {guess / seconds:.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
