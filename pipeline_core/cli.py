"""Headless entry point: `python -m pipeline_core run --data FILE --target COLUMN ...`, `... reproduce RUN_ID`,
`... predict RUN_ID --data FILE --out FILE`, `... export RUN_ID --out DIR`, `... monitor RUN_ID --data FILE`;
for an admin, `... copy-store --to URL` and `... add-account NAME`.

The only module of the engine that touches storage: it wires the engine to the same database
and artifact store the app uses, so a run started here shows up in the app. It acts as PIPEWRIGHT_USER (else the
login name) when sign-in is on: what it records is theirs, and it sees what they would see in the app.
"""

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

import pandas as pd

from pipeline_core.catalog import MODELS, get_model
from pipeline_core.catalog.drift import DRIFT_TESTS
from pipeline_core.columns import infer_column_types
from pipeline_core.compare.leaderboard import leaderboard, summary
from pipeline_core.data.ingest import infer_task, read_table
from pipeline_core.errors import PipelineCoreError
from pipeline_core.schema import feature_schema, numbers_as_text
from pipeline_core.spec import ModelSpec, PipelineSpec, default_spec
from pipeline_core.train.results import best as best_result
from pipeline_core.train.supervised import start_workers
from pipeline_core.words import counted

# What a command needs beyond training is imported by that command: a run should not wait for the model card.


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline_core", description="Pipewright, headless.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="train a pipeline on a data file and record the run")
    run.add_argument("--data", required=True, type=Path, help="CSV, TSV or Parquet file")
    run.add_argument("--target", required=True, help="the column to predict")
    run.add_argument("--spec", type=Path, help="a pipeline spec (JSON or YAML); its target is replaced by --target")
    run.add_argument("--models", help=f"comma-separated model kinds, from: {', '.join(MODELS)}")
    run.add_argument("--task", choices=["classification", "regression"], help="default: inferred from the target")
    run.add_argument("--seed", type=int, help="default: the spec's seed, or 42")
    run.add_argument("--save-as", metavar="NAME", help="also save the spec as a named pipeline (new version)")
    run.add_argument("--full-cv", action="store_true", help="every model on every fold: no racing")
    run.add_argument("--json", type=Path, metavar="FILE", help="also write the run's results as JSON")
    again = commands.add_parser("reproduce", help="re-run a stored run on its stored data and compare every score")
    again.add_argument("run_id", type=int, help="the run to re-run (the app and `run` print run ids)")
    score = commands.add_parser("predict", help="score a file with a stored run's model; write rows and predictions")
    score.add_argument("run_id", type=int)
    score.add_argument("--data", required=True, type=Path, help="rows with the training columns")
    score.add_argument("--out", required=True, type=Path, help="CSV file to write")
    score.add_argument("--model", help="model key (default: the run's best)")
    export = commands.add_parser("export", help="write a run's model, spec, script, model card and serving bundle")
    export.add_argument("run_id", type=int)
    export.add_argument("--out", required=True, type=Path, help="folder to write into (created)")
    export.add_argument("--model", help="model key (default: the run's best)")
    watch = commands.add_parser(
        "monitor",
        help="check new rows against a stored run's model and training rows; record the batch",
        description="Exits 0 when nothing is alarming, 3 when drift or a drop in performance is flagged, 2 on bad "
        "input.",
    )
    watch.add_argument("run_id", type=int)
    watch.add_argument(
        "--data", required=True, type=Path, help="the new rows (with the target, to measure performance)"
    )
    watch.add_argument("--model", help="model key (default: the run's best)")
    watch.add_argument(
        "--test", choices=list(DRIFT_TESTS), help="one drift test for every column (default: per column)"
    )
    watch.add_argument("--json", type=Path, metavar="FILE", help="also write what was found as JSON")
    move = commands.add_parser(
        "copy-store",
        help="copy every dataset, pipeline, run and batch into a new database (an SQLite file to PostgreSQL)",
        description="Copies in one transaction: a failed copy leaves the target as it was. The artifact files stay "
        "in PIPEWRIGHT_DATA_DIR, which the app must keep using with the new PIPEWRIGHT_DB_URL.",
    )
    move.add_argument("--to", required=True, metavar="URL", help="e.g. postgresql+psycopg://user@host/pipewright")
    move.add_argument("--from", dest="source", metavar="URL", help="default: PIPEWRIGHT_DB_URL, else the SQLite file")
    account = commands.add_parser(
        "add-account",
        help="add someone who signs in with a password (PIPEWRIGHT_SIGN_IN=password)",
        description="Reads the password from the terminal (twice), or one line from standard input when it is not a "
        "terminal. Never pass a password as an argument: it would be seen in the process list and the shell history.",
    )
    account.add_argument("name")
    account.add_argument("--replace", action="store_true", help="give an existing account a new password")
    args = parser.parse_args(argv)
    commands_run = {
        "run": _run,
        "reproduce": _reproduce,
        "predict": _predict,
        "export": _export,
        "monitor": _monitor,
        "copy-store": _copy_store,
        "add-account": _add_account,
    }
    from storage.errors import StorageError

    try:
        return commands_run[args.command](args)
    except (PipelineCoreError, StorageError, ValueError, OSError) as error:  # ValueError: a name refused on saving
        print(f"error: {error}", file=sys.stderr)  # noqa: T201 - the CLI's output
        return 2


def _run(args: argparse.Namespace) -> int:
    """Train the file as the app would: refused before anything is stored when the spec cannot train on it."""
    from services import datasets, pipelines, runs, upkeep
    from storage.db import Storage

    raw = args.data.read_bytes()
    table = read_table(raw, args.data.name)
    spec = _spec_from_args(args, table.frame)
    start_workers(spec, table.frame)  # they import the engine while this process checks and stores
    runs.check(spec, table.frame)  # before anything is stored
    storage = Storage.open().acting_as(_user())
    upkeep.tidy(storage)
    dataset = datasets.store_table(storage, table, data=raw, name=args.data.name)
    spec = spec.replace(data={"dataset_fingerprint": dataset.fingerprint})
    run = runs.create(storage, dataset, table.frame, spec, checked=True)
    status = runs.execute(storage, run, table.frame, tell=_progress)
    run, results = runs.watch(storage, run.id)
    if args.json:
        args.json.write_text(json.dumps(_as_json(run, results), indent=2) + "\n")
    if status != "succeeded":
        _say(f"run {run.id} {status}: {run.error or ''}")
        return 1
    if args.save_as:
        version = pipelines.save(storage, name=args.save_as, spec=spec, run_id=run.id)
        _say(f"saved as pipeline '{version.pipeline_name}' v{version.version}")
    _print_leaderboard(run.primary_metric, results)
    best = best_result(results, run.primary_metric)
    _say(f"run {run.id} recorded in {storage.engine.url.render_as_string(hide_password=True)}")
    _say(f"best model: {best.label}; saved model file: {runs.model_file_path(storage, best)}")
    return 0


def _copy_store(args: argparse.Namespace) -> int:
    from storage.db import database_url, make_engine
    from storage.transfer import copy_store

    source, target = make_engine(args.source or database_url()), make_engine(args.to)
    copied = copy_store(source, target)
    for table, n in copied.items():
        _say(f"{table}: {counted(n, 'row')}")
    _say(f"copied into {target.url.render_as_string(hide_password=True)}")
    return 0


def _add_account(args: argparse.Namespace) -> int:
    from services import accounts
    from storage.db import Storage

    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise ValueError("The two passwords differ: nothing was changed.")
    else:
        password = sys.stdin.readline().rstrip("\n")
    accounts.add(Storage.open(), args.name, password, replace=args.replace)
    _say(f"account '{args.name.strip()}' {'given a new password' if args.replace else 'added'}")
    return 0


def _user() -> str | None:
    """Who runs the command, with sign-in on (PIPEWRIGHT_SIGN_IN): PIPEWRIGHT_USER (as they sign in to the app),
    else their login name. With sign-in off, no one: as in the app, what it records is the team's."""
    from services import accounts

    if accounts.mode() is None:
        return None
    try:
        return os.environ.get("PIPEWRIGHT_USER") or getpass.getuser()
    except (KeyError, OSError):  # a process of a user id with no name (some containers)
        return ""


def _as_json(run, results) -> dict:
    """The run's facts, as the printed leaderboard gives them, for scripts and CI (a failed run's too)."""
    best = best_result(results, run.primary_metric)
    return {
        "run_id": run.id,
        "status": run.status,
        "error": run.error,
        "seconds": round((run.finished_at - run.started_at).total_seconds(), 3),
        "ranking_metric": run.primary_metric,
        "best_model": best.key if best else None,
        "models": summary(results, run.primary_metric),
    }


def _reproduce(args: argparse.Namespace) -> int:
    """Re-run a run with its own spec on its own stored rows; print the scores side by side and a verdict.
    Exits 0 when every score is identical, 1 when any differs."""
    from pipeline_core.compare.reproduce import compare
    from services import datasets, runs, upkeep
    from storage.db import Storage

    storage = Storage.open().acting_as(_user())
    upkeep.tidy(storage)
    original = runs.get(storage, args.run_id)
    dataset = datasets.get(storage, dataset_id=original.dataset_id)
    frame = datasets.frame(storage, dataset)
    spec = PipelineSpec.from_json(original.spec_json)
    run = runs.create(storage, dataset, frame, spec, reproduces_id=original.id)
    runs.execute(storage, run, frame, tell=_progress)
    run, after = runs.watch(storage, run.id)
    result = compare(runs.results(storage, original.id), after, original.library_versions, run.library_versions)
    print(pd.DataFrame(result.rows).to_string(index=False))  # noqa: T201 - the CLI's output
    _say(f"run {run.id} reproduces run {original.id}: {result.verdict()}")
    return 0 if result.identical else 1


def _stored_model(run_id: int, model_key: str | None):
    """A stored run, its dataset and rows, its results and one model (the best unless named) with its file.

    Raises:
        PipelineCoreError: no such model, or one without a final fit.
        StorageError: no such run, or its files are missing or damaged.
    """
    from services import datasets, runs
    from storage.db import Storage

    storage = Storage.open().acting_as(_user())
    run, results = runs.get(storage, run_id), runs.results(storage, run_id, with_curves=True)
    chosen = next((r for r in results if r.key == model_key), None) if model_key else None
    chosen = chosen or (None if model_key else best_result(results, run.primary_metric))
    if chosen is None:
        keys = ", ".join(r.key for r in results if r.status == "succeeded") or "none"
        raise PipelineCoreError(f"Run {run.id} has no model '{model_key or 'best'}'. Models trained: {keys}.")
    dataset = datasets.get(storage, dataset_id=run.dataset_id)
    return run, dataset, datasets.frame(storage, dataset), results, chosen, runs.model_file(storage, run, chosen)


def _predict(args: argparse.Namespace) -> int:
    """Check the file against the run's training columns, score it with the chosen model, write a CSV."""
    from pipeline_core.export.predict import check_columns, predict_table
    from pipeline_core.model_files import load_model

    run, _, frame, _, chosen, model_file = _stored_model(args.run_id, args.model)
    schema = feature_schema(PipelineSpec.from_json(run.spec_json), frame)
    rows = read_table(args.data.read_bytes(), args.data.name).frame
    for note in check_columns(schema, rows):
        _say(note)
    try:
        scored = predict_table(load_model(model_file), rows, schema, as_text=numbers_as_text(schema, frame))
    except ValueError as error:  # values the model cannot take: say so, in its words
        raise PipelineCoreError(f"The model could not score this file: {str(error).splitlines()[0]}") from error
    scored.to_csv(args.out, index=False)
    _say(f"{len(scored):,} rows scored by {chosen.label} (run {run.id}) written to {args.out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    """The model file, its spec (JSON and YAML), the retraining script, the model card and the serving bundle."""
    from services.exports import Export

    run, dataset, frame, results, chosen, model_file = _stored_model(args.run_id, args.model)
    files, no_script = Export(run, dataset, frame, results, chosen, model_file).files()
    if no_script:
        _say(f"no retrain.py: {no_script}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)  # the model's own module files go in a folder
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    _say(f"{chosen.label} of run {run.id}: {', '.join(sorted(files))} written to {args.out}")
    return 0


def _spec_from_args(args: argparse.Namespace, frame) -> PipelineSpec:
    """The spec file's (or the default) pipeline, for --target and the other options, with every column's type."""
    if args.target not in frame.columns:
        raise PipelineCoreError(
            f"No column '{args.target}' in {args.data.name}. Columns: {', '.join(map(str, frame.columns))}."
        )
    task = args.task or infer_task(frame[args.target])
    if args.spec:
        spec = PipelineSpec.from_file(args.spec.read_bytes(), args.spec.name)
        spec = spec.replace(data={"target": args.target, "task": args.task or spec.data.task})
    else:
        spec = default_spec(target=args.target, task=task, dataset_name=args.data.name)
    changes: dict = {"data": {"column_types": infer_column_types(frame) | spec.data.column_types}}
    if args.models:
        changes["models"] = [ModelSpec(kind=get_model(kind.strip()).key) for kind in args.models.split(",")]
    if args.seed is not None:
        changes["evaluation"] = {"seed": args.seed}
    if args.full_cv:
        changes["evaluation"] = changes.get("evaluation", {}) | {"racing": False}
    return spec.replace(**changes)


def _progress(done: float, total: float, message: str) -> None:
    print(f"[{done / total:4.0%}] {message}", file=sys.stderr)  # noqa: T201


def _print_leaderboard(metric: str, results) -> None:
    print(leaderboard(results, metric).to_string(index=False, float_format="{:.3f}".format))  # noqa: T201


def _say(text: str) -> None:
    print(text)  # noqa: T201


ALARM = 3  # the exit code of a check that found drift or a drop in performance


def _monitor(args: argparse.Namespace) -> int:
    """Check a file against the run, record it as the Monitor page does, print the verdict."""
    from services import monitoring, runs
    from storage.db import Storage

    storage = Storage.open().acting_as(_user())
    run = runs.get(storage, args.run_id)
    data = args.data.read_bytes()
    batch = monitoring.check_file(storage, run, data, args.data.name, model_key=args.model, test=args.test)
    report = monitoring.report(batch)
    for line in _verdict(report):
        _say(line)
    _say(f"Recorded as batch {batch.id} of run {run.id}.")
    if args.json:
        args.json.write_text(json.dumps(_monitor_json(batch.id, report), indent=2))
    return ALARM if report.alarm else 0


def _verdict(report) -> list[str]:
    lines = [f"{report.rows:,} rows checked against {report.model_key} ({report.reference_rows:,} training rows)."]
    contract = report.contract
    if contract.missing:
        lines.append(f"Missing {counted(len(contract.missing), 'column')}: {', '.join(contract.missing)}.")
    lines += [f"{b.column}: {counted(b.rows, 'row')} {b.problem}." for b in contract.breaches]
    drifted = report.drifted_columns
    lines.append(f"Drift in {', '.join(drifted)}." if drifted else "No column drifted.")
    if report.overall:
        lines.append(f"Domain classifier ROC AUC {report.overall.roc_auc:.3f} (0.5: batch and training rows alike).")
    if report.predictions:
        moved = "moved" if report.predictions.drifted else "did not move"
        lines.append(f"The model's {report.predictions.column} {moved} against its held-out training rows.")
    lines += _performance_lines(report)
    lines += report.notes
    lines.append("ALARM: drift or a drop in performance." if report.alarm else "Nothing alarming.")
    return lines


def _performance_lines(report) -> list[str]:
    performance, estimate = report.performance, report.estimated
    if performance:
        value = performance.scores[performance.metric]
        bounds = f"{performance.expected_low:.3f}–{performance.expected_high:.3f}"
        scored = "undefined on these rows" if value is None else f"{value:.3f}"
        where = "outside" if performance.fell else "within"
        verdict = f"{where} what cross-validation promised" if performance.judged else "too few labelled rows to judge"
        return [f"{performance.metric} {scored} on {counted(performance.rows, 'row')}: {verdict} ({bounds})."]
    if estimate:
        trust = "" if estimate.trustworthy else " (not to be trusted: the probabilities are not calibrated enough)"
        return [f"No labels: the model's probabilities expect an accuracy of {estimate.on_batch:.3f}{trust}."]
    return ["No labels, and no probabilities to estimate performance from."]


def _monitor_json(batch_id: int, report) -> dict:
    return {
        "batch_id": batch_id,
        "drift": report.drift,
        "alarm": report.alarm,
        "columns": [
            c.model_dump(include={"column", "test", "statistic", "p_value", "p_adjusted", "threshold", "drifted"})
            for c in report.columns
        ],
        "overall": report.overall.model_dump() if report.overall else None,
        "predictions": report.predictions.model_dump() if report.predictions else None,
        "contract": report.contract.model_dump(),
        "performance": report.performance.scores if report.performance else None,
        "performance_check": report.performance.model_dump(exclude={"scores"}) if report.performance else None,
        "estimated": report.estimated.model_dump() if report.estimated else None,
    }
