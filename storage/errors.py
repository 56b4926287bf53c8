"""Storage's exception hierarchy."""


class StorageError(Exception):
    """Something stored is missing, corrupt, or cannot be written."""


class NotFoundError(StorageError, LookupError):
    """A record asked for by id or name does not exist."""
