"""Whether a process recorded earlier (a run's worker, a command line, a writer of a temporary file) still runs."""

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

HOST = socket.gethostname()


def alive(pid: int, *, since: datetime | None = None) -> bool:
    """True while process `pid` of this host runs; a zombie counts as gone. With `since` (when the process
    was recorded), a process that started later is another one that reuses the number, so it counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    stat = _stat(pid)
    if stat is None:
        return True  # no /proc here: existence is all that can be told
    state, started = stat
    if state == "Z":
        return False
    return since is None or started <= _as_utc(since).timestamp() + 2  # the clocks round to a tick


def _stat(pid: int) -> tuple[str, float] | None:
    """The process's state letter and its start time (seconds since the epoch), from Linux's /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
    except (OSError, StopIteration, IndexError, ValueError):
        return None
    return fields[0], boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


def _as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive times; Pipewright writes them in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
