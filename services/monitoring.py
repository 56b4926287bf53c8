"""Monitoring: a batch of new rows checked against a recorded run's model and the rows it trained on, kept with
what was found; retraining with the batch's rows, and the champion against that challenger."""

import hashlib

import pandas as pd

from pipeline_core.columns import read_as
from pipeline_core.data.ingest import read_table
from pipeline_core.errors import DataError
from pipeline_core.model_files import load_model
from pipeline_core.monitor.challenge import Duel, duel
from pipeline_core.monitor.check import batch_labels, check_batch
from pipeline_core.monitor.report import BatchReport
from pipeline_core.spec import PipelineSpec
from pipeline_core.train.results import best
from services import datasets, pipelines, runs
from services.access import check_may_change, owner
from storage import repo
from storage.db import Storage, session_scope
from storage.errors import StorageError
from storage.models import BatchRead, ModelResultRead, RunRead

ENDED_WITHOUT_MODELS = ("failed", "cancelled", "interrupted")  # a retraining that did: the batch can be retrained


def check_file(
    storage: Storage,
    run: RunRead,
    data: bytes,
    filename: str,
    *,
    model_key: str | None = None,
    test: str | None = None,
    options=None,
) -> BatchRead:
    """Read an uploaded file (any format the Data page reads) and check it; see `check`.

    Raises:
        DataError: the bytes are not a table, or the table cannot be checked; nothing is stored.
    """
    return check(storage, run, read_table(data, filename, options).frame, filename, model_key=model_key, test=test)


def check(
    storage: Storage,
    run: RunRead,
    rows: pd.DataFrame,
    name: str,
    *,
    model_key: str | None = None,
    test: str | None = None,
) -> BatchRead:
    """Check the rows against the run's model (its best, unless `model_key`) and training rows, each column by
    its default drift test or by `test`, and record the batch with what was found. Nothing is stored unless the
    whole check succeeds.

    Raises:
        DataError: no rows, none of the model's columns, no such model.
        StorageError: the run's training data or model file is missing or damaged.
    """
    run = runs.get(storage, run.id)  # NotFoundError for a run not the caller's to see
    spec = PipelineSpec.from_json(run.spec_json)
    chosen = model_of(storage, run, model_key)
    model = load_model(runs.model_file(storage, run, chosen))
    metric = run.primary_metric or spec.ranking_metric
    frame = reference_rows(storage, run)
    report, breaches = check_batch(spec, frame, model, chosen.key, chosen.cv_scores[metric], rows, test=test)
    with session_scope(storage.engine) as session:
        return repo.add_batch(
            session,
            storage.artifacts,
            run_id=run.id,
            name=name,
            rows=rows,
            report=report.model_dump(mode="json"),
            breaches=breaches,
            alarm=report.alarm,
            drift=report.drift,
            labelled=report.performance is not None,
            owner=owner(storage),
        )


def model_of(storage: Storage, run: RunRead, model_key: str | None, *, with_curves: bool = False) -> ModelResultRead:
    """The run's model of that key, or its best (with its chart data, when asked)."""
    results = runs.results(storage, run.id, with_curves=with_curves)
    if model_key is None:
        chosen = best(results, run.primary_metric)
        if chosen is None:
            raise DataError(f"Run {run.id} has no model that went the whole way to check new rows against.")
        return chosen
    chosen = next((r for r in results if r.key == model_key and r.status == "succeeded"), None)
    if chosen is None:
        keys = ", ".join(r.key for r in results if r.status == "succeeded") or "none"
        raise DataError(f"Run {run.id} has no model '{model_key}'. Models trained: {keys}.")
    return chosen


def reference_rows(storage: Storage, run: RunRead) -> pd.DataFrame:
    """The table the run trained on, the reference new rows are compared with."""
    try:
        return runs.rows(storage, run)
    except StorageError as error:
        raise StorageError(
            f"The data run {run.id} trained on cannot be read, so nothing can be compared with it: {error}"
        ) from error


def report(batch: BatchRead) -> BatchReport:
    return BatchReport.model_validate(batch.report)


def history(storage: Storage, run_ids: list[int]) -> list[BatchRead]:
    """The batches checked against these runs, oldest first."""
    with session_scope(storage.engine) as session:
        return repo.list_batches(session, run_ids=run_ids, viewer=storage.user)


def get(storage: Storage, batch_id: int) -> BatchRead:
    """Raises NotFoundError for a batch the caller cannot see (it is seen with its run)."""
    with session_scope(storage.engine) as session:
        return repo.get_batch(session, batch_id=batch_id, viewer=storage.user)


def _own(storage: Storage, batch: BatchRead) -> BatchRead:
    """The batch as stored now, if the one acting may change it (NotYoursError if not)."""
    batch = get(storage, batch.id)
    check_may_change(storage, batch.owner, f"Batch {batch.id}")
    return batch


def rows(storage: Storage, batch: BatchRead) -> pd.DataFrame:
    return repo.batch_rows(storage.artifacts, batch)


def breaches_csv(storage: Storage, batch: BatchRead) -> bytes:
    """The rows that break the data contract, as the CSV a user downloads."""
    return repo.batch_breaches(storage.artifacts, batch)


def retrain(storage: Storage, batch: BatchRead) -> RunRead:
    """Start a run of the batch's run's spec on its training table plus the batch's labelled rows (stored as a
    dataset of its own, which records where it came from).

    A batch is retrained once: asked again (by another page or process at the same moment), it returns the run
    started first, unless that one failed or was cancelled: then it starts again.

    Raises:
        DataError: the batch has no labels, or the spec cannot train on the combined rows; nothing is started.
        NotYoursError: another person's batch.
    """
    batch = _own(storage, batch)
    earlier = runs.get(storage, batch.retrain_run_id) if batch.retrain_run_id is not None else None
    if earlier is not None and earlier.status not in ENDED_WITHOUT_MODELS:
        return earlier
    if not batch.labelled:
        raise DataError("Retraining needs the batch's target: this batch has no labels.")
    run = runs.get(storage, batch.run_id)
    spec = PipelineSpec.from_json(run.spec_json)
    source = datasets.get(storage, dataset_id=run.dataset_id)
    frame = reference_rows(storage, run)
    new = rows(storage, batch)
    new = _as_trained(new.assign(**{spec.data.target: batch_labels(spec, new)}), frame)
    combined = pd.concat([frame, new.dropna(subset=[spec.data.target])], ignore_index=True)
    identity = hashlib.sha256(f"{source.fingerprint}+{batch.data_sha256}".encode()).hexdigest()
    spec = spec.with_data(dataset_fingerprint=identity)
    runs.check(spec, combined)  # before anything is stored
    dataset = datasets.store_derived(
        storage,
        combined,
        fingerprint=identity,
        name=f"{source.name} + {batch.name}",
        lineage={"source_fingerprint": source.fingerprint, "added_batch": batch.id, "added_rows": len(new)},
    )
    challenger = runs.start(storage, dataset, combined, spec)
    with session_scope(storage.engine) as session:
        noted = repo.set_batch_challenger(
            session, batch_id=batch.id, run_id=challenger.id, replacing=earlier.id if earlier else None
        )
    if noted.retrain_run_id != challenger.id:  # another started first: this one is not needed
        runs.cancel(storage, challenger.id)
    return runs.get(storage, noted.retrain_run_id)


def _as_trained(new: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The batch's rows in the training table's columns, numbers where it holds numbers ('$1,200' → 1200), so
    the two can be stored as one table.

    Raises:
        DataError: text that does not read as a number where training had numbers.
    """
    new = new.reindex(columns=frame.columns)
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_numeric_dtype(new[column]):
            numbers = read_as(new[column], "numeric")
            if (numbers.isna() & new[column].notna()).any():
                raise DataError(f"Column '{column}' of the batch holds text where training had numbers: fix it first.")
            new[column] = numbers
    return new


def challenge(storage: Storage, batch: BatchRead) -> Duel:
    """The champion (the model the batch was checked against) against the same model retrained with the batch's
    rows, on the same folds of the batch; kept with the batch."""
    batch = _own(storage, batch)
    run = runs.get(storage, batch.run_id)
    champion = model_of(storage, run, batch.model_key, with_curves=True)
    chosen = champion.curves.tuning.best_params if champion.curves.tuning else None  # a search's choice is kept
    found = duel(
        PipelineSpec.from_json(run.spec_json),
        reference_rows(storage, run),
        load_model(runs.model_file(storage, run, champion)),
        champion.key,
        rows(storage, batch),
        params=chosen,
    )
    with session_scope(storage.engine) as session:
        repo.set_batch_challenger(session, batch_id=batch.id, duel=found.model_dump(mode="json"))
    return found


def promote(storage: Storage, batch: BatchRead, *, name: str):
    """Save the challenger's run as the pipeline's new version (a new pipeline when the champion was unsaved)."""
    batch = _own(storage, batch)
    challenger = runs.get(storage, batch.retrain_run_id)
    note = f"Retrained with batch {batch.id} ({batch.name}, {batch.n_rows:,} rows)"
    return pipelines.save(
        storage, name=name, spec=PipelineSpec.from_json(challenger.spec_json), run_id=challenger.id, note=note
    )
