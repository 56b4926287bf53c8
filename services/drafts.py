"""Drafts: the pipeline each browser session is editing, kept across a refresh and a restart."""

from pipeline_core.spec import PipelineSpec
from storage import repo
from storage.db import Storage, session_scope
from storage.models import DatasetRead, DraftRead


def save(storage: Storage, *, key: str, dataset_id: int, spec: PipelineSpec) -> None:
    with session_scope(storage.engine) as session:
        repo.save_draft(session, key=key, dataset_id=dataset_id, spec=spec)


def load(storage: Storage, *, key: str) -> tuple[DraftRead, DatasetRead] | None:
    with session_scope(storage.engine) as session:
        return repo.load_draft(session, key=key)


def watch(storage: Storage, *, key: str, run_id: int | None) -> None:
    """Remember which run the session's Train page shows."""
    with session_scope(storage.engine) as session:
        repo.watch_run(session, key=key, run_id=run_id)


def others(storage: Storage, *, key: str) -> list[DraftRead]:
    """The drafts of other sessions, newest first, to reopen."""
    with session_scope(storage.engine) as session:
        return [draft for draft in repo.list_drafts(session) if draft.key != key]


def copy(storage: Storage, *, source: str, key: str) -> None:
    """Make `key`'s draft a copy of `source`'s (the dataset, the spec and the run it watches), so a session
    carries on from another's work without the two writing one draft."""
    with session_scope(storage.engine) as session:
        saved = repo.load_draft(session, key=source)
        if saved is not None:
            draft, _ = saved
            repo.save_draft(session, key=key, dataset_id=draft.dataset_id, spec=PipelineSpec.from_json(draft.spec_json))
            repo.watch_run(session, key=key, run_id=draft.run_id)
