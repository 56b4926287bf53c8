"""Repository functions: each takes a Session (one transaction) and returns read models."""

import io
import math
import os

import pandas as pd
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, func, or_, select, true, update

from pipeline_core.spec import PipelineSpec
from pipeline_core.train.curves import Curves, Importance
from pipeline_core.train.results import TrainedModel
from storage import processes
from storage.artifacts import ArtifactStore
from storage.db import log_path
from storage.errors import NotFoundError
from storage.models import (
    ACTIVE,
    Account,
    Batch,
    BatchRead,
    Dataset,
    DatasetRead,
    Draft,
    DraftRead,
    ModelCurves,
    ModelResult,
    ModelResultRead,
    Pipeline,
    PipelineSummary,
    PipelineVersion,
    PipelineVersionRead,
    Run,
    RunRead,
    RunStatus,
    SignIn,
    utcnow,
)

PARQUET, SKOPS, SOURCE, CSV = ".parquet", ".skops", ".source", ".csv"
_QUEUE_LOCK = 7_263_515  # any fixed number: the PostgreSQL lock runs take in turn to claim a place
_SIGN_IN_LOCK = 7_263_516  # the same, for attempts to sign in


def _one_at_a_time(session: Session, lock: int) -> None:
    """On PostgreSQL, hold `lock` to the end of the transaction, so transactions taking it pass one by one; SQLite
    needs none: its one writer at a time does the same for a transaction that writes first."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({lock})")


def _visible(table, viewer: str | None):
    """What `viewer` sees: their own, the team's (made with sign-in off) and what is shared; all, for no one."""
    if viewer is None:
        return true()
    return or_(col(table.owner) == viewer, col(table.owner) == "", col(table.shared))


def _visible_dataset(viewer: str | None):
    """A dataset is seen by its own rights (owner, team, shared), and with any run the viewer sees: the data it
    trained on."""
    if viewer is None:
        return true()
    seen_runs = select(Run.dataset_id).where(_visible(Run, viewer))
    return _visible(Dataset, viewer) | col(Dataset.id).in_(seen_runs)


def _visible_batch(viewer: str | None):
    """A batch is seen with its run when the run's owner checked it; one checked by anyone else is theirs."""
    if viewer is None:
        return true()
    return _visible(Run, viewer) & or_(
        col(Batch.owner) == col(Run.owner), col(Batch.owner) == viewer, col(Batch.owner) == ""
    )


def set_shared(session: Session, table, *, row_id: int, shared: bool) -> None:
    """Share a dataset or run with the team (a run brings the data it trained on), or stop."""
    row = _get(session, table, row_id)
    row.shared = shared
    session.add(row)


# ---- datasets -----------------------------------------------------------------------------------


def save_dataset(
    session: Session,
    store: ArtifactStore,
    *,
    frame: pd.DataFrame,
    fingerprint: str,
    name: str,
    size_bytes: int,
    owner: str = "",
    read_options: dict | None = None,
    source: bytes | None = None,
    lineage: dict | None = None,
) -> DatasetRead:
    """Store a dataset once per fingerprint and owner: its Parquet copy in the store, its record in the database.

    Re-saving the same bytes returns the existing record. Two processes saving the same bytes at once
    both write the same files; the second record to arrive raises ConflictError (see
    `storage.db.retry_on_conflict`, which then reads the first one's record).
    """
    existing = session.exec(select(Dataset).where(Dataset.fingerprint == fingerprint, Dataset.owner == owner)).first()
    if existing:
        return DatasetRead.model_validate(existing)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    dataset = Dataset(
        owner=owner,
        fingerprint=fingerprint,
        name=name,
        n_rows=len(frame),
        n_columns=frame.shape[1],
        size_bytes=size_bytes,
        parquet_sha256=store.put(buffer.getvalue(), PARQUET),
        read_options=read_options or {},
        source_sha256=None if source is None else store.put(source, SOURCE),
        lineage=lineage or {},
    )
    session.add(dataset)
    session.flush()
    return DatasetRead.model_validate(dataset)


def load_dataset_frame(store: ArtifactStore, dataset: DatasetRead) -> pd.DataFrame:
    """The stored table, checksum-verified."""
    return pd.read_parquet(io.BytesIO(store.read(dataset.parquet_sha256, PARQUET)))


def dataset_source(store: ArtifactStore, dataset: DatasetRead) -> bytes:
    """The bytes as uploaded, checksum-verified, to read them again with other options."""
    if dataset.source_sha256 is None:
        raise NotFoundError(f"The uploaded file of '{dataset.name}' was not kept.")
    return store.read(dataset.source_sha256, SOURCE)


def get_dataset(
    session: Session, *, dataset_id: int | None = None, fingerprint: str | None = None, viewer: str | None = None
) -> DatasetRead:
    """By id, or by fingerprint (the viewer's own copy first); NotFoundError for one the viewer may not see."""
    query = select(Dataset).where(
        _visible_dataset(viewer),
        Dataset.id == dataset_id if dataset_id is not None else Dataset.fingerprint == fingerprint,
    )
    dataset = session.exec(query.order_by(col(Dataset.owner) != (viewer or ""), col(Dataset.id))).first()
    if dataset is None:
        raise NotFoundError(f"No stored dataset {dataset_id or fingerprint}.")
    return DatasetRead.model_validate(dataset)


def list_datasets(session: Session, *, viewer: str | None = None) -> list[DatasetRead]:
    rows = session.exec(select(Dataset).where(_visible_dataset(viewer)).order_by(col(Dataset.created_at).desc())).all()
    return [DatasetRead.model_validate(row) for row in rows]


def save_draft(session: Session, *, key: str, dataset_id: int, spec: PipelineSpec, owner: str = "") -> None:
    """Remember the pipeline a browser session is editing (replacing its previous state)."""
    draft = session.get(Draft, key) or Draft(key=key, owner=owner, dataset_id=dataset_id, spec_json="")
    if draft.dataset_id != dataset_id:
        draft.run_id = None  # a run of another dataset is not this draft's any more
    draft.dataset_id, draft.spec_json, draft.updated_at = dataset_id, spec.to_json(), utcnow()
    session.add(draft)


def watch_run(session: Session, *, key: str, run_id: int | None) -> None:
    """The run a draft shows on the Train page (after a refresh too)."""
    draft = session.get(Draft, key)
    if draft is not None:
        draft.run_id = run_id
        session.add(draft)


def draft_owner(session: Session, *, key: str) -> str | None:
    """Whose session the draft is, or None when there is no such draft."""
    return session.exec(select(Draft.owner).where(Draft.key == key)).first()


def load_draft(session: Session, *, key: str, viewer: str | None = None) -> tuple[DraftRead, DatasetRead] | None:
    """A session's draft and its dataset, or None (none of the viewer's, or its dataset not theirs to see now)."""
    draft = session.get(Draft, key)
    if draft is None or viewer not in (None, draft.owner):
        return None
    try:
        dataset = get_dataset(session, dataset_id=draft.dataset_id, viewer=viewer)
    except NotFoundError:
        return None
    return DraftRead(**draft.model_dump(), dataset_name=dataset.name), dataset


def list_drafts(session: Session, *, viewer: str | None = None, limit: int = 20) -> list[DraftRead]:
    """The latest drafts of the viewer's sessions (of every session, for no one), newest change first."""
    rows = session.exec(
        select(Draft, Dataset.name)
        .join(Dataset, Dataset.id == Draft.dataset_id)
        .where(true() if viewer is None else col(Draft.owner) == viewer)
        .order_by(col(Draft.updated_at).desc())
        .limit(limit)
    ).all()
    return [DraftRead(**draft.model_dump(), dataset_name=name) for draft, name in rows]


# ---- pipelines ----------------------------------------------------------------------------------


def save_pipeline(
    session: Session,
    *,
    name: str,
    spec: PipelineSpec,
    run_id: int | None = None,
    note: str | None = None,
    owner: str = "",
) -> PipelineVersionRead:
    """Save the spec under a name: a new pipeline, or a new version (with the optional note) when the
    spec changed.

    Saving an unchanged spec returns the latest version. If `run_id` is given, that run (which
    trained this spec) is filed under the version, and shared with the team when the pipeline is.
    """
    name = name.strip()
    if not name:
        raise ValueError("A pipeline needs a name.")
    pipeline = session.exec(select(Pipeline).where(Pipeline.name == name)).first()
    if pipeline is not None and pipeline.archived_at is not None:
        raise ValueError(f"'{name}' is archived: bring it back on the Pipelines page first, or choose another name.")
    if pipeline is None:
        pipeline = Pipeline(name=name, owner=owner)
        session.add(pipeline)
        session.flush()
    latest = session.exec(
        select(PipelineVersion)
        .where(PipelineVersion.pipeline_id == pipeline.id)
        .order_by(col(PipelineVersion.version).desc())
    ).first()
    spec_hash = spec.content_hash()
    version = latest
    if latest is None or latest.spec_hash != spec_hash:
        version = PipelineVersion(
            pipeline_id=pipeline.id,
            version=(latest.version + 1) if latest else 1,
            spec_json=spec.to_json(),
            spec_hash=spec_hash,
            note=(note or "").strip() or None,
        )
        session.add(version)
        session.flush()
    if run_id is not None:
        run = _get(session, Run, run_id)
        if run.spec_hash != spec_hash:
            raise ValueError("That run trained a different spec than the one being saved.")
        run.pipeline_version_id = version.id
        session.add(run)
        if pipeline.shared and run.owner == pipeline.owner:
            run.shared = True
    return PipelineVersionRead(**version.model_dump(), pipeline_name=pipeline.name)


def find_pipeline(
    session: Session, *, name: str | None = None, pipeline_id: int | None = None, viewer: str | None = None
) -> Pipeline | None:
    """The pipeline of that name (or id) the viewer sees. Names are the team's: one pipeline each, whoever's."""
    where = Pipeline.name == name.strip() if name is not None else Pipeline.id == pipeline_id
    return session.exec(select(Pipeline).where(where, _visible(Pipeline, viewer))).first()


def share_pipeline(session: Session, *, pipeline_id: int, shared: bool) -> None:
    """Share a pipeline with the team, with its owner's runs filed under it (and so the data they trained on: the
    team can compare, export and re-run it), or stop sharing them."""
    pipeline = _get(session, Pipeline, pipeline_id)
    pipeline.shared = shared
    session.add(pipeline)
    filed = select(Run.id).join(PipelineVersion, PipelineVersion.id == Run.pipeline_version_id)
    owners_runs = filed.where(PipelineVersion.pipeline_id == pipeline_id, col(Run.owner) == pipeline.owner)
    session.exec(update(Run).where(col(Run.id).in_(owners_runs)).values(shared=shared))


def list_pipelines(session: Session, *, archived: bool = False, viewer: str | None = None) -> list[PipelineSummary]:
    """One summary per pipeline the viewer sees (the archived ones when `archived`): name, owner, latest version,
    runs, last change."""
    rows = session.exec(
        select(
            Pipeline.id,
            Pipeline.name,
            Pipeline.owner,
            Pipeline.shared,
            func.max(PipelineVersion.version),
            func.max(PipelineVersion.created_at),
            func.count(Run.id),
        )
        .join(PipelineVersion, PipelineVersion.pipeline_id == Pipeline.id)
        .join(Run, (Run.pipeline_version_id == PipelineVersion.id) & _visible(Run, viewer), isouter=True)
        .where(col(Pipeline.archived_at).is_not(None) if archived else col(Pipeline.archived_at).is_(None))
        .where(_visible(Pipeline, viewer))
        .group_by(Pipeline.id)
        .order_by(func.max(PipelineVersion.created_at).desc())
    ).all()
    keys = ("id", "name", "owner", "shared", "latest_version", "updated_at", "runs")
    return [PipelineSummary(**dict(zip(keys, row, strict=True))) for row in rows]


def rename_pipeline(session: Session, *, pipeline_id: int, name: str) -> None:
    """Raises ValueError for an empty name or one another pipeline has."""
    name = name.strip()
    if not name:
        raise ValueError("A pipeline needs a name.")
    if session.exec(select(Pipeline).where(Pipeline.name == name, Pipeline.id != pipeline_id)).first():
        raise ValueError(f"There is already a pipeline called '{name}'.")
    pipeline = _get(session, Pipeline, pipeline_id)
    pipeline.name = name
    session.add(pipeline)


def clone_pipeline(session: Session, *, pipeline_id: int, name: str, owner: str = "") -> PipelineVersionRead:
    """A new pipeline whose v1 is the latest version of another; raises ValueError for a taken name."""
    if session.exec(select(Pipeline).where(Pipeline.name == name.strip())).first():
        raise ValueError(f"There is already a pipeline called '{name.strip()}'.")
    latest = list_versions(session, pipeline_id=pipeline_id)[0]
    note = f"cloned from {latest.pipeline_name} v{latest.version}"
    return save_pipeline(session, name=name, spec=PipelineSpec.from_json(latest.spec_json), note=note, owner=owner)


def set_archived(session: Session, *, pipeline_id: int, archived: bool) -> None:
    """Archive a pipeline (hidden from the lists, kept with its versions and runs), or bring it back."""
    pipeline = _get(session, Pipeline, pipeline_id)
    pipeline.archived_at = utcnow() if archived else None
    session.add(pipeline)


def list_versions(session: Session, *, pipeline_id: int, viewer: str | None = None) -> list[PipelineVersionRead]:
    """Newest first; NotFoundError for a pipeline the viewer may not see."""
    pipeline = find_pipeline(session, pipeline_id=pipeline_id, viewer=viewer)
    if pipeline is None:
        raise NotFoundError(f"No pipeline {pipeline_id}.")
    versions = session.exec(
        select(PipelineVersion)
        .where(PipelineVersion.pipeline_id == pipeline_id)
        .order_by(col(PipelineVersion.version).desc())
    ).all()
    return [PipelineVersionRead(**v.model_dump(), pipeline_name=pipeline.name) for v in versions]


# ---- runs ---------------------------------------------------------------------------------------


def create_run(
    session: Session,
    *,
    dataset_id: int,
    spec: PipelineSpec,
    library_versions: dict,
    reproduces_id: int | None = None,
    owner: str = "",
) -> RunRead:
    """A queued run of `spec` on a stored dataset (a re-run of `reproduces_id`, when given)."""
    run = Run(
        owner=owner,
        dataset_id=dataset_id,
        reproduces_id=reproduces_id,
        **_process_of(os.getpid()),  # the maker answers for a queued run until a worker takes it
        spec_json=spec.to_json(),
        spec_hash=spec.content_hash(),
        task=spec.data.task,
        target=spec.data.target,
        seed=spec.evaluation.seed,
        library_versions=library_versions,
    )
    session.add(run)
    session.flush()
    return get_run(session, run_id=run.id)


def start_run(session: Session, *, run_id: int) -> None:
    """The calling process now runs the run."""
    run = _get(session, Run, run_id)
    run.status, run.started_at = RunStatus.RUNNING, utcnow()
    _set(run, _process_of(os.getpid()))
    session.add(run)


def update_progress(session: Session, *, run_id: int, progress: float, message: str) -> None:
    run = _get(session, Run, run_id)
    # never backwards: a fit added late (the best model's file, made again) grows the total, not the share done
    run.progress, run.message = max(run.progress, progress), message
    session.add(run)


def record_fold_scores(session: Session, *, run_id: int, scores: dict[str, list[float | None]]) -> None:
    run = _get(session, Run, run_id)
    run.fold_scores = scores
    session.add(run)


def record_split(session: Session, *, run_id: int, n_train: int, n_test: int) -> None:
    run = _get(session, Run, run_id)
    run.n_train, run.n_test = n_train, n_test
    session.add(run)


def assign_worker(session: Session, *, run_id: int, pid: int) -> None:
    """A worker process of this machine has been started for the run."""
    run = _get(session, Run, run_id)
    _set(run, _process_of(pid))
    session.add(run)


def _process_of(pid: int) -> dict:
    """What tells a process of this machine apart, even once its number is reused."""
    return {"worker_pid": pid, "worker_host": processes.HOST, "worker_start": processes.start_ticks(pid)}


def _set(row, fields: dict) -> None:
    for name, value in fields.items():
        setattr(row, name, value)


def claim_run(session: Session, *, run_id: int, at_once: int) -> RunStatus:
    """Start the run in the calling process if its turn has come: it is the oldest of this machine's runs waiting,
    and fewer than `at_once` of them are running. Returns its status after: RUNNING when this call started it,
    QUEUED while it waits, else how it ended (cancelled while it waited).

    One statement looks and writes, which SQLite runs under its write lock; on PostgreSQL a lock held to the end
    of the transaction makes runs claim one at a time, so two never take the last free place together."""
    _one_at_a_time(session, _QUEUE_LOCK)
    other = aliased(Run)
    here = col(other.worker_host) == processes.HOST
    running = select(func.count()).where(here, col(other.status) == RunStatus.RUNNING).scalar_subquery()
    waiting = col(other.status) == RunStatus.QUEUED, ~col(other.cancel_requested)
    first = select(func.min(other.id)).where(here, *waiting).scalar_subquery()
    session.exec(
        update(Run)
        .where(col(Run.id) == run_id, col(Run.status) == RunStatus.QUEUED, running < at_once, first == run_id)
        .values(status=RunStatus.RUNNING, started_at=utcnow(), **_process_of(os.getpid()))
    )
    return session.exec(select(Run.status).where(Run.id == run_id)).one()


def runs_ahead(session: Session, *, run_id: int) -> int:
    """How many of this machine's runs train, or wait to, before this one."""
    other = aliased(Run)
    waiting_before = (col(other.status) == RunStatus.QUEUED) & ~col(other.cancel_requested) & (col(other.id) < run_id)
    return session.exec(
        select(func.count()).where(
            col(other.worker_host) == processes.HOST, (col(other.status) == RunStatus.RUNNING) | waiting_before
        )
    ).one()


def request_cancel(session: Session, *, run_id: int) -> None:
    """A running run stops at its next chance; a waiting one is cancelled now, so it never starts."""
    _get(session, Run, run_id)  # NotFoundError for an unknown run
    session.exec(update(Run).where(col(Run.id) == run_id).values(cancel_requested=True))
    session.exec(
        update(Run)
        .where(col(Run.id) == run_id, col(Run.status) == RunStatus.QUEUED)
        .values(status=RunStatus.CANCELLED, finished_at=utcnow(), message="cancelled before it started.")
    )


def is_cancel_requested(session: Session, *, run_id: int) -> bool:
    return bool(session.exec(select(Run.cancel_requested).where(Run.id == run_id)).one())


def finish_run(
    session: Session,
    *,
    run_id: int,
    status: RunStatus | str,
    error: str | None = None,
    primary_metric: str | None = None,
    n_train: int | None = None,
    n_test: int | None = None,
) -> None:
    """End a run; what is not given (a run abandoned mid-way) keeps what was recorded or the spec's choice.

    Raises:
        ValueError: not a status a run can have.
    """
    run = _get(session, Run, run_id)
    run.status, run.error, run.finished_at = RunStatus(status), error, utcnow()
    spec = PipelineSpec.from_json(run.spec_json)
    run.primary_metric = primary_metric or spec.ranking_metric
    run.n_train, run.n_test = n_train or run.n_train, n_test or run.n_test
    if run.status is RunStatus.SUCCEEDED:
        run.progress, run.message = 1.0, "every model trained and tested."
    session.add(run)


def interrupt_dead_runs(session: Session) -> list[int]:
    """Runs of this machine left queued or running by a process that no longer exists become 'interrupted';
    returns their ids. Runs of other machines are theirs to judge: their processes cannot be seen from here.

    The change is made only if the run is still active under that same process, so a run that finished
    between the look and the write keeps its own ending.
    """
    interrupted = []
    for run in session.exec(select(Run).where(col(Run.status).in_(ACTIVE))).all():
        if run.worker_host not in (None, processes.HOST):
            continue
        if run.worker_pid is not None and processes.alive(run.worker_pid, start=run.worker_start):
            continue
        log = log_path(run.id)
        error = f"The process running this run (pid {run.worker_pid}) stopped before it finished." + (
            f" Its log: {log}" if log.exists() else ""
        )
        same_process = col(Run.worker_pid) == run.worker_pid if run.worker_pid else col(Run.worker_pid).is_(None)
        changed = session.exec(
            update(Run)
            .where(col(Run.id) == run.id, col(Run.status).in_(ACTIVE), same_process)
            .values(status=RunStatus.INTERRUPTED, finished_at=utcnow(), error=error)
        )
        if changed.rowcount:
            interrupted.append(run.id)
    return interrupted


def active_run_ids(session: Session) -> set[int]:
    return set(session.exec(select(Run.id).where(col(Run.status).in_(ACTIVE))).all())


def referenced_artifacts(session: Session) -> set[str]:
    """Every sha256 a record names: the files the artifact store must keep."""
    names = set(session.exec(select(Dataset.parquet_sha256)).all())
    names |= set(session.exec(select(Dataset.source_sha256)).all())
    names |= set(session.exec(select(ModelResult.artifact_sha256)).all())
    names |= set(session.exec(select(Batch.data_sha256)).all())
    names |= set(session.exec(select(Batch.breaches_sha256)).all())
    return names - {None}


def get_run(session: Session, *, run_id: int, viewer: str | None = None) -> RunRead:
    """NotFoundError for a run the viewer may not see."""
    runs = _run_query(session, select_where=Run.id == run_id, viewer=viewer)
    if not runs:
        raise NotFoundError(f"No run {run_id}.")
    return runs[0]


def reproductions(session: Session, *, run_id: int, viewer: str | None = None) -> list[RunRead]:
    """The re-runs of a run, newest first."""
    return _run_query(session, select_where=Run.reproduces_id == run_id, viewer=viewer)


def list_runs(
    session: Session, *, pipeline_id: int | None = None, limit: int = 50, viewer: str | None = None
) -> list[RunRead]:
    """Most recent first, of those the viewer sees; only those filed under `pipeline_id` when it is given."""
    where = Pipeline.id == pipeline_id if pipeline_id else None
    return _run_query(session, select_where=where, limit=limit, viewer=viewer)


def _run_query(session: Session, *, select_where=None, limit: int = 50, viewer: str | None = None) -> list[RunRead]:
    query = (
        select(Run, Dataset.name, Pipeline.name, PipelineVersion.version)
        .join(Dataset, Dataset.id == Run.dataset_id)
        .join(PipelineVersion, PipelineVersion.id == Run.pipeline_version_id, isouter=True)
        .join(Pipeline, Pipeline.id == PipelineVersion.pipeline_id, isouter=True)
        .where(_visible(Run, viewer))
        .order_by(col(Run.id).desc())
        .limit(limit)
    )
    if select_where is not None:
        query = query.where(select_where)
    return [
        RunRead(**run.model_dump(), dataset_name=dataset, pipeline_name=pipeline, pipeline_version=version)
        for run, dataset, pipeline, version in session.exec(query).all()
    ]


# ---- model results ------------------------------------------------------------------------------


def add_model_result(session: Session, store: ArtifactStore, *, run_id: int, result: TrainedModel) -> ModelResultRead:
    """Record one trained model; its skops file goes to the artifact store."""
    row = ModelResult(
        run_id=run_id,
        key=result.key,
        kind=result.kind,
        label=result.label,
        is_baseline=result.is_baseline,
        status=result.status,
        error=result.error,
        cv_scores={metric: [_finite(v) for v in values] for metric, values in result.cv_scores.items()},
        test_scores={metric: _finite(value) for metric, value in result.test_scores.items()},
        fit_seconds=result.fit_seconds,
        predict_seconds=result.predict_seconds,
        n_groups=result.n_groups,
        artifact_sha256=store.put(result.model_file, SKOPS) if result.model_file else None,
        artifact_size=len(result.model_file) if result.model_file else None,
    )
    session.add(row)
    session.flush()
    session.add(ModelCurves(result_id=row.id, data=result.curves.model_dump(mode="json", exclude_none=True)))
    return ModelResultRead.model_validate(row)


def set_model_file(session: Session, store: ArtifactStore, *, result_id: int, data: bytes) -> ModelResultRead:
    """Keep a model file made after its run (runs keep only their best model's)."""
    row = _get(session, ModelResult, result_id)
    row.artifact_sha256, row.artifact_size = store.put(data, SKOPS), len(data)
    session.add(row)
    return ModelResultRead.model_validate(row)


def model_result_id(session: Session, *, run_id: int, key: str) -> int:
    row = session.exec(select(ModelResult).where(ModelResult.run_id == run_id, ModelResult.key == key)).first()
    if row is None:
        raise NotFoundError(f"Run {run_id} has no model '{key}'.")
    return row.id


def set_importance(session: Session, *, result_id: int, importance: Importance) -> ModelResultRead:
    """Keep a model's permutation importance, worked out after its run."""
    curves = _get(session, ModelCurves, result_id)
    curves.data = curves.data | {"importance": importance.model_dump(mode="json")}
    session.add(curves)
    return _with_curves(_get(session, ModelResult, result_id), curves)


def list_model_results(session: Session, *, run_id: int, with_curves: bool = False) -> list[ModelResultRead]:
    """A run's models in the order they were recorded; their chart data too when asked for."""
    rows = session.exec(select(ModelResult).where(ModelResult.run_id == run_id).order_by(col(ModelResult.id))).all()
    if not with_curves:
        return [ModelResultRead.model_validate(row) for row in rows]
    curves = session.exec(select(ModelCurves).where(col(ModelCurves.result_id).in_([row.id for row in rows]))).all()
    by_result = {row.result_id: row for row in curves}
    return [_with_curves(row, by_result.get(row.id)) for row in rows]


def _with_curves(row: ModelResult, curves: ModelCurves | None) -> ModelResultRead:
    return ModelResultRead.model_validate(row).model_copy(
        update={"curves": Curves.model_validate(curves.data if curves else {})}
    )


def _finite(value: float) -> float | None:
    """JSON has no NaN: an undefined score is stored as null."""
    return None if value is None or math.isnan(value) else float(value)


def _get(session: Session, table, row_id: int):
    row = session.get(table, row_id)
    if row is None:
        raise NotFoundError(f"No {table.__name__.lower()} {row_id}.")
    return row


def model_file(store: ArtifactStore, result: ModelResultRead) -> bytes:
    """The trained pipeline's skops bytes, checksum-verified."""
    if result.artifact_sha256 is None:
        raise NotFoundError(f"{result.label} has no saved model ({result.status}).")
    return store.read(result.artifact_sha256, SKOPS)


def model_file_path(store: ArtifactStore, result: ModelResultRead):
    return store.path(result.artifact_sha256, SKOPS)


# ---- monitored batches --------------------------------------------------------------------------


def add_batch(
    session: Session,
    store: ArtifactStore,
    *,
    run_id: int,
    name: str,
    rows: pd.DataFrame,
    report: dict,
    breaches: pd.DataFrame,
    alarm: bool,
    drift: bool,
    labelled: bool,
    owner: str = "",
) -> BatchRead:
    """Record a checked batch; its rows (parquet) and contract breaches (CSV) go to the artifact store."""
    buffer = io.BytesIO()
    rows.to_parquet(buffer, index=False)
    batch = Batch(
        owner=owner,
        run_id=_get(session, Run, run_id).id,
        model_key=report["model_key"],
        name=name,
        n_rows=len(rows),
        labelled=labelled,
        drift=drift,
        alarm=alarm,
        report=report,
        data_sha256=store.put(buffer.getvalue(), PARQUET),
        breaches_sha256=store.put(breaches.to_csv(index=False).encode(), CSV),
    )
    session.add(batch)
    session.flush()
    return BatchRead.model_validate(batch)


def get_batch(session: Session, *, batch_id: int, viewer: str | None = None) -> BatchRead:
    """NotFoundError for a batch the viewer may not see (it is seen with its run)."""
    batches = _batch_query(session, col(Batch.id) == batch_id, viewer)
    if not batches:
        raise NotFoundError(f"No batch {batch_id}.")
    return batches[0]


def list_batches(session: Session, *, run_ids: list[int], viewer: str | None = None) -> list[BatchRead]:
    """The batches checked against these runs, oldest first."""
    return _batch_query(session, col(Batch.run_id).in_(run_ids), viewer)


def _batch_query(session: Session, where, viewer: str | None) -> list[BatchRead]:
    query = select(Batch).join(Run, Run.id == Batch.run_id).where(where, _visible_batch(viewer)).order_by(col(Batch.id))
    return [BatchRead.model_validate(row) for row in session.exec(query).all()]


def batch_rows(store: ArtifactStore, batch: BatchRead) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(store.read(batch.data_sha256, PARQUET)))


def batch_breaches(store: ArtifactStore, batch: BatchRead) -> bytes:
    return store.read(batch.breaches_sha256, CSV)


def set_batch_challenger(
    session: Session,
    *,
    batch_id: int,
    run_id: int | None = None,
    replacing: int | None = None,
    duel: dict | None = None,
):
    """Note the run retrained with the batch's rows, unless another is noted already than `replacing` (a run that
    ended without models): the first started stays. Or note how it fared against the champion."""
    batch = _get(session, Batch, batch_id)
    if run_id is not None:
        noted = col(Batch.retrain_run_id)
        free = noted.is_(None) if replacing is None else noted.is_(None) | (noted == replacing)
        session.exec(update(Batch).where(col(Batch.id) == batch_id, free).values(retrain_run_id=run_id, duel=None))
        session.refresh(batch)
    if duel is not None:
        batch.duel = duel
    session.add(batch)
    return BatchRead.model_validate(batch)


# ---- accounts -----------------------------------------------------------------------------------


def add_account(session: Session, *, name: str, password_hash: str, replace: bool = False) -> None:
    """Raises ValueError for a name taken (unless `replace`: a new password for it)."""
    account = session.get(Account, name)
    if account is not None and not replace:
        raise ValueError(f"There is already an account called '{name}'.")
    account = account or Account(name=name, password_hash=password_hash)
    account.password_hash = password_hash
    session.add(account)


def password_hash(session: Session, *, name: str) -> str | None:
    """The account's password hash, or None for no such account."""
    return session.exec(select(Account.password_hash).where(Account.name == name)).first()


def take_turns_signing_in(session: Session) -> None:
    """Attempts to sign in are counted one at a time, each recorded before it counts the others."""
    _one_at_a_time(session, _SIGN_IN_LOCK)


def record_sign_in(session: Session, *, name: str, at) -> int:
    """An attempt to sign in, recorded as failed until `sign_in_succeeded`; returns its id."""
    attempt = SignIn(name=name, succeeded=False, at=at)
    session.add(attempt)
    session.flush()
    return attempt.id


def sign_in_succeeded(session: Session, *, attempt_id: int) -> None:
    session.exec(update(SignIn).where(col(SignIn.id) == attempt_id).values(succeeded=True))


def forget_sign_in(session: Session, *, attempt_id: int) -> None:
    session.exec(delete(SignIn).where(col(SignIn.id) == attempt_id))


def failed_sign_ins(session: Session, *, name: str, since, before: int) -> list:
    """When sign-in as `name` failed (or is being tried) since then, in attempts before `before`, oldest first."""
    failed = ~col(SignIn.succeeded), col(SignIn.at) >= since, col(SignIn.id) < before
    return list(session.exec(select(SignIn.at).where(SignIn.name == name, *failed).order_by(col(SignIn.at))).all())
