"""A real PostgreSQL server for the tests: Debian's binaries (`make postgresql` installs them), a cluster made in a
temporary folder, listening on a free local port and its own socket folder, stopped at the end."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

USER = "pipewright"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on the PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


@contextmanager
def server() -> Iterator[str]:
    """Start a server; yield the URL of its `postgres` database; stop it and remove its folder."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed: `make postgresql` installs Debian's package.")
    folder = Path(tempfile.mkdtemp(prefix="pipewright-pg-"))
    as_user = _unprivileged(folder)  # initdb refuses to run as root
    port = _free_port()
    data = folder / "data"
    try:
        _call([*as_user, bin_dir / "initdb", "-D", data, "-U", USER, "--auth=trust", "-E", "UTF8"])
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        _call([*as_user, bin_dir / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w", "-o", options, "start"])
        try:
            yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/postgres"
        finally:
            _call([*as_user, bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def database(server_url: str) -> Iterator[str]:
    """A fresh, empty database on the server for one test; dropped afterwards, even with connections left open."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _unprivileged(folder: Path) -> list[str]:
    """As root, the server runs as the `postgres` user (which owns the folder); otherwise as this user."""
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam("postgres")
    os.chown(folder, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(command: list) -> None:
    subprocess.run([str(part) for part in command], check=True, capture_output=True, cwd="/")
