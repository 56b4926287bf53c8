"""Content-addressed files: named by their sha256, written atomically, checked on every read.

A file is never deleted by the transaction that stored it, even when that transaction fails: another
record may name the same bytes (two users storing one file at once write one file). Files no record
names are swept at start-up, once they are old enough that no transaction can still be about to name them.
"""

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

from storage import processes
from storage.errors import StorageError

# A partial write and a file a sweep set aside are named after their process (pid@host@): the sweep removes, or
# puts back, only those of a dead process of its own machine.
INCOMING, ASIDE = ".incoming-", ".sweep-"
ORPHAN_GRACE_SECONDS = 3600  # far longer than any write takes between storing a file and committing its record
OWNER_FILE = ".database"  # the database whose records name these files: only its sweep may remove them
_OWNED = re.compile(rf"^({re.escape(INCOMING)}|{re.escape(ASIDE)})(\d+)@([^@]*)@(.*)$")


def private_folder(path: Path) -> Path:
    """A folder only its owner can open (the data folder holds every user's tables and models); the folders
    made on the way to it are private too."""
    for folder in [*reversed(path.parents), path]:
        if not folder.exists():
            folder.mkdir(mode=0o700, exist_ok=True)
    return path


class ArtifactStore:
    """Files under `root`, each stored once under the sha256 of its bytes plus a suffix saying its format."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str, suffix: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def put(self, data: bytes, suffix: str) -> str:
        """Store the bytes (once, atomically) and return their sha256."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256, suffix)
        try:
            os.utime(target)  # already stored: freshly touched, so no sweep takes it before its record commits
            return sha256
        except FileNotFoundError:
            pass
        private_folder(target.parent)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f"{INCOMING}{_me()}")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def read(self, sha256: str, suffix: str) -> bytes:
        """The stored bytes.

        Raises:
            StorageError: the file is missing or its content no longer matches its checksum.
        """
        try:
            data = self.path(sha256, suffix).read_bytes()
        except FileNotFoundError:
            raise StorageError(f"Artifact {sha256[:12]}… is missing from {self.root}.") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StorageError(f"Artifact {sha256[:12]}… is corrupt: its checksum does not match.")
        return data

    def claim(self, database: str) -> bool:
        """Whether these files belong to `database` (an id it keeps): the first database to ask claims them.
        Another database pointed at the same folder has other records, so it must never sweep them."""
        owner = self.root / OWNER_FILE
        private_folder(self.root)
        try:
            with os.fdopen(os.open(owner, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "w") as file:
                file.write(database)
        except FileExistsError:
            pass
        return owner.read_text().strip() == database

    def sweep(self, referenced: Iterable[str] | None) -> int:
        """Remove partial writes whose writer is gone and, given the sha256s records name, files no record names
        that are older than the grace period. Returns how many files went.

        A file about to be named again is touched by `put` first; one found fresh after it was set aside here
        is put back, so a sweep racing a store never takes a file that a record is about to name.
        """
        if not self.root.exists():
            return 0
        keep, removed, now = set(referenced or ()), 0, time.time()
        for path in self.root.glob("*/*"):
            owned = _OWNED.match(path.name)
            if owned:
                removed += _tidy_owned(path, owned)
            elif referenced is not None and path.name.split(".")[0] not in keep:
                if _age(path, now) >= ORPHAN_GRACE_SECONDS:
                    removed += self._remove_unless_touched(path, now)
        return removed

    @staticmethod
    def _remove_unless_touched(path: Path, now: float) -> int:
        aside = path.with_name(f"{ASIDE}{_me()}{path.name}")
        try:
            os.replace(path, aside)
        except FileNotFoundError:  # another sweep took it first
            return 0
        if _age(aside, now) < ORPHAN_GRACE_SECONDS:
            os.replace(aside, path)  # touched meanwhile: a record is about to name it
            return 0
        aside.unlink(missing_ok=True)
        return 1


def _me() -> str:
    return f"{os.getpid()}@{processes.HOST}@"


def _tidy_owned(path: Path, owned: re.Match) -> int:
    """A partial write of a dead process is removed; a file a dead sweep set aside is put back, to be judged by
    the next sweep. Files of live processes, or of other machines, are theirs."""
    kind, pid, host, name = owned.groups()
    if host != processes.HOST or processes.alive(int(pid)):
        return 0
    try:
        if kind == ASIDE:
            os.replace(path, path.with_name(name))
            return 0
        path.unlink()
        return 1
    except FileNotFoundError:  # another process tidied it first
        return 0


def _age(path: Path, now: float) -> float:
    """Seconds since the file was written or touched; 0 for one that has just gone (another sweep took it)."""
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
