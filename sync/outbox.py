"""The outbox: journal events the central side has not confirmed yet, read in sequence order."""

from __future__ import annotations

from typing import Any

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

    def batch(self, *, after: int | None = None, limit: int = 100) -> list[Event[Data]]:
        """Up to `limit` events after `after` (default: the last acknowledged), oldest first."""
        start = self.acked() if after is None else after
        return read_events(self.store.conn, "seq > ?", (start,), limit=limit)

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
