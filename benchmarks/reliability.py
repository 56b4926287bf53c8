"""Reliability probe: real processes doing the same thing at once, kill -9 at awkward moments, hostile files.

Each probe prints one line of figures. Nothing here is asserted: the tests check the behaviour, this
measures it the way issue 10 reported it, so the figures before and after a change can be set side by side.
Run: `python -m benchmarks.reliability [--rounds 5]` (about two minutes on 2 cores); with PIPEWRIGHT_DB_URL set to
a PostgreSQL server, `--only start_ups` measures migrations racing there.
"""

import argparse
import io
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd

from pipeline_core.data.samples import make_churn

ROOT = Path(__file__).resolve().parent.parent

STORE_ONE_FILE = """
import sys, time
from services import datasets
from storage.db import Storage
path, start = sys.argv[1], float(sys.argv[2])
data = open(path, "rb").read()
storage = Storage.open()
while time.time() < start:
    time.sleep(0.001)
datasets.store_upload(storage, data, "same.csv")
"""

CHECK_FILES = """
from services import datasets
from storage.db import Storage
storage = Storage.open()
stored, intact = datasets.list_datasets(storage), 0
for dataset in stored:
    try:
        datasets.frame(storage, dataset)
        datasets.source(storage, dataset)
        intact += 1
    except Exception:
        pass
print(len(stored), intact)
"""

RUN_STATUS = """
from services import runs
from storage.db import Storage
print(" ".join(r.status for r in runs.recent(Storage.open())))
"""

START_UP = """
from services import upkeep
from storage.db import Storage
upkeep.tidy(Storage.open())
"""


def _env(data_dir: Path) -> dict:
    return os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}


def _python(code: str, *args, data_dir: Path, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)], cwd=ROOT, env=_env(data_dir), **popen
    )


def _output(code: str, data_dir: Path) -> str:
    process = _python(code, data_dir=data_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = process.communicate(timeout=120)
    return out.strip() or (err.strip().splitlines() or [""])[-1]


def concurrent_saves(rounds: int, processes: int = 4) -> str:
    failed, lost_rounds = 0, 0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder)
            csv = data_dir / "same.csv"
            make_churn(n_rows=20_000).to_csv(csv, index=False)
            _output("from storage.db import make_engine; make_engine()", data_dir)  # the schema exists already
            start = time.time() + 4
            workers = [
                _python(STORE_ONE_FILE, csv, start, data_dir=data_dir, stderr=subprocess.DEVNULL)
                for _ in range(processes)
            ]
            failed += sum(worker.wait(timeout=120) != 0 for worker in workers)
            records, intact = map(int, _output(CHECK_FILES, data_dir).split())
            lost_rounds += intact < records
    return (
        f"{processes} processes store one file, {rounds} rounds: {failed} of {rounds * processes} saves failed; "
        f"files lost in {lost_rounds} of {rounds} rounds"
    )


def concurrent_start_ups(rounds: int, processes: int = 4) -> str:
    """Servers starting at once on a fresh database, each migrating it: on the PostgreSQL server that
    PIPEWRIGHT_DB_URL names (a database `pipewright_probe` made afresh there each round), else on SQLite."""
    server = os.environ.get("PIPEWRIGHT_DB_URL", "")
    postgres = server.startswith("postgresql")
    failed = 0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as folder:
            env = _env(Path(folder)) | {"PIPEWRIGHT_DB_URL": _fresh_postgres(server) if postgres else ""}
            command = [sys.executable, "-c", "from storage.db import make_engine; make_engine()"]
            starts = [subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL) for _ in range(processes)]
            failed += sum(start.wait(timeout=120) != 0 for start in starts)
    where = "PostgreSQL" if postgres else "SQLite"
    return (
        f"{processes} servers starting at once on a fresh {where} database, {rounds} rounds: "
        f"{failed} of {rounds * processes} failed"
    )


def _fresh_postgres(url: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS pipewright_probe WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE pipewright_probe"))
    admin.dispose()
    return make_url(url).set(database="pipewright_probe").render_as_string(hide_password=False)


def concurrent_cli_runs(processes: int = 8) -> str:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        csv = data_dir / "churn.csv"
        make_churn(n_rows=600).to_csv(csv, index=False)
        command = [sys.executable, "-m", "pipeline_core", "run", "--data", csv, "--target", "churn"]
        command += ["--models", "logistic_regression", "--save-as", "Probe"]
        runs = [
            subprocess.Popen(command, cwd=ROOT, env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for _ in range(processes)
        ]
        errors = [run.communicate(timeout=600)[1].decode() for run in runs]
        tracebacks = sum("Traceback" in error for error in errors)
        failed = sum(run.returncode != 0 for run in runs)
        statuses = _output(RUN_STATUS, data_dir).split()
    return (
        f"{processes} CLI runs at once on a fresh database: {failed} failed ({tracebacks} with a traceback); "
        f"runs recorded: {len(statuses)}, succeeded: {statuses.count('succeeded')}"
    )


def wide_header(columns: int = 100_001) -> str:
    from pipeline_core.data.ingest import read_table
    from pipeline_core.errors import DataError

    header = ",".join(f"feature_{i}" for i in range(columns - 1)) + ",target"
    data = (header + "\n" + "\n".join(",".join(["1"] * columns) for _ in range(3)) + "\n").encode()
    try:
        frame = read_table(data, "wide.csv").frame
    except DataError as error:
        return f"{columns:,}-column CSV ({len(header) // 1024} KB header): refused: {str(error)[:120]}"
    return (
        f"{columns:,}-column CSV ({len(header) // 1024} KB header): read as {frame.shape[1]:,} columns; "
        f"target kept: {'target' in frame.columns}"
    )


def _group_members(pgid: int) -> list[int]:
    ps = subprocess.run(["ps", "-eo", "pid=,pgid=,stat="], capture_output=True, text=True).stdout.split("\n")
    return [int(p) for p, g, s in (line.split() for line in ps if line.strip()) if int(g) == pgid and "Z" not in s]


SLOW_RUN = """
from pipeline_core.data.samples import make_churn
from pipeline_core.spec import default_spec
from services import datasets, runs
from storage.db import Storage
storage = Storage.open()
frame = make_churn(n_rows=4000)
dataset = datasets.store_derived(storage, frame, fingerprint="slow", name="slow", lineage={})
spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
spec = spec.replace(models=[{"kind": "gradient_boosting", "params": {"n_estimators": 2000, "max_depth": 6}}])
print(runs.create(storage, dataset, frame, spec).id)
"""


def killed_worker() -> str:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        run_id = _output(SLOW_RUN, data_dir)
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.worker", run_id], cwd=ROOT, env=_env(data_dir), start_new_session=True
        )
        deadline = time.monotonic() + 120
        while len(_group_members(worker.pid)) < 3 and time.monotonic() < deadline:  # the pool is fitting
            time.sleep(0.2)
        pool = len(_group_members(worker.pid)) - 1
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        time.sleep(5)
        survivors = len(_group_members(worker.pid))
        scratch = sorted(p.name for p in (data_dir / "tmp").glob("*")) if (data_dir / "tmp").exists() else []
        statuses = _output(RUN_STATUS, data_dir)  # what a page would read, no restart
        for pid in _group_members(worker.pid):
            os.kill(pid, signal.SIGKILL)
        _output(START_UP, data_dir)
        after = sorted(p.name for p in (data_dir / "tmp").glob("*")) if (data_dir / "tmp").exists() else []
    return (
        f"kill -9 of a worker with {pool} pool processes: {survivors} still running 5 s later; "
        f"run status read afterwards: {statuses.split()[0] if statuses else '?'}; "
        f"scratch left: {len(scratch)}, after a start-up: {len(after)}"
    )


def killed_cli() -> str:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        csv = data_dir / "churn.csv"
        make_churn(n_rows=4000).to_csv(csv, index=False)
        spec = data_dir / "slow.json"
        spec.write_text(
            '{"data": {"target": "churn", "task": "classification"}, "models": [{"kind": "gradient_boosting",'
            ' "params": {"n_estimators": 2000, "max_depth": 6}}]}'
        )
        command = [sys.executable, "-m", "pipeline_core", "run", "--data", csv, "--target", "churn", "--spec", spec]
        cli = subprocess.Popen(
            command, cwd=ROOT, env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while "running" not in _output(RUN_STATUS, data_dir) and time.monotonic() < deadline:
            time.sleep(0.5)
        children = subprocess.run(["pgrep", "-P", str(cli.pid)], capture_output=True, text=True).stdout.split()
        time.sleep(2)
        os.kill(cli.pid, signal.SIGKILL)
        cli.wait()
        time.sleep(5)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        status = _output(RUN_STATUS, data_dir)
        for pid in alive:
            os.kill(int(pid), signal.SIGKILL)
    return (
        f"kill -9 of a CLI run: its run then reads as '{status}'; {len(alive)} of its processes still running 5 s later"
    )


def every_model_fails() -> str:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        frame = make_churn(n_rows=300)
        frame["monthly_charges"] = -frame["monthly_charges"].abs()  # Box-Cox cannot take these
        csv, spec = data_dir / "bad.csv", data_dir / "spec.json"
        frame.to_csv(csv, index=False)
        spec.write_text(
            '{"data": {"target": "churn", "task": "classification"}, "models": [{"kind": "logistic_regression"}],'
            ' "preprocessing": {"numeric": [{"kind": "numeric_imputer"}, {"kind": "power_transform",'
            ' "params": {"method": "box-cox"}}]}}'
        )
        command = [sys.executable, "-m", "pipeline_core", "run", "--data", csv, "--target", "churn", "--spec", spec]
        out = subprocess.run(command, cwd=ROOT, env=_env(data_dir), capture_output=True, text=True)
        status = _output(RUN_STATUS, data_dir)
    crash = "with a traceback" if "Traceback" in out.stderr else "cleanly"
    return f"every model fails: run recorded as '{status}'; the CLI exits {out.returncode} {crash}"


def refused_before_storing() -> str:
    cases = {
        "missing target": ("churn", "no_such_column", None),
        "ID-like target": ("churn", "customer_id", None),
        "regression on text": ("churn", "contract", "regression"),
    }
    stored = []
    for name, (_, target, task) in cases.items():
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder)
            csv = data_dir / "churn.csv"
            make_churn(n_rows=300).to_csv(csv, index=False)
            command = [sys.executable, "-m", "pipeline_core", "run", "--data", csv, "--target", target]
            command += ["--task", task] if task else []
            subprocess.run(command, cwd=ROOT, env=_env(data_dir), capture_output=True)
            counts = _output(CHECK_FILES, data_dir).split()[0] if (data_dir / "pipewright.db").exists() else "0"
            runs = _output(RUN_STATUS, data_dir).split() if (data_dir / "pipewright.db").exists() else []
            if counts != "0" or runs:
                stored.append(f"{name} ({counts} dataset, {len(runs)} run)")
    return f"CLI input the app refuses: stored anyway for {len(stored)} of {len(cases)}: {', '.join(stored) or '-'}"


def _hostile_files() -> dict[str, tuple[str, bytes]]:
    deep = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
    lists = io.BytesIO()
    pd.DataFrame({"x": [[1, 2], [3]], "y": [1, 2]}).to_parquet(lists)
    binary = io.BytesIO()
    pd.DataFrame({"x": [b"\x00\x01", b"\x02"], "y": [1, 2]}).to_parquet(binary)
    long_field = b"a" * (129 * 1024) + b",b\n1,2\n"
    return {
        "JSON nested 100,000 deep": ("deep.json", deep),
        "Parquet with a list column": ("lists.parquet", lists.getvalue()),
        "Parquet with a binary column": ("binary.parquet", binary.getvalue()),
        "xlsx with an XML entity bomb": ("bomb.xlsx", _entity_bomb_xlsx()),
        "header field over 128 KB": ("long.csv", long_field),
    }


def _entity_bomb_xlsx() -> bytes:
    import openpyxl

    book = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.append(["a", "b"])
    workbook.active.append([1, 2])
    workbook.save(book)
    import zipfile

    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'<?xml version="1.0" encoding="utf-8"?>', b"")
                content = bomb.encode() + content.replace(b"<v>1</v>", b"<v>&lol3;</v>")
            target.writestr(item, content)
    return out.getvalue()


STORE_BYTES = """
import sys
from pipeline_core.errors import PipelineCoreError
from pipeline_core.data.report import profile
from pipeline_core.spec import default_spec
from services import datasets
from storage.db import Storage
name, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
try:
    dataset, table = datasets.store_upload(Storage.open(), data, name)
    frame = table.frame
    profile(frame, default_spec(target=frame.columns[-1], task="classification"))
    print("read")
except PipelineCoreError as error:
    print("refused:", str(error)[:80].replace(chr(10), " "))
"""


def hostile_input() -> str:
    results = []
    for label, (name, data) in _hostile_files().items():
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder)
            path = data_dir / name
            path.write_bytes(data)
            process = _python(
                STORE_BYTES, name, path, data_dir=data_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            out, err = process.communicate(timeout=300)
            left = _output(CHECK_FILES, data_dir).split()[0]
            if b"Traceback" in err:
                verdict = "traceback"
            else:
                verdict = out.decode().strip().split(":")[0]
            results.append(f"{label}: {verdict}, {left} dataset row(s) left")
    return "hostile files → " + "; ".join(results)


def hostile_specs() -> str:
    from pipeline_core.errors import PipelineCoreError
    from pipeline_core.spec import PipelineSpec

    aliases = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(6)
    )
    model = '{"kind": "random_forest", "params": {"n_estimators": %s}}'
    spec = '{"data": {"target": "y", "task": "classification"}, "models": [%s]}'
    cases = {
        "YAML alias bomb": (
            "bomb.yaml",
            (
                aliases + "data: {target: y, task: classification}\n"
                "models: [{kind: random_forest, params: {n_estimators: *g}}]\n"
            ).encode(),
        ),
        "a number written .inf (YAML)": (
            "inf.yaml",
            b"data: {target: y, task: classification}\nmodels: [{kind: random_forest, params: {n_estimators: .inf}}]\n",
        ),
        "a number written 1e999 (JSON)": ("big.json", (spec % (model % "1e999")).encode()),
    }
    results = []
    for label, (name, data) in cases.items():
        start = time.perf_counter()
        try:
            PipelineSpec.from_file(data, name)
            verdict = "accepted"
        except PipelineCoreError as error:
            verdict = f"refused, message of {len(str(error)):,} characters"
        except Exception as error:  # noqa: BLE001 - what the probe counts
            verdict = f"crashed ({type(error).__name__})"
        results.append(f"{label} ({len(data):,} bytes): {verdict} in {time.perf_counter() - start:.1f} s")
    return "hostile specs → " + "; ".join(results)


def file_modes() -> str:
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        _output("from storage.db import Storage; Storage.open().artifacts.put(b'a model', '.skops')", data_dir)
        paths = [data_dir, data_dir / "pipewright.db", data_dir / "artifacts"]
        return "modes: " + ", ".join(
            f"{p.relative_to(folder)} {p.stat().st_mode & 0o777:o}" for p in paths if p.exists()
        )


PROBES = {
    "saves": concurrent_saves,
    "start_ups": concurrent_start_ups,
    "cli_runs": concurrent_cli_runs,
    "wide_header": wide_header,
    "killed_worker": killed_worker,
    "killed_cli": killed_cli,
    "all_failed": every_model_fails,
    "refused": refused_before_storing,
    "hostile": hostile_input,
    "specs": hostile_specs,
    "files": file_modes,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the concurrent-save probe")
    parser.add_argument("--only", nargs="*", choices=list(PROBES), help="run only these probes")
    args = parser.parse_args()
    for name in args.only or PROBES:
        start = time.perf_counter()
        figures = PROBES[name](args.rounds) if name in ("saves", "start_ups") else PROBES[name]()
        print(f"{name:14} {figures}  [{time.perf_counter() - start:.0f} s]", flush=True)  # noqa: T201


if __name__ == "__main__":
    main()
