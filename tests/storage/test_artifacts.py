"""The artifact store: atomic, checked writes, and a sweep that removes only what nobody can still need."""

import os
import subprocess
import sys
import time

from storage.artifacts import ASIDE, INCOMING, ORPHAN_GRACE_SECONDS, ArtifactStore
from storage.processes import HOST


def _age(path, seconds):
    os.utime(path, (time.time() - seconds,) * 2)


def test_a_partial_write_is_swept_once_its_writer_is_gone(store):
    sha256 = store.put(b"kept", ".parquet")
    folder = store.path(sha256, ".parquet").parent
    abandoned = folder / f"{INCOMING}{_dead_pid()}@{HOST}@abc"
    in_progress = folder / f"{INCOMING}{os.getpid()}@{HOST}@def"  # this process is still writing it
    elsewhere = folder / f"{INCOMING}{_dead_pid()}@another-machine@ghi"  # its writer can't be seen from here
    for path in (abandoned, in_progress, elsewhere):
        path.write_bytes(b"half a file")
    assert store.sweep({sha256}) == 1
    assert not abandoned.exists() and in_progress.exists() and elsewhere.exists()
    assert store.read(sha256, ".parquet") == b"kept"


def test_only_old_files_no_record_names_are_swept(store):
    named, orphan, fresh = (store.put(data, ".skops") for data in (b"named", b"orphan", b"fresh orphan"))
    for sha256 in (named, orphan):
        _age(store.path(sha256, ".skops"), ORPHAN_GRACE_SECONDS + 1)
    assert store.sweep({named}) == 1
    assert [store.path(s, ".skops").exists() for s in (named, orphan, fresh)] == [True, False, True]


def test_storing_bytes_already_there_touches_the_file_so_no_sweep_takes_it(store):
    sha256 = store.put(b"model", ".skops")
    _age(store.path(sha256, ".skops"), ORPHAN_GRACE_SECONDS + 1)
    assert store.put(b"model", ".skops") == sha256  # a second record is about to name it
    assert store.sweep(set()) == 0 and store.read(sha256, ".skops") == b"model"


def test_a_file_a_dead_sweep_had_set_aside_is_put_back(store, tmp_path):
    sha256 = store.put(b"named", ".skops")
    path = store.path(sha256, ".skops")
    path.rename(path.with_name(f"{ASIDE}{_dead_pid()}@{HOST}@{path.name}"))
    ArtifactStore(store.root).sweep({sha256})
    assert store.read(sha256, ".skops") == b"named"


def test_orphans_are_swept_only_by_the_database_that_claimed_the_folder(store):
    old = store.put(b"a model another database names", ".skops")
    _age(store.path(old, ".skops"), ORPHAN_GRACE_SECONDS + 1)
    assert store.claim("first database") and not store.claim("second database")
    assert store.sweep(None) == 0 and store.path(old, ".skops").exists()  # what the second one may sweep


def _dead_pid() -> int:
    """The number of a process that has ended."""
    out = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(out.stdout)
