"""The journal, the per-device ordered record that sync publishes: its Event, appending, reading."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

DataT = TypeVar("DataT")
Data = dict[str, Any]  # an event's data, decoded


class Event(msgspec.Struct, Generic[DataT], frozen=True, kw_only=True):
    """One journal row; encoded, one event of a batch on the events topic (docs/protocol.md).

    The attributes are the journal's columns, the encoded names the protocol's (`id`,
    `device`, `from`, `to`). On the device `data` is decoded (Event[Data]); the hub keeps it
    as the raw JSON the device sent (Event[msgspec.Raw]).
    """

    seq: int
    event_id: str = msgspec.field(name="id")
    device_id: str = msgspec.field(name="device")
    ts: str
    station: str | None = None
    clerk: str | None = None
    kind: str
    parcel: str | None = None
    from_state: str | None = msgspec.field(default=None, name="from")
    to_state: str | None = msgspec.field(default=None, name="to")
    cell: str | None = None
    data: DataT

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.ts)

    def to_json(self) -> dict[str, Any]:
        """The event as sent, with the protocol's names."""
        encoded: dict[str, Any] = msgspec.to_builtins(self)
        return encoded


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


_COLUMNS = "seq, event_id, device_id, ts, station, clerk, kind, parcel, from_state, to_state, cell, data"


def read_events(
    conn: sqlite3.Connection, where: str = "1", params: Sequence[Any] = (), *, limit: int | None = None
) -> list[Event[Data]]:
    """Journal rows matching an SQL condition on its columns, in sequence order, data decoded."""
    sql = f"SELECT {_COLUMNS} FROM journal WHERE {where} ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return [
        Event(
            seq=seq,
            event_id=event_id,
            device_id=device_id,
            ts=ts,
            station=station,
            clerk=clerk,
            kind=kind,
            parcel=parcel,
            from_state=from_state,
            to_state=to_state,
            cell=cell,
            data=_decoded(data),
        )
        for seq, event_id, device_id, ts, station, clerk, kind, parcel, from_state, to_state, cell, data in (
            conn.execute(sql, params)
        )
    ]


def _decoded(text: str | None) -> Data:
    """The data column as an object; anything else (never written here) is kept under "value"."""
    data = json.loads(text or "{}")
    return data if isinstance(data, dict) else {"value": data}
