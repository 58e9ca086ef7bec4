"""Versioned migrations of the hub's PostgreSQL store: numbered SQL files in central/pg_migrations/,
applied in order in one transaction, the version kept in schema_version.

Several hubs may start at once against one database: an advisory lock held for the transaction
makes the second wait and then find the work done. A database newer than this code is refused
loudly, as the device's SQLite store does (device.exc.StoreTooNew).
"""

from __future__ import annotations

import logging
import re
from importlib import resources

import psycopg

from device.exc import StoreTooNew

log = logging.getLogger("pvz.sync.hub")

_LOCK = 0x70767A_6875_62  # "pvzhub": one advisory lock id for every pvz hub's migrations
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped, in order."""
    found = []
    for entry in resources.files("central.pg_migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    if [v for v, *_ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"pg_migrations are not numbered 1..n: {[name for _, name, _ in found]}")
    return found


def migrate(conn: psycopg.Connection[tuple[object, ...]]) -> tuple[int, int]:
    """Bring the schema up to date; (version before, version after). Idempotent."""
    shipped = migrations()
    latest = shipped[-1][0] if shipped else 0
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
        before = int(row[0]) if row else 0  # type: ignore[call-overload]
        if before > latest:
            raise StoreTooNew(f"hub database at schema version {before}, this pvz knows up to {latest}")
        for version, name, sql in shipped[before:]:
            conn.execute(sql.encode())  # bytes: several statements in one simple query
            conn.execute("INSERT INTO schema_version (version, name) VALUES (%s, %s)", (version, name))
            log.info("hub database: migration %s applied", name)
    return before, latest
