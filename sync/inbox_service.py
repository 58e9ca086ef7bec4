"""The manifest topic's handler: every message through the inbox, logged, counted, never raising."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from device.decode import read_input
from device.exc import INVALID, ManifestError, PvzError
from device.store.db import Store
from device.store.journal import Stamp
from sync.inbox import InboxResult, Outcome, apply_message
from sync.status import wire_time
from sync.transport import PublishError, PublishProps

if TYPE_CHECKING:
    from sync.topics import Topics
    from sync.transport import Inbound, MqttLink

log = logging.getLogger("pvz.sync.inbox")


def utc_now() -> datetime:
    return datetime.now(UTC)


class WireOutcome(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The payload on Topics.outcome: what one message on the manifest topic did on the device."""

    device: str
    id: str | None  # the message id; None when a rejected message had no readable one
    outcome: Outcome
    code: str | None  # a rejected message's reason code (device.decode.REASONS)
    path: str | None  # and the JSON path of what was wrong
    reason: str | None  # for a person: why rejected, stale or duplicate
    counts: dict[str, int]  # what an applied message wrote (parcels, packages, …, stale updates)
    ts: str  # when the device handled it, UTC


MAX_OUTCOME_BYTES = 4096


class InboxService:
    """Feeds downstream messages to `apply_message` on the thread that owns the store.

    MqttLink calls `on_message` on its asyncio loop (the store's thread) and acknowledges
    the message to the broker after it returns, so one that was being applied when the
    process died comes again, and the inbox's message ids make that harmless.
    """

    def __init__(
        self,
        store: Store,
        *,
        device_id: str,
        clock: Callable[[], datetime] = utc_now,
        on_written: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.device_id = device_id
        self.clock = clock
        # An applied message wrote journal events: the publisher should send them now, not at its next poll.
        self.on_written = on_written
        self.last: InboxResult | None = None
        self.failures = 0  # the store failed (not the message): nothing of it was written
        self.link: MqttLink | None = None
        self.topics: Topics | None = None
        self.outcomes = {"sent": 0, "failed": 0}
        self._tasks: set[asyncio.Task[None]] = set()

    def handle(self, topic: str, payload: bytes, properties: Any = None) -> None:
        """Apply one message; a bad one is rejected inside apply_message, a store failure logged."""
        stamp = Stamp(self.device_id, self.clock().isoformat(timespec="seconds"))
        try:
            self.last = apply_message(self.store, bytes(payload), stamp=stamp, topic=topic)
        except (sqlite3.Error, PvzError):
            self.failures += 1
            log.exception("inbox %s: the store failed; the message (%d bytes) is lost", topic, len(payload))
            return
        if self.last.outcome == "applied" and self.on_written is not None:
            self.on_written()
        self._report(self.last, wire_time(self.clock()))

    def _report(self, result: InboxResult, ts: str) -> None:
        """Tell central what the message did, on Topics.outcome at QoS 1 (when on a link)."""
        if self.link is None or self.topics is None:
            return
        wire = WireOutcome(
            self.device_id,
            result.id,
            result.outcome,
            result.code,
            result.path,
            result.reason,
            result.counts,
            ts,
        )
        props = PublishProps(content_type="application/json", utf8=True)
        task = asyncio.get_running_loop().create_task(self._publish(msgspec.json.encode(wire), props))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, payload: bytes, props: PublishProps) -> None:
        assert self.link is not None and self.topics is not None
        try:
            await self.link.publish(self.topics.outcome, payload, 1, False, props)
            self.outcomes["sent"] += 1
        except PublishError as exc:  # the outcome stays in inbox_messages and the counters
            self.outcomes["failed"] += 1
            log.warning("inbox outcome not published: %s", exc)

    def on_message(self, msg: Inbound) -> None:
        """The MqttLink handler."""
        self.handle(msg.topic, msg.payload, msg.properties)

    def subscribe(self, link: MqttLink, topics: Topics) -> None:
        """Route the device's manifest topic (QoS 1) here; report each outcome on Topics.outcome."""
        self.link = link
        self.topics = topics
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
            "outcomes": dict(self.outcomes),
            "last": None if last is None else {"id": last.id, "outcome": last.outcome, "reason": last.reason},
        }


def apply_file(store: Store, path: Path, *, now: datetime | None = None) -> str:
    """`pvz manifest apply FILE`: one message from a file, as if it came over MQTT; a summary line.

    A rejected message (or an unreadable file) is a ManifestError with the reason.
    """
    raw = read_input(path, "message", ManifestError)
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
