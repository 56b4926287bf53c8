"""SQLModel tables, and the read models that repository functions return instead of live rows."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, String, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel

from pipeline_core.train.curves import Curves


def utcnow() -> datetime:
    return datetime.now(UTC)


class RunStatus(StrEnum):
    """Where a run is in its life; the database refuses any other value (migration 0006)."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # its process died, or the server stopped, while it was active

    @property
    def is_active(self) -> bool:
        return self in ACTIVE


ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
RUN_STATUS_CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in RunStatus))


class _RunStatusText(TypeDecorator):
    """Stored as its text; read back as a RunStatus."""

    impl, cache_ok = String, True

    def process_result_value(self, value, dialect):
        return None if value is None else RunStatus(value)


class Owned(SQLModel):
    """Who made a record, and whether the team sees it. With sign-in off, or made before it was on, the owner is
    '' and the record is the whole team's."""

    owner: str = Field(default="", index=True)
    shared: bool = Field(default=False, description="the team sees it too (only its owner changes it)")


class DatasetBase(Owned):
    # unique with the owner (migration 0010): two people uploading the same bytes each get a record of their own
    fingerprint: str = Field(index=True, description="sha256 of the bytes and how they were read")
    name: str
    n_rows: int
    n_columns: int
    size_bytes: int
    parquet_sha256: str = Field(description="the stored Parquet copy, in the artifact store")
    read_options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, description="how the bytes were read")
    source_sha256: str | None = Field(default=None, description="the uploaded bytes, kept to read them again")
    lineage: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, description="for a derived dataset: its source")


class Dataset(DatasetBase, table=True):
    __table_args__ = (UniqueConstraint("fingerprint", "owner", name="uq_dataset_fingerprint_owner"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class DatasetRead(DatasetBase):
    id: int
    created_at: datetime


class PipelineBase(Owned):
    name: str = Field(index=True, unique=True)


class Pipeline(PipelineBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = Field(default=None, description="set when archived; cleared by undo")


class PipelineSummary(SQLModel):
    """A pipeline as the lists show it: its latest version, its number of runs, its last change."""

    id: int
    name: str
    owner: str
    shared: bool
    latest_version: int
    updated_at: datetime
    runs: int


class PipelineVersionBase(SQLModel):
    pipeline_id: int = Field(foreign_key="pipeline.id", index=True)
    version: int
    spec_json: str
    spec_hash: str
    note: str | None = Field(default=None, description="what the person saving it said about this version")


class PipelineVersion(PipelineVersionBase, table=True):
    """An immutable snapshot of a pipeline's spec; an edit makes a new version."""

    __table_args__ = (UniqueConstraint("pipeline_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class PipelineVersionRead(PipelineVersionBase):
    id: int
    created_at: datetime
    pipeline_name: str


class RunBase(Owned):
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    pipeline_version_id: int | None = Field(default=None, foreign_key="pipelineversion.id", index=True)
    reproduces_id: int | None = Field(default=None, foreign_key="run.id", index=True, description="the run re-run")
    spec_json: str
    spec_hash: str
    task: str
    target: str
    seed: int
    status: RunStatus = Field(default=RunStatus.QUEUED, sa_type=_RunStatusText)
    progress: float = 0.0
    message: str = ""
    error: str | None = None
    cancel_requested: bool = False
    worker_pid: int | None = Field(default=None, description="the process running it (or, queued, that made it)")
    worker_host: str | None = Field(default=None, description="the machine of worker_pid")
    worker_start: int | None = Field(
        default=None, sa_type=BigInteger, description="when worker_pid started (clock ticks since boot)"
    )
    primary_metric: str | None = None
    n_train: int | None = None
    n_test: int | None = None
    library_versions: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # While it runs: each model's fold scores so far in the ranking metric, by label (the Train page's table).
    fold_scores: dict[str, list[float | None]] = Field(default_factory=dict, sa_type=JSON)


class Run(RunBase, table=True):
    __table_args__ = (CheckConstraint(RUN_STATUS_CHECK, name="run_status"),)
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RunRead(RunBase):
    id: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    dataset_name: str
    pipeline_name: str | None = None
    pipeline_version: int | None = None

    @property
    def is_active(self) -> bool:
        return self.status.is_active


class ModelResultBase(SQLModel):
    run_id: int = Field(foreign_key="run.id", index=True)
    key: str
    kind: str
    label: str
    is_baseline: bool = False
    status: str
    error: str | None = None
    cv_scores: dict[str, list[float | None]] = Field(default_factory=dict, sa_type=JSON)
    test_scores: dict[str, float | None] = Field(default_factory=dict, sa_type=JSON)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    n_groups: int | None = None  # clustering: the groups it formed (noise, if any, as one)
    artifact_sha256: str | None = None
    artifact_size: int | None = None


class ModelResult(ModelResultBase, table=True):
    __table_args__ = (UniqueConstraint("run_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)


class ModelResultRead(ModelResultBase):
    id: int
    curves: Curves | None = None  # read only when asked for (`with_curves`): only the charts need them


class ModelCurves(SQLModel, table=True):
    """A model's chart data, in a row of its own: far larger than its scores, and only the charts read it."""

    result_id: int = Field(foreign_key="modelresult.id", primary_key=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # a Curves, as JSON


class BatchBase(SQLModel):
    owner: str = Field(default="", index=True, description="who checked it; the team sees it when it sees the run")
    run_id: int = Field(foreign_key="run.id", index=True, description="the run whose model it was checked against")
    model_key: str
    name: str  # of the file it came from
    n_rows: int
    labelled: bool  # carries the target, so performance was measured
    drift: bool
    alarm: bool  # drift, or performance outside what cross-validation promised
    report: dict[str, Any] = Field(sa_type=JSON)  # a pipeline_core.monitor.report.BatchReport
    data_sha256: str  # its rows, as parquet: retraining reads them
    breaches_sha256: str  # the rows that break the data contract, as CSV
    retrain_run_id: int | None = Field(default=None, foreign_key="run.id", description="the challenger's run")
    duel: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # a pipeline_core.monitor.challenge.Duel


class Batch(BatchBase, table=True):
    """A batch of new rows checked against a trained model: what was found, and the rows themselves."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class BatchRead(BatchBase):
    id: int
    created_at: datetime


class DraftBase(SQLModel):
    key: str = Field(primary_key=True, description="a random name the browser session keeps in its address")
    owner: str = Field(default="", description="whose session: nobody else opens it")
    dataset_id: int = Field(foreign_key="dataset.id")
    spec_json: str
    run_id: int | None = Field(default=None, foreign_key="run.id", description="the run this draft watches")
    updated_at: datetime = Field(default_factory=utcnow)


class Draft(DraftBase, table=True):
    """The pipeline being edited in one browser session, saved on every change so a refresh or a crash loses
    nothing. Each session has its own, named in its address, so two people never edit one draft unawares."""


class DraftRead(DraftBase):
    dataset_name: str


class Workspace(SQLModel, table=True):
    """One row: this database's own random name. Its artifact folder records it, so that another database
    pointed at the same folder never sweeps files that this one's records name."""

    id: int = Field(default=1, primary_key=True)
    key: str


class Account(SQLModel, table=True):
    """Someone who signs in with a password (PIPEWRIGHT_SIGN_IN=password), added by an admin's command."""

    name: str = Field(primary_key=True)
    password_hash: str = Field(description="argon2id, with its salt and cost")
    created_at: datetime = Field(default_factory=utcnow)


class SignIn(SQLModel, table=True):
    """Each attempt to sign in with a password: the log that recent failures are counted in."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    succeeded: bool
