"""The dashboard's sign-in sessions in the hub's PostgreSQL database (migration
0007_dashboard_sessions.sql): every hub on the database accepts a session any of them opened,
and one hub's sign-out ends it for all; the wrong tokens of the last minute count for every hub's
sign-in limit. The SQLite file keeps the same in central/hub_sessions.py."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any, Protocol

import psycopg

from central.store_api import SessionRow


class _Connected(Protocol):
    """What is used of central/hub_store_pg.PgHubStore: its connection, replaced after the server
    dropped it, and its one adapter of psycopg's failures to HubStoreUnavailable."""

    conn: psycopg.Connection[tuple[Any, ...]]

    def _adapt(self) -> contextlib.AbstractContextManager[None]: ...


class PgSessions:
    """central.store_api.SessionStore on the hub's PostgreSQL connection (autocommit)."""

    def __init__(self, store: _Connected) -> None:
        self.store = store

    def open(self, key: str, row: SessionRow) -> None:
        with self.store._adapt():
            conn = self.store.conn
            conn.execute("DELETE FROM dashboard_sessions WHERE expires_at <= %s", (row.created,))
            conn.execute(
                "INSERT INTO dashboard_sessions (sid_sha256, operator, credential, created_at, last_seen, "
                "expires_at) VALUES (%s, %s, %s, %s, %s, %s)",
                (key, row.operator, row.credential, row.created, row.last_seen, row.expires),
            )

    def find(self, key: str) -> SessionRow | None:
        with self.store._adapt():
            found = self.store.conn.execute(
                "SELECT operator, credential, created_at, last_seen, expires_at FROM dashboard_sessions "
                "WHERE sid_sha256 = %s",
                (key,),
            ).fetchone()
        if found is None:
            return None
        return SessionRow(found[0], found[1], *(t.astimezone(UTC) for t in found[2:]))

    def touch(self, key: str, at: datetime) -> None:
        with self.store._adapt():
            self.store.conn.execute(
                "UPDATE dashboard_sessions SET last_seen = %s WHERE sid_sha256 = %s", (at, key)
            )

    def end(self, key: str) -> bool:
        with self.store._adapt():
            cur = self.store.conn.execute("DELETE FROM dashboard_sessions WHERE sid_sha256 = %s", (key,))
        return cur.rowcount > 0

    def failed_sign_in(self, at: datetime, forget_before: datetime) -> None:
        with self.store._adapt():
            conn = self.store.conn
            conn.execute("DELETE FROM dashboard_signin_failures WHERE at < %s", (forget_before,))
            conn.execute("INSERT INTO dashboard_signin_failures (at) VALUES (%s)", (at,))

    def failed_sign_ins(self, since: datetime) -> int:
        with self.store._adapt():
            found = self.store.conn.execute(
                "SELECT count(*) FROM dashboard_signin_failures WHERE at >= %s", (since,)
            ).fetchone()
        return 0 if found is None else int(found[0])
