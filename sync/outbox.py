"""The outbox: journal events the central side has not confirmed yet, read in sequence order."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from device.store.db import Store

ACKED_KEY = "outbox_acked_seq"


class OutboxError(ValueError):
    """An acknowledgement that cannot be right (beyond the last event written)."""


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    event_id: str
    device_id: str
    ts: str
    station: str | None
    clerk: str | None
    kind: str
    parcel: str | None
    from_state: str | None
    to_state: str | None
    cell: str | None
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "id": self.event_id,
            "device": self.device_id,
            "ts": self.ts,
            "station": self.station,
            "clerk": self.clerk,
            "kind": self.kind,
            "parcel": self.parcel,
            "from": self.from_state,
            "to": self.to_state,
            "cell": self.cell,
            "data": self.data,
        }


class Outbox:
    """Events stay here until acknowledged by sequence number; a PUBACK is not an ack."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def acked(self) -> int:
        value = self.store.get_meta(ACKED_KEY)
        return 0 if value is None else int(value)

    def last_seq(self) -> int:
        return int(self.store.scalar("SELECT coalesce(max(seq), 0) FROM journal"))

    def depth(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM journal WHERE seq > ?", (self.acked(),)))

    def batch(self, *, after: int | None = None, limit: int = 100) -> list[Event]:
        """Up to `limit` events after `after` (default: the last acknowledged), oldest first."""
        start = self.acked() if after is None else after
        rows = self.store.conn.execute(
            "SELECT seq, event_id, device_id, ts, station, clerk, kind, parcel, from_state, to_state, cell, data "
            "FROM journal WHERE seq > ? ORDER BY seq LIMIT ?",
            (start, limit),
        ).fetchall()
        return [
            Event(
                seq=r["seq"],
                event_id=r["event_id"],
                device_id=r["device_id"],
                ts=r["ts"],
                station=r["station"],
                clerk=r["clerk"],
                kind=r["kind"],
                parcel=r["parcel"],
                from_state=r["from_state"],
                to_state=r["to_state"],
                cell=r["cell"],
                data=json.loads(r["data"]),
            )
            for r in rows
        ]

    def ack(self, seq: int) -> int:
        """Record that the central side holds every event up to `seq`; acks never go back."""
        with self.store.transaction():
            last = self.last_seq()
            if seq > last:
                raise OutboxError(f"ack for sequence {seq}, but the journal ends at {last}")
            current = self.acked()
            if seq > current:
                self.store.set_meta(ACKED_KEY, str(seq))
                current = seq
        return current

    def status(self) -> dict[str, Any]:
        return {"acked_seq": self.acked(), "last_seq": self.last_seq(), "depth": self.depth()}
