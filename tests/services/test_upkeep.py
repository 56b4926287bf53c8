"""Start-up tidying never takes a file some record still names, whichever database is looking."""

import os
import time

from pipeline_core.data.samples import SAMPLES
from services import datasets, upkeep
from storage.artifacts import ORPHAN_GRACE_SECONDS
from storage.db import Storage


def test_tidying_with_another_database_on_the_same_folder_removes_none_of_the_first_ones_files(data_dir):
    first = Storage.open()
    dataset, _ = datasets.store_upload(first, SAMPLES["iris"].csv_bytes(), "iris.csv")
    long_ago = time.time() - ORPHAN_GRACE_SECONDS - 60
    for path in (data_dir / "artifacts").rglob("*.*"):
        os.utime(path, (long_ago, long_ago))
    upkeep.tidy(first)
    upkeep.tidy(Storage.open(f"sqlite:///{data_dir / 'another.db'}"))  # a team database, say, on the same folder
    assert datasets.frame(first, dataset).shape == (150, 5)
    assert datasets.source(first, dataset) == SAMPLES["iris"].csv_bytes()
