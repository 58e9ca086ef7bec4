"""The stations' open sessions in the store: saved with each scan's transaction, resumed on start.

A session's data is its workflow's frozen dataclass, kept as a JSON object with one key
per field; the registry says which dataclass a stored workflow name reads back into.
Fields missing from a stored object take their defaults, which is how sessions that an
earlier version saved as `{}` (a placement waiting for a parcel, an issue still looking
for the order, a return not yet found) resume.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, TypeVar

import msgspec

from device.decode import decode
from device.exc import InputError
from device.store.journal import Stamp
from workflows.machine import WorkflowError
from workflows.outcome import Light
from workflows.registry import by_name
from workflows.session import Session, Workflow

D = TypeVar("D")


class StoredSessionError(InputError, WorkflowError):
    """A stored session's data does not fit its workflow (a store edited under us)."""


MAX_SESSION_BYTES = 4_000_000  # far above any session a workflow writes (an inventory of 512 cells)


def encode_data(data: object) -> str:
    """A session's data as the JSON object the store keeps (tuples become lists, enums values)."""
    return json.dumps(msgspec.to_builtins(data), ensure_ascii=False)


def decode_data(workflow: Workflow[Any, D], text: str) -> D:
    """A stored JSON object read back into the workflow's data class."""
    what = f"{workflow.name}: stored session data does not fit"
    raw = text.encode("utf-8", "surrogateescape")
    return decode(raw, workflow.data, max_bytes=MAX_SESSION_BYTES, error=StoredSessionError, what=what)


def save_session(
    conn: sqlite3.Connection, station: str, session: Session[Any, Any] | None, stamp: Stamp
) -> None:
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
            session.workflow.name,
            session.state.value,
            encode_data(session.data),
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


def load_session(conn: sqlite3.Connection, station: str) -> Session[Any, Any] | None:
    row = conn.execute(
        "SELECT workflow, state, data, lights FROM sessions WHERE station = ?", (station,)
    ).fetchone()
    if row is None:
        return None
    claims = tuple(
        r[0] for r in conn.execute("SELECT key FROM claims WHERE station = ? ORDER BY key", (station,))
    )
    workflow = by_name(row["workflow"])
    data = decode_data(workflow, row["data"])
    try:
        lights = {address: Light(value) for address, value in json.loads(row["lights"]).items()}
        return workflow.resume(row["state"], data, lights, claims)
    except ValueError as exc:
        raise StoredSessionError(f"{workflow.name}: stored state or lights do not fit: {exc}") from None
