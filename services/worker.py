"""One training run in a process of its own: `python -m services.worker RUN_ID`.

The app starts one per run (`services.runs.start`), in a new session, so a run belongs to no browser tab and
survives a refresh, a closed tab, even a restarted server. The worker reads the run's spec and data from
storage, records progress and each finished model there, and watches for a cancel request: it stops within
seconds even in the middle of a long fit, keeping the models already recorded.
"""

import sys
import tempfile

from services import runs
from storage.artifacts import private_folder
from storage.db import Storage, scratch_dir


def main(argv: list[str]) -> int:
    run_id = int(argv[0])
    tempfile.tempdir = str(private_folder(scratch_dir(run_id)))  # any library's temporary files go there too
    storage = Storage.open()
    if not runs.wait_for_turn(storage, run_id):  # before the table is read: a waiting run holds no copy of it
        return 0
    run = runs.get(storage, run_id)
    runs.execute(storage, run, runs.rows(storage, run), hard_cancel=True)  # its turn is taken: it trains at once
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
