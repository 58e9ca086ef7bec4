"""The batched writes of the devices' statuses, telemetry and command answers, one transaction a
batch, in SQLite and in PostgreSQL: the SQL of CentralStore.record_states for both stores, apart
from hub_store.py and hub_store_pg.py, as hub_dashboard_tables.py and hub_dashboard_pg.py are.

Why batched: after a broker restart every device republishes its status and telemetry at once;
one transaction (one fsync) per message was a thousand fsyncs (bench/fleet_load.py --burst).
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from central.store_api import DeviceStates

if TYPE_CHECKING:  # the SQLite hub does not load PostgreSQL's driver
    import psycopg


def latest(
    states: DeviceStates,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, float | None]]]:
    """Each device's last status and last telemetry in the lists, as (device, site, body JSON…):
    an upsert may not touch one row twice in a statement, and the later one is the newer."""
    statuses = {d: (d, s, _json(b)) for s, d, b in states.statuses}
    telemetry = {d: (d, s, _json(b), skew) for s, d, b, skew in states.telemetry}
    return list(statuses.values()), list(telemetry.values())


def reply_rows(states: DeviceStates) -> list[tuple[str, str, str, str, bool | None, str]]:
    """(site, device, nonce, command id or '', ok or None, body JSON) of each answer."""
    return [
        (site, device, nonce, body.get("id") or "", _ok(body), _json(body))
        for site, device, nonce, body in states.replies
    ]


def write_sqlite(conn: sqlite3.Connection, states: DeviceStates, now: str) -> int:
    """In one BEGIN IMMEDIATE transaction; returns how many answers were new."""
    statuses, telemetry = latest(states)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(
            "INSERT INTO device_status VALUES (?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET "
            "site = excluded.site, body = excluded.body, received_at = excluded.received_at",
            [(*row, now) for row in statuses],
        )
        conn.executemany(
            "INSERT INTO device_telemetry VALUES (?, ?, ?, ?, ?) ON CONFLICT (device) DO UPDATE SET "
            "site = excluded.site, body = excluded.body, clock_skew_s = excluded.clock_skew_s, "
            "received_at = excluded.received_at",
            [(*row, now) for row in telemetry],
        )
        before = conn.total_changes
        conn.executemany(
            "INSERT OR IGNORE INTO command_replies VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*row, now) for row in reply_rows(states)],
        )
        new = conn.total_changes - before
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return new


_PG_STATUSES = (
    "INSERT INTO device_status (device, site, body) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]) ON CONFLICT (device) "
    "DO UPDATE SET site = excluded.site, body = excluded.body, received_at = now()"
)
_PG_TELEMETRY = (
    "INSERT INTO device_telemetry (device, site, body, clock_skew_s) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::float8[]) ON CONFLICT (device) "
    "DO UPDATE SET site = excluded.site, body = excluded.body, clock_skew_s = excluded.clock_skew_s, "
    "received_at = now()"
)
_PG_REPLIES = (
    "INSERT INTO command_replies (site, device, nonce, command_id, ok, body) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[], %s::text[]) "
    "ON CONFLICT DO NOTHING"
)


def write_pg(conn: psycopg.Connection[tuple[Any, ...]], states: DeviceStates) -> int:
    """Three statements in one transaction whatever the batch's size (one array per column);
    returns how many answers were new (a repeat, also within the batch, is skipped)."""
    statuses, telemetry = latest(states)
    replies = reply_rows(states)
    new = 0
    with conn.transaction():
        if statuses:
            conn.execute(_PG_STATUSES, _columns(statuses, 3))
        if telemetry:
            conn.execute(_PG_TELEMETRY, _columns(telemetry, 4))
        if replies:
            new = conn.execute(_PG_REPLIES, _columns(replies, 6)).rowcount
    return max(new, 0)


def _columns(rows: list[Any], width: int) -> tuple[list[Any], ...]:
    return tuple([row[i] for row in rows] for i in range(width))


def _ok(body: dict[str, Any]) -> bool | None:
    ok = body.get("ok")
    return ok if isinstance(ok, bool) else None


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)
