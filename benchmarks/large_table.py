"""The default compare on a large table: wall time, peak memory of all its processes, and what the race did.

The customer table of `benchmarks.tables` at 500,000 rows (or --rows), written as CSV, then one whole
`python -m pipeline_core run --data … --target churn` with the default models and settings, as a user would
start it. The goal: at most 10 minutes and 4 GiB for all processes together.
Run: `python -m benchmarks.large_table [--rows 500000]`.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.peer_pycaret import timed
from benchmarks.tables import customer_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pipewright-large-") as folder:
        csv, report = Path(folder) / "customers.csv", Path(folder) / "run.json"
        customer_table(args.rows).to_csv(csv, index=False)
        command = [sys.executable, "-m", "pipeline_core", "run", "--data", str(csv), "--target", "churn"]
        seconds, peak, _ = timed([*command, "--json", str(report)], os.environ | {"PIPEWRIGHT_DATA_DIR": folder})
        run = json.loads(report.read_text())
    print(f"{args.rows:,} rows: {seconds / 60:.1f} min, peak memory of all processes {peak / 2**30:.2f} GiB")  # noqa: T201
    for model in run["models"]:
        score = (model["cv"].get("roc_auc") or {}).get("mean")
        print(  # noqa: T201
            f"  {model['label']:<30} {model['status']:<10} {model['folds_done']} folds  CV ROC AUC "
            f"{score if score is None else round(score, 4)}  {model['note'] or ''}"
        )


if __name__ == "__main__":
    main()
