"""Appending events to the journal: the per-device ordered record that sync publishes."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who and when, shared by every event of one scan."""

    device_id: str
    ts: str
    station: str | None = None
    clerk: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One event to append: what happened (the Stamp says who and when)."""

    kind: str
    parcel: str | None = None
    from_state: str | None = None
    to_state: str | None = None
    cell: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


_INSERT = (
    "INSERT INTO journal (event_id, device_id, ts, station, clerk, kind, parcel, from_state, "
    "to_state, cell, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
    entry = Entry(kind, parcel, from_state, to_state, cell, data or {})
    cur = conn.execute(_INSERT, _values(stamp, entry))
    assert cur.lastrowid is not None
    return cur.lastrowid


def append_all(conn: sqlite3.Connection, stamp: Stamp, entries: Iterable[Entry]) -> None:
    """Insert events in order inside the caller's transaction, in one statement for a batch."""
    conn.executemany(_INSERT, (_values(stamp, e) for e in entries))


def _values(stamp: Stamp, e: Entry) -> tuple[str | None, ...]:
    return (
        uuid.uuid4().hex,
        stamp.device_id,
        stamp.ts,
        stamp.station,
        stamp.clerk,
        e.kind,
        e.parcel,
        e.from_state,
        e.to_state,
        e.cell,
        json.dumps(dict(e.data), ensure_ascii=False, sort_keys=True),
    )
