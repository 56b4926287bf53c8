import io
import re

import pandas as pd
import pytest

from pipeline_core.errors import DataError
from pipeline_core.ingest import fingerprint, id_like_columns, infer_column_types, infer_task, read_table
from pipeline_core.samples import SAMPLES


@pytest.mark.parametrize("sample", SAMPLES.values(), ids=SAMPLES)
def test_every_sample_reads_back_with_its_target_and_inferred_task(sample):
    frame = read_table(sample.csv_bytes(), sample.filename)
    assert sample.target in frame.columns
    expected = "regression" if sample.key == "diabetes" else "classification"
    assert infer_task(frame[sample.target]) == expected


def test_samples_are_deterministic():
    assert fingerprint(SAMPLES["customer_churn"].csv_bytes()) == fingerprint(SAMPLES["customer_churn"].csv_bytes())


def test_churn_sample_has_numeric_and_categorical_columns_and_missing_values():
    frame = SAMPLES["customer_churn"].make()
    types = infer_column_types(frame)
    assert {"numeric", "categorical"} == set(types.values())
    assert frame.isna().any().sum() >= 2
    assert id_like_columns(frame) == ["customer_id"]


def test_semicolon_delimited_and_bom_files_are_read():
    frame = read_table("\ufeffa;b;label\n1;x;yes\n2;y;no\n".encode(), "t.csv")
    assert list(frame.columns) == ["a", "b", "label"]
    assert infer_column_types(frame) == {"a": "numeric", "b": "categorical", "label": "categorical"}


def test_latin1_bytes_keep_their_accents():
    frame = read_table("city,n\nSão Paulo,1\nZürich,2\n".encode("latin-1"), "t.csv")
    assert frame["city"].tolist() == ["São Paulo", "Zürich"]


def test_parquet_is_read():
    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(buffer)
    assert read_table(buffer.getvalue(), "t.parquet").shape == (2, 2)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "is empty (0 bytes)"),
        (b"a,b,c\n", "header.csv", "has a header but no data rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "looks like a binary file"),
        (b"not parquet", "t.parquet", "could not be read as Parquet"),
        (b"a,b\n1,2\n", "t.xlsx", "not a supported file type"),
        (b'a,b\n"1,2\n', "t.csv", "could not be read as a table"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, name, message):
    with pytest.raises(DataError, match=re.escape(message)):
        read_table(data, name)


def test_task_inference():
    assert infer_task(pd.Series([0, 1, 1, 0])) == "classification"
    assert infer_task(pd.Series(["a", "b"])) == "classification"
    assert infer_task(pd.Series([0.5, 1.25, 3.0, 2.2])) == "regression"
    assert infer_task(pd.Series(range(100))) == "regression"
