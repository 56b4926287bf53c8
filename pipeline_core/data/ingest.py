"""Reading tables from uploaded bytes: the dialect is sniffed, shown, and can be overridden.

CSV/TSV/TXT go through pandas' C parser (see _read_text for why not pyarrow's), Excel
through openpyxl, Parquet through pyarrow, JSON and JSON Lines through the standard library.
"""

import codecs
import csv
import datetime
import decimal
import functools
import hashlib
import io
import json
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, model_validator

from pipeline_core.columns import written_as_codes
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
LEADING_ZERO_ROWS = 10_000  # rows of a numeric column read as text to see leading zeros ('00123': a code)
# Wider tables are refused in plain words rather than half read: the profile alone takes ~10 s per 1,000 columns.
MAX_COLUMNS = 2_000
MAX_UNZIPPED_BYTES = 2 * 1024**3  # an Excel file expanding beyond this is a zip bomb, not a workbook
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
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar):
            for cell in row:
                cells["comma"] += bool(_COMMA_DECIMAL.match(cell))
                cells["dot"] += bool(_DOT_DECIMAL.match(cell))
    except csv.Error:  # a sample cut inside a quoted field: the cells read so far decide
        pass
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
    _check_width(frame.shape[1], filename)
    if frame.empty:
        raise DataError(f"'{filename}' has a header but no data rows.")
    if options.format != "text":
        frame.columns, notes = _clean_column_names(list(frame.columns))
    frame, flattened = _flat_columns(frame)
    if frame.columns.empty:
        raise DataError(f"'{filename}' has no column of numbers, text or dates: {' '.join(flattened)}")
    return Table(frame, options, notes + flattened, sheets)


def _check_width(n_columns: int, filename: str) -> None:
    if n_columns > MAX_COLUMNS:
        raise DataError(
            f"'{filename}' has {n_columns:,} columns; Pipewright reads tables of up to {MAX_COLUMNS:,}. Keep the "
            "columns you need (in a spreadsheet, or with `cut -d, -f1-500 file.csv`) and load that file."
        )


def _read_text(data: bytes, filename: str, options: ReadOptions) -> tuple[pd.DataFrame, list[str]]:
    """pandas' C parser: on this 2-core machine it reads a 127 MB CSV about as fast as pyarrow's
    multi-threaded reader and adds 300 MB rather than 460 MB (benchmarks/ingest_vs_pandas.py)."""
    if b"\x00" in data[:8192]:
        raise DataError(f"'{filename}' looks like a binary file, not a text table.")
    header = _header(data, filename, options)
    _check_width(len(header), filename)
    names, notes = _clean_column_names(header)

    def read(**extra) -> pd.DataFrame:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)  # the profile reports mixed types in words
            warnings.simplefilter("always", pd.errors.ParserWarning)
            frame = pd.read_csv(
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
        if any(issubclass(warning.category, pd.errors.ParserWarning) for warning in caught):
            notes.append("Some rows have more fields than the header has names; their extra fields were left out.")
        return frame

    try:
        try:
            frame = _keep_leading_zeros(read, read())
        except UnicodeDecodeError:  # the sniffed sample was valid, a later part is not
            lenient = functools.partial(read, encoding_errors="replace")
            frame = _keep_leading_zeros(lenient, lenient())
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
    except (pd.errors.EmptyDataError, ValueError, OverflowError) as error:
        raise DataError(f"'{filename}' could not be read as a table: {_first_line(error)}") from error
    return frame, list(dict.fromkeys(notes))  # a second reading repeats the first one's notes


def _keep_leading_zeros(read: Callable[..., pd.DataFrame], frame: pd.DataFrame) -> pd.DataFrame:
    """The table with numbers written with leading zeros read again as text: such digits are codes (customer
    ids, postcodes), and as numbers '00123' would become 123. Judged on the first rows' text."""
    numbers = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool]
    if not numbers:
        return frame
    text = read(nrows=LEADING_ZERO_ROWS, dtype=str, usecols=numbers)
    codes = [c for c in numbers if written_as_codes(text[c])]
    return read(dtype=dict.fromkeys(codes, str)) if codes else frame


def _header(data: bytes, filename: str, options: ReadOptions) -> list[str]:
    """The first record, read whole however long it is (a quoted name may even hold a line break)."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=options.encoding, errors="replace", newline="")
    try:
        return next(csv.reader(text, delimiter=options.delimiter, quotechar=options.quotechar), [])
    except csv.Error as error:
        raise DataError(
            f"The first line of '{filename}' cannot be read as column names ({error}): a name over 128 KB long, "
            "or a quote that is never closed, means this is not a table's header."
        ) from error


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]


def _read_excel(data: bytes, filename: str, options: ReadOptions) -> tuple[pd.DataFrame, list[str], str]:
    """The chosen sheet, or else the first one that holds a table. openpyxl parses the workbook's XML with
    defusedxml (a requirement), so entity bombs are refused; a zip that would expand too far is refused first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise DataError(f"'{filename}' could not be read as an Excel workbook: {error}") from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise DataError(f"'{filename}' would expand to {unzipped / 1024**3:,.0f} GB: it is not an ordinary workbook.")
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
    except DataError:
        raise
    except Exception as error:  # noqa: BLE001 - openpyxl fails in many ways (XML, zip, values); each means "not readable"
        raise DataError(f"'{filename}' could not be read as an Excel workbook: {_first_line(error)}") from error


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - pyarrow fails in many ways on damaged files; each means "not readable"
        raise DataError(f"'{filename}' could not be read as Parquet: {_first_line(error)}") from error


def _read_json(data: bytes, filename: str, *, lines: bool) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
        records = [json.loads(line) for line in text.splitlines() if line.strip()] if lines else json.loads(text)
    except RecursionError:
        raise DataError(f"'{filename}' nests its values too deeply to be a table.") from None
    except ValueError as error:  # not UTF-8, not JSON, or a number of over 4,300 digits
        raise DataError(
            f"'{filename}' is not valid {'JSON Lines' if lines else 'JSON'}: {_first_line(error)}"
        ) from error
    try:
        if isinstance(records, dict) and records and all(isinstance(v, list) for v in records.values()):
            return pd.DataFrame(records)  # {"column": [values…]}
        if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
            return pd.json_normalize(records)  # [{"column": value}, …], nested objects flattened
    except RecursionError:
        raise DataError(f"'{filename}' nests its values too deeply to be a table.") from None
    except ValueError as error:  # columns of unequal length
        raise DataError(f"'{filename}' holds JSON but not a table: {_first_line(error)}") from error
    raise DataError(f"'{filename}' holds JSON but not a table: expected a list of records or a dict of columns.")


def _flat_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Every column as numbers, text, true/false or dates, one type per column, as Parquet, the profile and
    the models need; with a note for each column that had to change and why."""
    columns, notes = {}, []
    for name in frame.columns:
        values, note = _flat_column(frame[name])
        if values is not None:
            columns[name] = values
        if note:
            notes.append(f"Column '{name}' {note}")
    return pd.DataFrame(columns, index=frame.index), notes


def _flat_column(values: pd.Series) -> tuple[pd.Series | None, str | None]:
    """One column made flat: (the values, a note) or, when nothing usable is in it, (None, why it was left out)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype | pd.PeriodDtype | pd.IntervalDtype):
        return values.astype("str").where(values.notna()), None
    if isinstance(dtype, pd.SparseDtype):
        return _flat_column(values.sparse.to_dense())
    if pd.api.types.is_timedelta64_dtype(dtype):
        return values.dt.total_seconds(), "held durations; they are read as seconds."
    if isinstance(dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None), "held times with a zone; they are read in UTC."
    if pd.api.types.is_float_dtype(dtype) and dtype.itemsize < 4:
        return values.astype("float32"), None
    if dtype != "object":
        return values, None
    present = values.dropna()
    types = set(present.map(type))
    if not types or types <= {str} or types <= {bool}:
        return values, None
    if types <= {bytes}:
        try:
            return present.map(bytes.decode).reindex(values.index).astype("str"), None
        except UnicodeDecodeError:
            return None, "holds binary data (not numbers, text or dates), so it was left out."
    if types <= {datetime.date, datetime.datetime, pd.Timestamp}:
        return pd.to_datetime(values, errors="coerce"), None
    if types <= {decimal.Decimal, int, float}:
        if any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in present):
            return present.map(str).reindex(values.index).astype(
                "str"
            ), "holds numbers too long to compute with; kept as text."
        return pd.to_numeric(values, errors="coerce").astype("float64"), None
    # Several types (numbers and text), or nested values (lists, records): one text per cell, as written in JSON.
    note = "holds lists or records; each is kept as its JSON text." if types & _NESTED else None
    return present.map(_as_text).reindex(values.index).astype("str"), note


_NESTED = {list, tuple, dict, set, np.ndarray}


def _as_text(value) -> str:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, tuple(_NESTED)):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


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
