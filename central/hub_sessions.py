"""The dashboard's sign-in sessions in the hub's SQLite file (central/hub_store.py), so that a
restarted hub, or another hub on the same file, still knows who signed in; and the wrong tokens
of the last minute, for the sign-in limit of every hub on the file. PostgreSQL keeps the
same in migration 0007_dashboard_sessions.sql (central/hub_sessions_pg.py)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from central.store_api import SessionRow

SCHEMA = """
CREATE TABLE IF NOT EXISTS dashboard_sessions (
    sid_sha256   TEXT PRIMARY KEY,
    operator     TEXT NOT NULL,
    credential   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dashboard_sessions_expires ON dashboard_sessions (expires_at);
CREATE TABLE IF NOT EXISTS dashboard_signin_failures (
    at           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dashboard_signin_failures_at ON dashboard_signin_failures (at);
"""


class SqliteSessions:
    """central.store_api.SessionStore on the hub's SQLite connection (autocommit: one statement
    each). Times are ISO text in UTC, whole seconds, so that text order is time order."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def open(self, key: str, row: SessionRow) -> None:
        self.conn.execute("DELETE FROM dashboard_sessions WHERE expires_at <= ?", (_iso(row.created),))
        self.conn.execute(
            "INSERT INTO dashboard_sessions VALUES (?, ?, ?, ?, ?, ?)",
            (
                key,
                row.operator,
                row.credential,
                _iso(row.created),
                _iso(row.last_seen),
                _iso(row.expires),
            ),
        )

    def find(self, key: str) -> SessionRow | None:
        found = self.conn.execute(
            "SELECT operator, credential, created_at, last_seen, expires_at FROM dashboard_sessions "
            "WHERE sid_sha256 = ?",
            (key,),
        ).fetchone()
        if found is None:
            return None
        return SessionRow(found[0], found[1], *(datetime.fromisoformat(t) for t in found[2:]))

    def touch(self, key: str, at: datetime) -> None:
        self.conn.execute("UPDATE dashboard_sessions SET last_seen = ? WHERE sid_sha256 = ?", (_iso(at), key))

    def end(self, key: str) -> bool:
        return self.conn.execute("DELETE FROM dashboard_sessions WHERE sid_sha256 = ?", (key,)).rowcount > 0

    def failed_sign_in(self, at: datetime, forget_before: datetime) -> None:
        self.conn.execute("DELETE FROM dashboard_signin_failures WHERE at < ?", (_iso(forget_before),))
        self.conn.execute("INSERT INTO dashboard_signin_failures VALUES (?)", (_iso(at),))

    def failed_sign_ins(self, since: datetime) -> int:
        found = self.conn.execute(
            "SELECT count(*) FROM dashboard_signin_failures WHERE at >= ?", (_iso(since),)
        ).fetchone()
        return int(found[0])


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
