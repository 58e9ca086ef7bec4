"""Appending events to the journal: the per-device ordered record that sync publishes."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who and when, shared by every event of one scan."""

    device_id: str
    ts: str
    station: str | None = None
    clerk: str | None = None


def append(
    conn: sqlite3.Connection,
    stamp: Stamp,
    kind: str,
    *,
    parcel: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    cell: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> int:
    """Insert one event inside the caller's transaction; return its sequence number."""
    cur = conn.execute(
        "INSERT INTO journal (event_id, device_id, ts, station, clerk, kind, parcel, from_state, "
        "to_state, cell, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            uuid.uuid4().hex,
            stamp.device_id,
            stamp.ts,
            stamp.station,
            stamp.clerk,
            kind,
            parcel,
            from_state,
            to_state,
            cell,
            json.dumps(dict(data or {}), ensure_ascii=False, sort_keys=True),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid
