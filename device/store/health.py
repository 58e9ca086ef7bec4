"""Is the store file sound: the quick check at start, the full check when idle, and what to do if not."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from device.exc import StoreDamaged

# The first lines SQLite reports are enough to tell a technician what broke; a badly damaged
# file can report thousands.
MAX_PROBLEMS = 10


def problems(conn: sqlite3.Connection, *, full: bool) -> list[str]:
    """What `PRAGMA quick_check` (or the slower `integrity_check`, which also checks every index
    against its table) finds wrong; an empty list for a sound file."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    found = [line.strip() for r in rows for line in str(r[0]).splitlines()]
    if found == ["ok"]:
        return []
    # SQLite heads the list with the schema it checked ("*** in database main ***").
    return [line for line in found if line and not line.startswith("***")]


def what_to_do(path: Path | None) -> str:
    """The technician's next step, with the commands (docs/store.md has the whole procedure)."""
    return (
        f"stop pvz and restore the latest backup: `pvz store restore BACKUP --store {path}` "
        f"(see docs/store.md; with no backup, move the file away and let the hub resend the parcels)"
    )


def damaged(path: Path | None, found: list[str], *, check: str) -> StoreDamaged:
    first = found[0] if found else "unknown problem"
    return StoreDamaged(f"{path}: the store file is damaged ({check}: {first}); {what_to_do(path)}")


class IntegrityWatch:
    """The full integrity check on a schedule, run only while no station has work open.

    It reads the whole file, so it runs between scans and never in one; its result is part of
    the runtime's status (and so of telemetry), and a failure is journalled once, for the fleet.
    """

    def __init__(self, path: Path | None, *, every_s: float) -> None:
        self.path = path
        self.every_s = every_s
        self.last_run: float | None = None
        self.last_ok: bool | None = None
        self.last_problems: list[str] = []
        self.last_duration_s: float | None = None

    def due(self, now: float) -> bool:
        if self.every_s <= 0 or self.path is None:
            return False
        return self.last_run is None or now - self.last_run >= self.every_s

    def run(self, now: float) -> list[str]:
        """Check now; return what is wrong (empty when sound)."""
        started = time.monotonic()
        # Its own connection reads the pages from the file, not the daemon's page cache.
        assert self.path is not None
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            found = problems(conn, full=True)
        finally:
            conn.close()
        self.last_duration_s = round(time.monotonic() - started, 3)
        self.last_run = now
        self.last_ok = not found
        self.last_problems = found
        return found

    def status(self) -> dict[str, Any]:
        return {
            "integrity": None if self.last_ok is None else ("ok" if self.last_ok else "damaged"),
            "problems": self.last_problems[:3],
            "check_duration_s": self.last_duration_s,
            "check_every_s": self.every_s,
            "what_to_do": None if self.last_ok is not False else what_to_do(self.path),
        }
