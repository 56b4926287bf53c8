"""Property-based tests: whatever bytes arrive, the readers and the spec loader give a usable table or spec,
or the project's own error in a few words; never another exception."""

import datetime
import decimal
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline_core.columns import infer_column_types
from pipeline_core.data.ingest import FORMATS, infer_task, read_table
from pipeline_core.data.report import profile
from pipeline_core.errors import DataError, SpecError
from pipeline_core.spec import PipelineSpec, default_spec

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: see tests/conftest.py
NAMES = [f"upload{suffix}" for suffix in FORMATS]
CELL = st.text(alphabet=st.sampled_from(list("ab1234567890.,;\t|\"'$%-éß€ \n\r")), max_size=8)


def usable(frame) -> None:
    """What the app does with a table it has read: store it as Parquet, infer its types, profile it."""
    frame.to_parquet(io.BytesIO(), index=False)
    types = infer_column_types(frame)
    target = frame.columns[-1]
    try:
        task = infer_task(frame[target])
        spec = default_spec(target=target, task=task, column_types=types)
    except SpecError:
        return
    profile(frame, spec)


def read_or_refuse(data: bytes, name: str) -> None:
    try:
        table = read_table(data, name)
    except DataError as error:
        assert len(str(error)) < 1000
        return
    usable(table.frame)


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(NAMES))
def test_any_bytes_are_a_table_or_a_data_error(data, name):
    read_or_refuse(data, name)


@FUZZ
@given(
    rows=st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=30),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252"]),
    name=st.sampled_from(["t.csv", "t.tsv", "t.txt"]),
)
def test_any_delimited_text_is_a_table_or_a_data_error(rows, delimiter, encoding, name):
    text = "\n".join(delimiter.join(row) for row in rows)
    read_or_refuse(text.encode(encoding, errors="replace"), name)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@FUZZ
@given(
    st.lists(st.dictionaries(st.sampled_from(["a", "b", "c", "d.e"]), JSON_VALUES, max_size=4), max_size=20),
    st.booleans(),
)
def test_any_json_records_are_a_table_or_a_data_error(records, lines):
    if lines:
        read_or_refuse("\n".join(json.dumps(r) for r in records).encode(), "t.jsonl")
    else:
        read_or_refuse(json.dumps(records).encode(), "t.json")


def _column(kind: str, n: int, draw) -> pa.Array:
    """One Parquet column of `kind`, with missing values, as a real export might hold."""
    maybe = st.booleans()

    def values(strategy):
        return [draw(strategy) if draw(maybe) else None for _ in range(n)]

    match kind:
        case "int":
            return pa.array(values(st.integers(-(2**63), 2**63 - 1)), type=pa.int64())
        case "float":
            return pa.array(values(st.floats()), type=pa.float64())
        case "text":
            return pa.array(values(st.text(max_size=5)))
        case "bool":
            return pa.array(values(st.booleans()))
        case "list":
            return pa.array(values(st.lists(st.integers(0, 9), max_size=3)))
        case "struct":
            return pa.array(values(st.fixed_dictionaries({"x": st.integers(0, 9)})))
        case "binary":
            return pa.array(values(st.binary(max_size=4)), type=pa.binary())
        case "decimal":
            return pa.array(values(st.decimals(-1000, 1000, places=2).map(decimal.Decimal)), type=pa.decimal128(8, 2))
        case "date":
            return pa.array(values(st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 1, 1))))
        case "zoned":
            return pa.array(values(st.integers(0, 2**31)), type=pa.timestamp("s", tz="Asia/Tokyo"))
        case "duration":
            return pa.array(values(st.integers(0, 10**6)), type=pa.duration("s"))
        case "category":
            return pa.DictionaryArray.from_arrays(pa.array(values(st.integers(0, 2)), type=pa.int8()), ["x", "y", "z"])
    raise AssertionError(kind)


KINDS = ["int", "float", "text", "bool", "list", "struct", "binary", "decimal", "date", "zoned", "duration", "category"]


@FUZZ
@given(st.data())
def test_any_parquet_column_types_are_a_table_or_a_data_error(data):
    n = data.draw(st.integers(1, 30))
    kinds = data.draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
    table = pa.table({f"c{i}_{kind}": _column(kind, n, data.draw) for i, kind in enumerate(kinds)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    read_or_refuse(buffer.getvalue(), "t.parquet")


SPEC_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(
    st.dictionaries(st.sampled_from(["data", "models", "preprocessing", "evaluation", "schema_version"]), SPEC_VALUES),
    st.sampled_from(["s.json", "s.yaml"]),
)
def test_any_spec_file_is_a_spec_or_a_spec_error(document, name):
    text = json.dumps(document) if name.endswith(".json") else json.dumps(document, allow_nan=True)
    try:
        PipelineSpec.from_file(text.encode(), name)
    except SpecError as error:
        assert len(str(error)) < 5000


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["s.json", "s.yaml", "s.yml"]))
def test_any_bytes_as_a_spec_file_are_a_spec_or_a_spec_error(data, name):
    try:
        PipelineSpec.from_file(data, name)
    except SpecError as error:
        assert len(str(error)) < 5000
