"""The stations' open sessions in the store: saved with each scan's transaction, resumed on start."""

from __future__ import annotations

import json
import sqlite3

from device.store.journal import Stamp
from workflows.outcome import Light, Session


def save_session(conn: sqlite3.Connection, station: str, session: Session | None, stamp: Stamp) -> None:
    if session is None:
        conn.execute("DELETE FROM sessions WHERE station = ?", (station,))
        return
    lights = {address: light.value for address, light in session.lights.items()}
    conn.execute(
        "INSERT INTO sessions (station, workflow, state, data, lights, clerk, started_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (station) DO UPDATE SET workflow = excluded.workflow, "
        "state = excluded.state, data = excluded.data, lights = excluded.lights, clerk = excluded.clerk, "
        "updated_at = excluded.updated_at, started_at = CASE WHEN sessions.workflow = excluded.workflow "
        "THEN sessions.started_at ELSE excluded.started_at END",
        (
            station,
            session.workflow,
            session.state,
            json.dumps(dict(session.data), ensure_ascii=False),
            json.dumps(lights),
            stamp.clerk,
            stamp.ts,
            stamp.ts,
        ),
    )
    conn.execute("DELETE FROM claims WHERE station = ?", (station,))
    conn.executemany(
        "INSERT OR IGNORE INTO claims (key, station) VALUES (?, ?)",
        [(key, station) for key in session.claims],
    )


def load_session(conn: sqlite3.Connection, station: str) -> Session | None:
    row = conn.execute(
        "SELECT workflow, state, data, lights FROM sessions WHERE station = ?", (station,)
    ).fetchone()
    if row is None:
        return None
    claims = tuple(
        r[0] for r in conn.execute("SELECT key FROM claims WHERE station = ? ORDER BY key", (station,))
    )
    lights = {address: Light(value) for address, value in json.loads(row["lights"]).items()}
    return Session(row["workflow"], row["state"], json.loads(row["data"]), lights, claims)
