"""Saved pipelines: named, versioned specs, each its owner's to change and to share with the team."""

from pipeline_core.spec import PipelineSpec
from services.access import check_may_change, owner
from storage import repo
from storage.db import Storage, retry_on_conflict, session_scope
from storage.errors import NotFoundError
from storage.models import PipelineSummary, PipelineVersionRead


def save(
    storage: Storage, *, name: str, spec: PipelineSpec, run_id: int | None = None, note: str | None = None
) -> PipelineVersionRead:
    """Save the spec under a name: a new pipeline, or a new version when the spec changed (the run that
    trained it filed under that version). Safe when two processes save under one name at once.

    Raises:
        ValueError: no name, an archived name, or a run that trained another spec.
        NotYoursError: the name is another person's pipeline, or the run another's.
    """

    def save_in(session):
        existing = repo.find_pipeline(session, name=name)
        if existing is not None and repo.find_pipeline(session, name=name, viewer=storage.user) is None:
            raise ValueError(f"The name '{existing.name}' is taken: choose another.")  # whose, is theirs to say
        if existing is not None:
            check_may_change(storage, existing.owner, f"The pipeline '{existing.name}'")
        if run_id is not None:
            check_may_change(storage, repo.get_run(session, run_id=run_id, viewer=storage.user).owner, f"Run {run_id}")
        return repo.save_pipeline(session, name=name, spec=spec, run_id=run_id, note=note, owner=owner(storage))

    return retry_on_conflict(storage.engine, save_in)


def listed(storage: Storage, *, archived: bool = False) -> list[PipelineSummary]:
    """One summary per pipeline (the archived ones when `archived`), most recently changed first."""
    with session_scope(storage.engine) as session:
        return repo.list_pipelines(session, archived=archived, viewer=storage.user)


def versions(storage: Storage, pipeline_id: int) -> list[PipelineVersionRead]:
    with session_scope(storage.engine) as session:
        return repo.list_versions(session, pipeline_id=pipeline_id, viewer=storage.user)


def rename(storage: Storage, pipeline_id: int, name: str) -> None:
    """Raises ValueError for an empty name or one another pipeline has."""
    with session_scope(storage.engine) as session:
        _own(storage, session, pipeline_id)
        repo.rename_pipeline(session, pipeline_id=pipeline_id, name=name)


def clone(storage: Storage, pipeline_id: int, name: str) -> PipelineVersionRead:
    """A new pipeline, the caller's, whose v1 is the latest version of another; raises ValueError for a taken
    name."""
    with session_scope(storage.engine) as session:
        repo.list_versions(session, pipeline_id=pipeline_id, viewer=storage.user)  # NotFoundError for one unseen
        return repo.clone_pipeline(session, pipeline_id=pipeline_id, name=name, owner=owner(storage))


def archive(storage: Storage, pipeline_id: int, *, archived: bool = True) -> None:
    """Hide a pipeline from the lists (its versions and runs are kept), or bring it back."""
    with session_scope(storage.engine) as session:
        _own(storage, session, pipeline_id)
        repo.set_archived(session, pipeline_id=pipeline_id, archived=archived)


def share(storage: Storage, pipeline_id: int, *, shared: bool = True) -> None:
    """Let the whole team see the pipeline, its runs and the data they trained on (only its owner changes it), or
    stop sharing the pipeline and its runs."""
    with session_scope(storage.engine) as session:
        _own(storage, session, pipeline_id)
        repo.share_pipeline(session, pipeline_id=pipeline_id, shared=shared)


def _own(storage: Storage, session, pipeline_id: int) -> None:
    """Raises NotFoundError for a pipeline the one acting cannot see, NotYoursError for one they may not change."""
    pipeline = repo.find_pipeline(session, pipeline_id=pipeline_id, viewer=storage.user)
    if pipeline is None:
        raise NotFoundError(f"No pipeline {pipeline_id}.")
    check_may_change(storage, pipeline.owner, f"The pipeline '{pipeline.name}'")
