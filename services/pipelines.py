"""Saved pipelines: named, versioned specs."""

from pipeline_core.spec import PipelineSpec
from storage import repo
from storage.db import Storage, retry_on_conflict
from storage.models import PipelineVersionRead


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
