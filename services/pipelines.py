"""Saved pipelines: named, versioned specs."""

from pipeline_core.spec import PipelineSpec
from storage import repo
from storage.db import Storage, retry_on_conflict, session_scope
from storage.models import PipelineSummary, PipelineVersionRead


def save(
    storage: Storage, *, name: str, spec: PipelineSpec, run_id: int | None = None, note: str | None = None
) -> PipelineVersionRead:
    """Save the spec under a name: a new pipeline, or a new version when the spec changed (the run that
    trained it filed under that version). Safe when two processes save under one name at once.

    Raises:
        ValueError: no name, an archived name, or a run that trained another spec.
    """
    return retry_on_conflict(
        storage.engine, lambda session: repo.save_pipeline(session, name=name, spec=spec, run_id=run_id, note=note)
    )


def listed(storage: Storage, *, archived: bool = False) -> list[PipelineSummary]:
    """One summary per pipeline (the archived ones when `archived`), most recently changed first."""
    with session_scope(storage.engine) as session:
        return repo.list_pipelines(session, archived=archived)


def versions(storage: Storage, pipeline_id: int) -> list[PipelineVersionRead]:
    with session_scope(storage.engine) as session:
        return repo.list_versions(session, pipeline_id=pipeline_id)


def rename(storage: Storage, pipeline_id: int, name: str) -> None:
    """Raises ValueError for an empty name or one another pipeline has."""
    with session_scope(storage.engine) as session:
        repo.rename_pipeline(session, pipeline_id=pipeline_id, name=name)


def clone(storage: Storage, pipeline_id: int, name: str) -> PipelineVersionRead:
    """A new pipeline whose v1 is the latest version of another; raises ValueError for a taken name."""
    with session_scope(storage.engine) as session:
        return repo.clone_pipeline(session, pipeline_id=pipeline_id, name=name)


def archive(storage: Storage, pipeline_id: int, *, archived: bool = True) -> None:
    """Hide a pipeline from the lists (its versions and runs are kept), or bring it back."""
    with session_scope(storage.engine) as session:
        repo.set_archived(session, pipeline_id=pipeline_id, archived=archived)
