"""The outbox: journal events the central side has not confirmed yet, read in sequence order."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from device.store.clock import instant, utc_text
from device.store.db import Store
from device.store.journal import Data, Event, read_events

ACKED_KEY = "outbox_acked_seq"


class OutboxError(ValueError):
    """An acknowledgement that cannot be right (beyond the last event written)."""


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

    def oldest_ts(self) -> str | None:
        """When the oldest event not yet acknowledged was written, in UTC as the wire spells it
        (None when the outbox is empty): a moment, not an age, so a status carrying it changes
        only when the oldest event does (an ack, or the first event after an empty outbox)."""
        row = self.store.conn.execute(
            "SELECT ts FROM journal WHERE seq > ? ORDER BY seq LIMIT 1", (self.acked(),)
        ).fetchone()
        return None if row is None else utc_text(instant(str(row[0])))

    def batch(self, *, after: int | None = None, limit: int = 100) -> list[Event[Data]]:
        """Up to `limit` events after `after` (default: the last acknowledged), oldest first."""
        start = self.acked() if after is None else after
        return read_events(self.store.conn, "seq > ?", (start,), limit=limit)

    def wire_batch(self, *, after: int, limit: int, max_bytes: int) -> list[Event[msgspec.Raw]]:
        """Up to `limit` events after `after` as they go on the wire, stopping once about
        `max_bytes` are reached (always at least one event).

        The publisher's path, read without decoding anything: `data` is passed on as the JSON
        text the journal holds (journal.append wrote it with json.dumps, so it is valid JSON),
        and `ts` is spelled in UTC as on the whole wire (the journal keeps the offset of the
        clock that wrote it, for reports by the site's day; the moment is the same), by SQLite
        for the one shape pvz writes (`isoformat(timespec="seconds")` with an offset) and by
        Python for anything else.
        Reading each row's data into a dict and encoding it again, and a datetime per event,
        cost more than everything else of the device's side of a drain.
        """
        rows = self.store.conn.execute(_WIRE_SELECT, (after, limit))
        events: list[Event[msgspec.Raw]] = []
        size = 0
        for seq, event_id, device_id, ts, utc, station, clerk, kind, parcel, from_, to, cell, data in rows:
            raw = _raw_data(data)
            event = Event(
                seq=seq,
                event_id=event_id,
                device_id=device_id,
                ts=utc or utc_text(instant(ts)),
                station=station,
                clerk=clerk,
                kind=kind,
                parcel=parcel,
                from_state=from_,
                to_state=to,
                cell=cell,
                data=msgspec.Raw(raw),
            )
            events.append(event)
            size += len(raw) + _STAMP_BYTES
            if size >= max_bytes:
                break
        return events

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


# `ts` in UTC when it has exactly the shape pvz writes (SQLite's date functions read the offset;
# fractions of a second would be rounded by them, and are left to Python, which truncates).
_SECONDS_WITH_OFFSET = (
    "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9][+-][01][0-9]:[0-5][0-9]"
)
_WIRE_SELECT = (
    "SELECT seq, event_id, device_id, ts, "
    f"CASE WHEN ts GLOB '{_SECONDS_WITH_OFFSET}' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', ts) END, "
    "station, clerk, kind, parcel, from_state, to_state, cell, data "
    "FROM journal WHERE seq > ? ORDER BY seq LIMIT ?"
)
_STAMP_BYTES = 250  # an event's JSON around its data: ids, stamps, names (a placement is ~260 bytes in all)


def wire_bytes(events: list[Event[msgspec.Raw]]) -> int:
    """About how many bytes these events take on the wire, counted as wire_batch counts them."""
    return sum(len(e.data) for e in events) + _STAMP_BYTES * len(events)


def _raw_data(text: str | None) -> bytes:
    """A data column as it goes on the wire: its own text when that is a JSON object.

    Else as the device reads it (journal.read_events) and encodes it: something that is not an
    object (never written by pvz) wrapped under "value", and Python's `Infinity` and `NaN`
    (json.dumps writes them, JSON has none, the hub would refuse the batch) as null. A text
    that only mentions those words takes this slower way too, to the same result.
    """
    if text and text[0] == "{" and "Infinity" not in text and "NaN" not in text:
        return text.encode()
    data = json.loads(text or "{}")
    return msgspec.json.encode(data if isinstance(data, dict) else {"value": data})
