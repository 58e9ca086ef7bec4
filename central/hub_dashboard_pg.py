"""The dashboard's two tables in the hub's PostgreSQL database (migration 0004_dashboard.sql):
each device's outbox depth once a minute, for the chart, and the fleet's commands and config
pushes with who sent them. The SQLite file keeps the same in central/hub_dashboard_tables.py;
central/hub_store_pg.py calls these inside its own error handling."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from central.store_api import request_row, total_row


def record_outbox(
    conn: psycopg.Connection[Any], samples: list[tuple[str, str, int]], minute: datetime
) -> int:
    """One minute's samples of the fleet in one statement; a sample another hub kept is skipped."""
    cur = conn.execute(
        "INSERT INTO outbox_history (site, device, at, depth) SELECT * FROM "
        "unnest(%s::text[], %s::text[], %s::timestamptz[], %s::integer[]) ON CONFLICT DO NOTHING",
        (
            [s for s, _, _ in samples],
            [d for _, d, _ in samples],
            [minute] * len(samples),
            [n for *_, n in samples],
        ),
    )
    return max(cur.rowcount, 0)


def outbox_totals(conn: psycopg.Connection[Any], since: datetime) -> list[tuple[str, int]]:
    cur = conn.execute(
        "SELECT at, sum(depth) FROM outbox_history WHERE at >= %s GROUP BY at ORDER BY at",
        (since,),
    )
    return [total_row(r) for r in cur.fetchall()]


def prune_outbox(conn: psycopg.Connection[Any], before: datetime) -> int:
    return conn.execute("DELETE FROM outbox_history WHERE at < %s", (before,)).rowcount


def record_request(conn: psycopg.Connection[Any], row: tuple[Any, ...]) -> bool:
    """(site, device, kind, request_id, operator, detail JSON); False for a repeat."""
    cur = conn.execute(
        "INSERT INTO fleet_requests (site, device, kind, request_id, operator, detail) "
        "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        row,
    )
    return cur.rowcount > 0


def requests(conn: psycopg.Connection[Any], limit: int) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT site, device, kind, request_id, operator, detail, sent_at FROM fleet_requests "
        "ORDER BY sent_at DESC, id DESC LIMIT %s",
        (limit,),
    )
    return [request_row(r) for r in cur.fetchall()]
