"""A real PostgreSQL for tests: Debian's server binaries, its own initdb directory in a temporary
folder, a free port and a unix socket in that folder; stopped and removed at the end.

PostgreSQL refuses to run as root; as root the cluster is owned by, and run as, the `postgres`
user that Debian's package creates (runuser), in a folder made for it outside pytest's private tmp.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.broker import free_port

PG_BIN = Path(os.environ.get("PVZ_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "initdb").exists() and (os.getuid() != 0 or _has_user("postgres"))


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class Postgres:
    """One cluster; `url(db)` for psycopg, `createdb(name)` for a fresh database."""

    def __init__(self, root: Path, *, fsync: bool = False) -> None:
        self.root = root
        self.fsync = fsync  # tests: off (nothing to lose); a benchmark: on, as an operator runs it
        self.data = root / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, capture_output=True, cwd=self.root)

    def start(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "pvz", "--auth=trust", "-E", "UTF8")
        self.resume()

    def resume(self) -> None:
        """Start the server on the cluster `start` made (after `stop`: a database outage ends)."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses='' -c fsync={'on' if self.fsync else 'off'}"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.root / "log"),
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop")

    def createdb(self, name: str) -> str:
        self._run(str(PG_BIN / "createdb"), "-h", str(self.root), "-p", str(self.port), "-U", "pvz", name)
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://pvz@/{name}?host={self.root}&port={self.port}"


@contextmanager
def postgres(*, fsync: bool = False) -> Iterator[Postgres]:
    root = Path(tempfile.mkdtemp(prefix="pvz-pg-"))
    if os.getuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    pg = Postgres(root, fsync=fsync)
    try:
        pg.start()
        yield pg
    finally:
        try:
            if (pg.data / "postmaster.pid").exists():
                pg.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
