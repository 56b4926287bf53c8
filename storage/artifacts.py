"""Content-addressed files: named by their sha256, written atomically, checked on every read."""

import hashlib
import os
import tempfile
from pathlib import Path

from storage.errors import StorageError


class ArtifactStore:
    """Files under `root`, each stored once under the sha256 of its bytes plus a suffix saying its format."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str, suffix: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}{suffix}"

    def put(self, data: bytes, suffix: str) -> tuple[str, bool]:
        """Store the bytes (once, atomically); return their sha256 and whether this call wrote them."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256, suffix)
        if target.exists():
            return sha256, False
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256, True

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

    def discard(self, sha256: str, suffix: str) -> None:
        """Remove an artifact that a failed transaction had just written."""
        self.path(sha256, suffix).unlink(missing_ok=True)
