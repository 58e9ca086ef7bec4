"""The manifest topic's handler: every message through the inbox, logged, counted, never raising."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from device.exc import INVALID, ManifestError, PvzError
from device.store.db import Store
from device.store.journal import Stamp
from sync.inbox import InboxResult, apply_message

if TYPE_CHECKING:
    from sync.topics import Topics
    from sync.transport import Inbound, MqttLink

log = logging.getLogger("pvz.sync.inbox")


def utc_now() -> datetime:
    return datetime.now(UTC)


class InboxService:
    """Feeds downstream messages to `apply_message` on the thread that owns the store.

    MqttLink calls `on_message` on its asyncio loop (the store's thread) and acknowledges
    the message to the broker after it returns, so one that was being applied when the
    process died comes again, and the inbox's message ids make that harmless.
    """

    def __init__(self, store: Store, *, device_id: str, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.device_id = device_id
        self.clock = clock
        self.last: InboxResult | None = None
        self.failures = 0  # the store failed (not the message): nothing of it was written

    def handle(self, topic: str, payload: bytes, properties: Any = None) -> None:
        """Apply one message; a bad one is rejected inside apply_message, a store failure logged."""
        stamp = Stamp(self.device_id, self.clock().isoformat(timespec="seconds"))
        try:
            self.last = apply_message(self.store, bytes(payload), stamp=stamp, topic=topic)
        except (sqlite3.Error, PvzError):
            self.failures += 1
            log.exception("inbox %s: the store failed; the message (%d bytes) is lost", topic, len(payload))

    def on_message(self, msg: Inbound) -> None:
        """The MqttLink handler."""
        self.handle(msg.topic, msg.payload, msg.properties)

    def subscribe(self, link: MqttLink, topics: Topics) -> None:
        """Route the device's manifest topic (QoS 1) here."""
        link.subscribe(topics.manifest, self.on_message, qos=1)

    def status(self) -> dict[str, Any]:
        """The inbox counters (applied, stale, duplicate, rejected; per topic kind) for telemetry."""
        rows = self.store.conn.execute(
            "SELECT name, value FROM sync_counters WHERE name LIKE 'inbox\\_%' ESCAPE '\\' ORDER BY name"
        ).fetchall()
        last = self.last
        return {
            "counters": {str(r[0]): int(r[1]) for r in rows},
            "store_failures": self.failures,
            "last": None if last is None else {"id": last.id, "outcome": last.outcome, "reason": last.reason},
        }


def apply_file(store: Store, path: Path, *, now: datetime | None = None) -> str:
    """`pvz manifest apply FILE`: one message from a file, as if it came over MQTT; a summary line.

    A rejected message (or an unreadable file) is a ManifestError with the reason.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read message: {exc.strerror or exc}") from exc
    moment = now or utc_now()
    stamp = Stamp(store.get_meta("device_id") or "unknown", moment.isoformat(timespec="seconds"))
    result = apply_message(store, raw, stamp=stamp, topic="file")
    if result.outcome == "rejected":
        raise ManifestError(
            f"{path}: message {result.id or '-'} rejected: {result.reason}",
            reason=result.code or INVALID,
            path=result.path or "$",
        )
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items() if v)
    why = f" ({result.reason})" if result.reason else ""
    return f"message {result.id}: {result.outcome}{why}" + (f": {counts}" if counts else "")
