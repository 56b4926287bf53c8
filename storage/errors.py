"""Storage's exception hierarchy."""


class StorageError(Exception):
    """Something stored is missing, corrupt, or cannot be written."""


class NotFoundError(StorageError, LookupError):
    """A record asked for by id or name does not exist."""


class ConflictError(StorageError):
    """A concurrent transaction wrote the same unique key first; running the change again reads its row."""


class NotYoursError(StorageError, PermissionError):
    """A change to a record someone else owns: only they may make it."""
