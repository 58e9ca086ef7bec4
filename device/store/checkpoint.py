"""WAL checkpoints off the scan path: a passive checkpoint from a second connection when idle.

SQLite's default checkpoints inside the commit that crosses 1000 WAL pages: that scan then
waits for the whole WAL to be copied into the database and fsynced (the 7–8 ms tail of the
writing scans at a million parcels). The daemon's connection turns that off
(Store.defer_checkpoints) and its runtime calls Checkpointer.run in a thread when the counter
has been idle for a moment, or when the WAL has grown past WAL_LIMIT_BYTES anyway (a backlog
sweep, a busy hour), so the WAL stays bounded. PASSIVE never waits for the writer: a scan that
commits meanwhile goes on, and its frames are copied next time.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

IDLE_S = 1.0  # no scan for this long: checkpoint what the WAL holds
WAL_LIMIT_BYTES = 32 * 1024 * 1024  # past this, checkpoint even while scans keep coming
BUSY_EVERY_S = 5.0  # and then at most this often


class Checkpointer:
    """A second connection to the store, used only to checkpoint; one caller at a time."""

    def __init__(
        self, path: Path | None, *, idle_s: float = IDLE_S, wal_limit: int = WAL_LIMIT_BYTES
    ) -> None:
        self.path = path
        self.idle_s = idle_s
        self.wal_limit = wal_limit
        self.runs = 0
        self.last: tuple[int, int, int] | None = None  # busy, WAL frames, frames checkpointed
        self.last_s: float | None = None
        self._at = 0.0  # monotonic time of the last run
        self._wal_mtime = 0.0  # the WAL's mtime at the last run: nothing new since, nothing to do
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def wal(self) -> tuple[int, float]:
        """The WAL file's size and mtime (0 when there is none)."""
        if self.path is None:
            return 0, 0.0
        try:
            st = self.path.with_name(self.path.name + "-wal").stat()
        except FileNotFoundError:
            return 0, 0.0
        return st.st_size, st.st_mtime

    def due(self, *, idle_s: float) -> bool:
        """Whether to checkpoint now: something was written since the last one, and the counter is
        idle, or the WAL is past its limit and the last checkpoint is a while ago."""
        size, mtime = self.wal()
        if size == 0 or mtime == self._wal_mtime:
            return False
        if idle_s >= self.idle_s:
            return True
        return size > self.wal_limit and time.monotonic() - self._at >= BUSY_EVERY_S

    def run(self) -> tuple[int, int, int]:
        """PRAGMA wal_checkpoint(PASSIVE) on the second connection (made on first use)."""
        assert self.path is not None
        with self._lock:
            started = time.monotonic()
            _, mtime = self.wal()
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                self._conn.execute("PRAGMA synchronous=FULL")
            row = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.last = (int(row[0]), int(row[1]), int(row[2]))
            self.runs += 1
            self._at = time.monotonic()
            self._wal_mtime = mtime
            self.last_s = round(self._at - started, 4)
            return self.last

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def status(self) -> dict[str, Any]:
        return {"runs": self.runs, "last": self.last, "last_s": self.last_s, "wal_bytes": self.wal()[0]}
