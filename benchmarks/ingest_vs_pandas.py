"""Loading and profiling a large CSV against plain pandas on the same file, in the same run.

Generates a 1,000,000-row × 20-column CSV (about 100 MB), then times, each in a fresh process so
peak memory is its own: Pipewright's read_table and read_table + infer types + full profile, and
pandas.read_csv and pandas.read_csv + describe(include="all").
Run: `python -m benchmarks.ingest_vs_pandas [--rows N]`.
"""

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def make_csv(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    columns = {f"num_{i}": rng.normal(100, 30, rows).round(3) for i in range(10)}
    columns |= {f"int_{i}": rng.integers(0, 1000, rows) for i in range(4)}
    columns |= {f"cat_{i}": rng.choice([f"level_{j}" for j in range(12)], rows) for i in range(4)}
    columns["city"] = rng.choice(["Paris", "São Paulo", "Zürich", "Kraków", "Osaka"], rows)
    columns["label"] = rng.choice(["yes", "no"], rows, p=[0.3, 0.7])
    frame = pd.DataFrame(columns)
    frame.loc[rng.random(rows) < 0.02, "num_0"] = np.nan
    frame.to_csv(path, index=False)


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run(kind: str, path: Path) -> dict:
    from pipeline_core.columns import infer_column_types
    from pipeline_core.data.ingest import read_table
    from pipeline_core.data.report import profile
    from pipeline_core.spec import default_spec

    baseline = _peak_mb()
    start = time.perf_counter()
    if kind.startswith("pipewright"):
        frame = read_table(path.read_bytes(), path.name).frame
        if kind == "pipewright_profile":
            spec = default_spec(target="label", task="classification", column_types=infer_column_types(frame))
            profile(frame, spec)
    elif kind == "pandas_read_bytes":
        pd.read_csv(io.BytesIO(path.read_bytes()))
    else:
        frame = pd.read_csv(path)
        if kind == "pandas_describe":
            frame.describe(include="all")
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    return {"seconds": seconds, "peak_mb": peak, "added_mb": peak - baseline}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child[0], Path(args.child[1]))))  # noqa: T201
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        make_csv(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        results = {}
        for kind in ["pandas_read", "pandas_read_bytes", "pipewright_read", "pandas_describe", "pipewright_profile"]:
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.ingest_vs_pandas", "--child", kind, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            results[kind] = json.loads(out.stdout.strip().splitlines()[-1])
    r = results
    print(f"file: {args.rows:,} rows × 20 columns, {size_mb:.0f} MB")  # noqa: T201
    for kind, result in r.items():
        print(  # noqa: T201
            f"{kind:20s} {result['seconds']:6.2f} s   peak {result['peak_mb']:6.0f} MB "
            f"({result['added_mb']:.0f} MB above the process after imports)"
        )
    print(  # noqa: T201
        f"load time, pipewright (bytes) / pandas: {r['pipewright_read']['seconds'] / r['pandas_read']['seconds']:.2f}x "
        f"from a path, {r['pipewright_read']['seconds'] / r['pandas_read_bytes']['seconds']:.2f}x from the same bytes; "
        f"full profile {r['pipewright_profile']['seconds']:.1f} s; "
        f"memory added by load + profile / file size: {r['pipewright_profile']['added_mb'] / size_mb:.2f}x"
    )


if __name__ == "__main__":
    main()
