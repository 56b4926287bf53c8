"""Storing and reading datasets: uploads, files from the command line, samples and derived tables."""

import pandas as pd

from pipeline_core.data.ingest import ReadOptions, Table, fingerprint, read_table
from services.access import check_may_change, owner
from storage import repo
from storage.db import Storage, retry_on_conflict, session_scope
from storage.models import Dataset, DatasetRead


def store_upload(storage: Storage, data: bytes, filename: str, options: ReadOptions | None = None):
    """Read a file's bytes and store the table, once per content and way of reading it.

    Returns:
        The stored dataset and the table as read (with the reader's notes).

    Raises:
        DataError: the bytes are not a usable table; nothing is stored.
    """
    table = read_table(data, filename, options)
    return store_table(storage, table, data=data, name=filename), table


def store_table(storage: Storage, table: Table, *, data: bytes, name: str) -> DatasetRead:
    """Store a table read from `data`, keeping the bytes to read them again with other options: one record per
    content and owner. Safe when several processes store the same bytes at once: one record results, and each
    gets it."""
    return retry_on_conflict(
        storage.engine,
        lambda session: repo.save_dataset(
            session,
            storage.artifacts,
            frame=table.frame,
            fingerprint=fingerprint(data, table.options),
            name=name,
            size_bytes=len(data),
            read_options=table.options.model_dump(),
            source=data,
            owner=owner(storage),
        ),
    )


def store_derived(storage: Storage, frame: pd.DataFrame, *, fingerprint: str, name: str, lineage: dict) -> DatasetRead:
    """Store a table made from another one (customer aggregation), recording where it came from."""
    return retry_on_conflict(
        storage.engine,
        lambda session: repo.save_dataset(
            session,
            storage.artifacts,
            frame=frame,
            fingerprint=fingerprint,
            name=name,
            size_bytes=int(frame.memory_usage(deep=True).sum()),
            lineage=lineage,
            owner=owner(storage),
        ),
    )


def list_datasets(storage: Storage) -> list[DatasetRead]:
    with session_scope(storage.engine) as session:
        return repo.list_datasets(session, viewer=storage.user)


def get(storage: Storage, *, dataset_id: int | None = None, fingerprint: str | None = None) -> DatasetRead:
    """Raises NotFoundError when no such dataset is stored, or it is not the caller's to see."""
    with session_scope(storage.engine) as session:
        return repo.get_dataset(session, dataset_id=dataset_id, fingerprint=fingerprint, viewer=storage.user)


def share(storage: Storage, dataset_id: int, *, shared: bool = True) -> None:
    """Let the whole team see and train on the dataset (only its owner changes it), or stop."""
    with session_scope(storage.engine) as session:
        dataset = repo.get_dataset(session, dataset_id=dataset_id, viewer=storage.user)
        check_may_change(storage, dataset.owner, f"The dataset '{dataset.name}'")
        repo.set_shared(session, Dataset, row_id=dataset_id, shared=shared)


def frame(storage: Storage, dataset: DatasetRead) -> pd.DataFrame:
    """The stored rows, checksum-verified."""
    return repo.load_dataset_frame(storage.artifacts, dataset)


def source(storage: Storage, dataset: DatasetRead) -> bytes:
    """The bytes as uploaded, to read them again with other options."""
    return repo.dataset_source(storage.artifacts, dataset)
