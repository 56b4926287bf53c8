"""Whether a process recorded earlier (a run's worker, a command line, a writer of a temporary file) still runs."""

import os
import socket
from pathlib import Path

HOST = socket.gethostname()


def alive(pid: int, *, start: int | None = None) -> bool:
    """True while process `pid` of this host runs; a zombie counts as gone. With `start` (the process's
    `start_ticks` when it was recorded), a process that started at another moment is another one reusing
    the number, so it counts as gone too."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    stat = _stat(pid)
    if stat is None:
        return True  # no /proc here: existence is all that can be told
    state, ticks = stat
    return state != "Z" and (start is None or ticks == start)


def start_ticks(pid: int) -> int | None:
    """When the process started, in clock ticks since boot (Linux): unlike a wall-clock time, immune to the
    clock being set, and the same for as long as the process lives. None where /proc is not available."""
    stat = _stat(pid)
    return None if stat is None else stat[1]


def _stat(pid: int) -> tuple[str, int] | None:
    """The process's state letter and start ticks, from /proc/PID/stat (fields 3 and 22)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], int(fields[19])
    except (OSError, IndexError, ValueError):
        return None
