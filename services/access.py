"""Who may change what, checked by every use case that changes a record: its owner, or anyone for the team's
records (made while sign-in was off, owner ''); everyone, when sign-in is off. Who sees what is the storage's
queries' part (`viewer`): what a use case cannot see, it cannot find."""

from storage.db import Storage
from storage.errors import NotYoursError


def owner(storage: Storage) -> str:
    """The owner a new record gets: who acts, or the team ('') with sign-in off."""
    return storage.user or ""


def may_change(storage: Storage, record_owner: str) -> bool:
    return storage.user is None or record_owner in ("", storage.user)


def check_may_change(storage: Storage, record_owner: str, what: str) -> None:
    """Raises NotYoursError, naming `what` and its owner, unless the one acting may change it."""
    if not may_change(storage, record_owner):
        raise NotYoursError(f"{what} is {record_owner}'s: only they can change it.")
