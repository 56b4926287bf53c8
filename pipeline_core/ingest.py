"""Reading tables from uploaded bytes, and inferring column types and the learning task."""

import csv
import hashlib
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipeline_core.catalog import ColumnType, Task
from pipeline_core.errors import DataError

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SUFFIXES = TEXT_SUFFIXES | {".parquet"}
# A numeric target with at most this many distinct whole values is taken as class labels.
MAX_CLASSES_FOR_NUMERIC_TARGET = 20


def fingerprint(data: bytes) -> str:
    """The dataset's identity: sha256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


def read_table(data: bytes, filename: str) -> pd.DataFrame:
    """Read CSV/TSV/TXT or Parquet bytes into a DataFrame.

    Raises:
        DataError: the file is empty, not a table, or has no rows; the message says which.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(f"'{filename}' is not a supported file type. Upload one of: {', '.join(sorted(SUFFIXES))}.")
    if not data:
        raise DataError(f"'{filename}' is empty (0 bytes): there is no table to read.")
    frame = _read_parquet(data, filename) if suffix == ".parquet" else _read_text(data, filename)
    if frame.columns.empty:
        raise DataError(f"'{filename}' has no columns.")
    if frame.empty:
        raise DataError(f"'{filename}' has a header but no data rows.")
    return frame


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise DataError(f"'{filename}' could not be read as Parquet: {error}") from error


def _read_text(data: bytes, filename: str) -> pd.DataFrame:
    if b"\x00" in data[:8192]:
        raise DataError(f"'{filename}' looks like a binary file, not a text table.")
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if filename.lower().endswith(".tsv") else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise DataError(f"'{filename}' could not be read as a table: {error}") from error


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def infer_column_types(frame: pd.DataFrame) -> dict[str, ColumnType]:
    """Numbers are numeric; everything else (text, booleans, categories) is categorical."""
    return {
        column: "numeric"
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        else "categorical"
        for column in frame.columns
    }


def infer_task(target: pd.Series) -> Task:
    """Classification for labels (text, booleans, a few whole numbers); regression otherwise."""
    values = target.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    whole = bool((values == values.round()).all())
    return "classification" if whole and values.nunique() <= MAX_CLASSES_FOR_NUMERIC_TARGET else "regression"


def id_like_columns(frame: pd.DataFrame) -> list[str]:
    """Text columns with a different value in every row: identifiers, useless (or leaky) as features."""
    return [
        column
        for column, column_type in infer_column_types(frame).items()
        if column_type == "categorical" and len(frame) > 1 and frame[column].nunique(dropna=False) == len(frame)
    ]
