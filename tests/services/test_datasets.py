"""Storing datasets from several processes at once: the database decides, and nobody loses a file."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline_core.data.samples import make_churn
from pipeline_core.errors import DataError
from services import datasets
from storage.artifacts import ArtifactStore
from storage.db import Storage, make_engine

ROOT = Path(__file__).resolve().parents[2]
STORE = """
import sys, time
from services import datasets
from storage.db import Storage
path, start = sys.argv[1], float(sys.argv[2])
data = open(path, "rb").read()
storage = Storage.open()
while time.time() < start:
    time.sleep(0.001)
print(datasets.store_upload(storage, data, "same.csv")[0].id)
"""


def test_processes_storing_one_file_at_once_end_with_one_record_and_its_files(data_dir):
    csv = data_dir / "same.csv"
    make_churn(n_rows=20_000).to_csv(csv, index=False)
    storage = Storage.open()  # the schema exists, as when the app is running
    env = os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)}
    start = time.time() + 4  # every process is ready before any stores
    stores = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(STORE), str(csv), str(start)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [store.communicate(timeout=120) for store in stores]
    assert [store.returncode for store in stores] == [0] * 4, [err for _, err in outcomes]
    [dataset] = datasets.list_datasets(storage)
    assert {out.strip() for out, _ in outcomes} == {str(dataset.id)}  # each was handed the one record
    assert len(datasets.frame(storage, dataset)) == 20_000
    assert datasets.source(storage, dataset) == csv.read_bytes()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "deep.json"),
        (b"a" * (129 * 1024) + b",b\n1,2\n", "long.csv"),
        (b"PAR1 not really parquet PAR1", "t.parquet"),
        (b"", "empty.csv"),
    ],
)
def test_a_file_that_cannot_be_read_stores_nothing(data_dir, data, name):
    storage = Storage.open()
    with pytest.raises(DataError):
        datasets.store_upload(storage, data, name)
    assert datasets.list_datasets(storage) == []
    assert not list((data_dir / "artifacts").glob("*/*"))  # no file stored


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["f.csv", "f.json", "f.jsonl", "f.parquet", "f.xlsx"]))
def test_any_upload_is_stored_whole_and_readable_or_refused_with_nothing_stored(tmp_path_factory, data, name):
    folder = tmp_path_factory.mktemp("fuzz")
    storage = Storage(make_engine(f"sqlite:///{folder / 'pipewright.db'}"), ArtifactStore(folder / "artifacts"))
    try:
        dataset, table = datasets.store_upload(storage, data, name)
    except DataError:
        assert datasets.list_datasets(storage) == [] and not list((folder / "artifacts").glob("*/*"))
    else:
        assert datasets.frame(storage, dataset).equals(table.frame) and datasets.source(storage, dataset) == data
    storage.engine.dispose()
