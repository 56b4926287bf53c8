"""Drafts: the pipeline each browser session is editing, kept across a refresh and a restart."""

from pipeline_core.spec import PipelineSpec
from services.access import owner
from storage import repo
from storage.db import Storage, session_scope
from storage.errors import NotYoursError
from storage.models import DatasetRead, DraftRead


def is_free(storage: Storage, *, key: str) -> bool:
    """Whether the caller may keep a draft under `key`: none is kept there yet, or it is theirs."""
    with session_scope(storage.engine) as session:
        return _is_free(storage, session, key)


def _is_free(storage: Storage, session, key: str) -> bool:
    return storage.user is None or repo.draft_owner(session, key=key) in (None, owner(storage))


def _check_free(storage: Storage, session, key: str) -> None:
    if not _is_free(storage, session, key):
        raise NotYoursError("That draft is another person's: only they can change it.")


def save(storage: Storage, *, key: str, dataset_id: int, spec: PipelineSpec) -> None:
    """Raises NotYoursError when `key` is another person's draft."""
    with session_scope(storage.engine) as session:
        _check_free(storage, session, key)
        repo.save_draft(session, key=key, dataset_id=dataset_id, spec=spec, owner=owner(storage))


def load(storage: Storage, *, key: str) -> tuple[DraftRead, DatasetRead] | None:
    """The caller's draft under `key`, or None."""
    with session_scope(storage.engine) as session:
        return repo.load_draft(session, key=key, viewer=storage.user)


def watch(storage: Storage, *, key: str, run_id: int | None) -> None:
    """Remember which run the session's Train page shows."""
    with session_scope(storage.engine) as session:
        _check_free(storage, session, key)
        repo.watch_run(session, key=key, run_id=run_id)


def others(storage: Storage, *, key: str) -> list[DraftRead]:
    """The caller's drafts in other sessions, newest first, to reopen."""
    with session_scope(storage.engine) as session:
        return [draft for draft in repo.list_drafts(session, viewer=storage.user) if draft.key != key]


def copy(storage: Storage, *, source: str, key: str) -> None:
    """Make `key`'s draft a copy of `source`'s (the dataset, the spec and the run it watches), so a session
    carries on from another's work without the two writing one draft."""
    with session_scope(storage.engine) as session:
        saved = repo.load_draft(session, key=source, viewer=storage.user)
        if saved is not None:
            draft, _ = saved
            spec = PipelineSpec.from_json(draft.spec_json)
            repo.save_draft(session, key=key, dataset_id=draft.dataset_id, spec=spec, owner=owner(storage))
            repo.watch_run(session, key=key, run_id=draft.run_id)
