"""The dashboard's two tables in the hub's SQLite file (central/hub_store.py): each device's outbox
depth once a minute, for the chart, and the fleet's commands and config pushes with who sent them.
PostgreSQL keeps the same in migration 0004_dashboard.sql (central/hub_store_pg.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from central.store_api import request_row, total_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_history (
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    at           TEXT NOT NULL,
    depth        INTEGER NOT NULL,
    PRIMARY KEY (device, at)
);
CREATE INDEX IF NOT EXISTS outbox_history_at ON outbox_history (at);
CREATE TABLE IF NOT EXISTS fleet_requests (
    site         TEXT NOT NULL,
    device       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    operator     TEXT,
    detail       TEXT NOT NULL,
    sent_at      TEXT NOT NULL,
    UNIQUE (device, kind, request_id)
);
CREATE INDEX IF NOT EXISTS fleet_requests_sent ON fleet_requests (sent_at);
"""


def record_outbox(conn: sqlite3.Connection, samples: list[tuple[str, str, int]], at: str) -> int:
    """The fleet's samples of one minute (`at`, ISO text in UTC) in one transaction: one commit
    (one fsync) for the whole fleet, not one per device. How many rows were new."""
    before = conn.total_changes
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT OR IGNORE INTO outbox_history VALUES (?, ?, ?, ?)", [(s, d, at, n) for s, d, n in samples]
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return conn.total_changes - before


def outbox_totals(conn: sqlite3.Connection, since: str) -> list[tuple[str, int]]:
    cur = conn.execute(
        "SELECT at, sum(depth) FROM outbox_history WHERE at >= ? GROUP BY at ORDER BY at", (since,)
    )
    return [total_row(r) for r in cur.fetchall()]


def prune_outbox(conn: sqlite3.Connection, before: str) -> int:
    return conn.execute("DELETE FROM outbox_history WHERE at < ?", (before,)).rowcount


def record_request(conn: sqlite3.Connection, row: tuple[Any, ...]) -> bool:
    """(site, device, kind, request_id, operator, detail JSON, sent_at); False for a repeat."""
    before = conn.total_changes
    conn.execute("INSERT OR IGNORE INTO fleet_requests VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    return conn.total_changes > before


def requests(conn: sqlite3.Connection, limit: int) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT site, device, kind, request_id, operator, detail, sent_at FROM fleet_requests "
        "ORDER BY sent_at DESC, rowid DESC LIMIT ?",
        (limit,),
    )
    return [request_row(r) for r in cur.fetchall()]
