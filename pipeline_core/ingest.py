"""Reading tables from uploaded bytes: the dialect is sniffed, shown, and can be overridden.

CSV/TSV/TXT go through pandas' C parser (see _read_text for why not pyarrow's), Excel
through openpyxl, Parquet through pyarrow, JSON and JSON Lines through the standard library.
"""

import codecs
import csv
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, model_validator

from pipeline_core.errors import DataError

Format = Literal["text", "excel", "parquet", "json", "jsonl"]
FORMATS: dict[str, Format] = {
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
    ".xlsx": "excel",
    ".parquet": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
SUFFIXES = tuple(FORMATS)
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1")
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SNIFF_BYTES = 256 * 1024
# A numeric target with at most this many distinct whole values is taken as class labels.
MAX_CLASSES_FOR_NUMERIC_TARGET = 20
_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^-?\d+\.\d+$")


class ReadOptions(BaseModel):
    """How a file's bytes become a table: sniffed, shown to the user, overridable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Format
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    decimal: Literal[".", ","] = "."
    sheet: str | None = None

    @model_validator(mode="after")
    def _distinct_marks(self) -> "ReadOptions":
        if self.format == "text" and self.decimal == self.delimiter:
            raise ValueError(
                f"The decimal mark cannot also be the delimiter ('{self.delimiter}'): numbers such as 2,000 "
                "would be split or misread. Choose another delimiter or decimal mark."
            )
        return self


@dataclass
class Table:
    """A table as read, the options that read it, and what the reader had to change."""

    frame: pd.DataFrame
    options: ReadOptions
    notes: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def fingerprint(data: bytes, options: ReadOptions) -> str:
    """The dataset's identity: sha256 of its bytes and of how they were read."""
    return hashlib.sha256(data + b"\0" + options.model_dump_json().encode()).hexdigest()


def file_format(filename: str) -> Format:
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise DataError(f"'{filename}' is not a supported file type. Upload one of: {', '.join(SUFFIXES)}.")
    return FORMATS[suffix]


def sniff(data: bytes, filename: str) -> ReadOptions:
    """Guess the format and, for text, the encoding, delimiter, quote character and decimal mark."""
    kind = file_format(filename)
    if kind != "text" or not data:
        return ReadOptions(format=kind)
    head = data[:SNIFF_BYTES]
    encoding = _sniff_encoding(head)
    text = head.decode(encoding, errors="replace")
    if len(data) > SNIFF_BYTES:
        text = text[: text.rfind("\n") + 1] or text  # whole lines only
    try:
        dialect = csv.Sniffer().sniff(text, delimiters="".join(DELIMITERS))
        delimiter, quotechar = dialect.delimiter, dialect.quotechar or '"'
    except csv.Error:
        delimiter, quotechar = ("\t" if filename.lower().endswith(".tsv") else ","), '"'
    return ReadOptions(
        format="text",
        encoding=encoding,
        delimiter=delimiter,
        quotechar=quotechar,
        decimal=_sniff_decimal(text, delimiter, quotechar),
    )


def _sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 4:  # the sample cut a multi-byte character in half
            return "utf-8"
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _sniff_decimal(text: str, delimiter: str, quotechar: str) -> Literal[".", ","]:
    if delimiter == ",":
        return "."
    cells = Counter()
    for row in csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quotechar):
        for cell in row:
            cells["comma"] += bool(_COMMA_DECIMAL.match(cell))
            cells["dot"] += bool(_DOT_DECIMAL.match(cell))
    return "," if cells["comma"] > cells["dot"] else "."


def read_table(data: bytes, filename: str, options: ReadOptions | None = None) -> Table:
    """Read a file's bytes into a DataFrame, with the options used and any notes for the user.

    Raises:
        DataError: the file is empty, not a table, malformed, or has no rows; the message says which.
    """
    options = options or sniff(data, filename)
    if not data:
        raise DataError(f"'{filename}' is empty (0 bytes): there is no table to read.")
    sheets: list[str] = []
    notes: list[str] = []
    match options.format:
        case "text":
            frame, notes = _read_text(data, filename, options)
        case "excel":
            frame, sheets, sheet = _read_excel(data, filename, options)
            options = options.model_copy(update={"sheet": sheet})
        case "parquet":
            frame = _read_parquet(data, filename)
        case "json" | "jsonl":
            frame = _read_json(data, filename, lines=options.format == "jsonl")
    if frame.columns.empty:
        raise DataError(f"'{filename}' has no columns.")
    if frame.empty:
        raise DataError(f"'{filename}' has a header but no data rows.")
    if options.format != "text":
        frame.columns, notes = _clean_column_names(list(frame.columns))
    return Table(_one_type_per_column(frame), options, notes, sheets)


def _read_text(data: bytes, filename: str, options: ReadOptions) -> tuple[pd.DataFrame, list[str]]:
    """pandas' C parser: on this 2-core machine it reads a 127 MB CSV about as fast as pyarrow's
    multi-threaded reader and adds 300 MB rather than 460 MB (benchmarks/ingest_vs_pandas.py)."""
    if b"\x00" in data[:8192]:
        raise DataError(f"'{filename}' looks like a binary file, not a text table.")
    head = data[:SNIFF_BYTES].decode(options.encoding, errors="replace")
    header = next(csv.reader(io.StringIO(head), delimiter=options.delimiter, quotechar=options.quotechar), [])
    names, notes = _clean_column_names(header)

    def read(**extra) -> pd.DataFrame:
        with warnings.catch_warnings():  # mixed types are reported by the profile, in plain words
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            return pd.read_csv(
                io.BytesIO(data),
                sep=options.delimiter,
                quotechar=options.quotechar,
                decimal=options.decimal,
                encoding=options.encoding,
                names=names or None,
                header=0,
                index_col=False,  # a trailing delimiter must not turn the first column into the index
                **extra,
            )

    try:
        try:
            frame = read()
        except UnicodeDecodeError:  # the sniffed sample was valid, a later part is not
            frame = read(encoding_errors="replace")
            notes.append(f"Some bytes were not valid {options.encoding}; they show as '\ufffd'.")
    except pd.errors.ParserError as error:
        ragged = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if ragged:
            expected, line, got = ragged.groups()
            raise DataError(
                f"Line {line} of '{filename}' has {got} fields where the header has {expected}. "
                f"Check the delimiter ({DELIMITERS.get(options.delimiter, repr(options.delimiter))}) or fix that line."
            ) from error
        raise DataError(f"'{filename}' could not be read as a table: {error}") from error
    except (pd.errors.EmptyDataError, ValueError) as error:
        raise DataError(f"'{filename}' could not be read as a table: {error}") from error
    return frame, notes


def _read_excel(data: bytes, filename: str, options: ReadOptions) -> tuple[pd.DataFrame, list[str], str]:
    """The chosen sheet, or else the first one that holds a table."""
    try:
        workbook = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
        sheets = [str(name) for name in workbook.sheet_names]
        if options.sheet and options.sheet not in sheets:
            raise DataError(f"'{filename}' has no sheet '{options.sheet}'. Sheets: {', '.join(sheets)}.")
        for sheet in [options.sheet] if options.sheet else sheets:
            frame = pd.read_excel(workbook, sheet_name=sheet)
            if not frame.empty:
                break
        return frame, sheets, sheet
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as error:
        raise DataError(f"'{filename}' could not be read as an Excel workbook: {error}") from error


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as error:
        raise DataError(f"'{filename}' could not be read as Parquet: {error}") from error


def _read_json(data: bytes, filename: str, *, lines: bool) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
        records = [json.loads(line) for line in text.splitlines() if line.strip()] if lines else json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"'{filename}' is not valid {'JSON Lines' if lines else 'JSON'}: {error}") from error
    if isinstance(records, dict) and records and all(isinstance(v, list) for v in records.values()):
        return pd.DataFrame(records)  # {"column": [values…]}
    if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
        return pd.json_normalize(records)  # [{"column": value}, …], nested objects flattened
    raise DataError(f"'{filename}' holds JSON but not a table: expected a list of records or a dict of columns.")


def _one_type_per_column(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding several Python types (numbers and text, or JSON lists) become text, as Parquet
    and the profile need one type per column; the profile then reports the mix."""
    for column in [c for c in frame.columns if frame[c].dtype == "object"]:
        values = frame[column].dropna()
        if values.map(type).nunique() > 1 or values.map(lambda v: isinstance(v, list | dict)).any():
            text = values.map(lambda v: json.dumps(v) if isinstance(v, list | dict) else str(v))
            frame[column] = text.reindex(frame.index).astype("str")
    return frame


def _clean_column_names(header: list) -> tuple[list[str], list[str]]:
    """Blank names get a position name, repeated names a number; every change is noted for the user."""
    names, notes, seen = [], [], Counter()
    for position, raw in enumerate(header, start=1):
        name = str(raw).strip() if raw is not None and str(raw).strip() else ""
        if not name or name.startswith("Unnamed: "):
            name = f"column_{position}"
            notes.append(f"Column {position} had no name; it is called '{name}'.")
        seen[name] += 1
        if seen[name] > 1:
            renamed = f"{name}_{seen[name]}"
            notes.append(f"More than one column was named '{name}': column {position} is now '{renamed}'.")
            name = renamed
        names.append(name)
    return names, notes


def infer_task(target: pd.Series) -> Literal["classification", "regression"]:
    """Classification for labels (text, booleans, a few whole numbers); regression otherwise."""
    values = target.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    whole = bool((values == values.round()).all())
    return "classification" if whole and values.nunique() <= MAX_CLASSES_FOR_NUMERIC_TARGET else "regression"
