"""The device's outbox sender: journal batches up over MQTT, advanced only by the central side's ack."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from device import crash_points
from device.decode import decode
from device.store.db import Store
from device.store.journal import Event
from sync.outbox import Outbox, OutboxError, wire_bytes
from sync.status import bump
from sync.topics import Topics
from sync.transport import Inbound, MqttLink, PublishError

log = logging.getLogger("pvz.sync.publisher")

BATCH = 1000  # events per message at most (docs/protocol.md); drain bench: 100 gave 21k events/s, 1000 50k
READ_CHUNK = 250  # events read from the journal at a time, the loop free in between (~1 ms here)
BATCH_BYTES = 256 * 1024  # and about this many bytes: under EMQX's default packet limit (1 MiB)
WINDOW = 16  # batches sent, not yet acknowledged by the central side (drain bench: 4: 42k events/s, 16: 77k)
ACK_TIMEOUT_S = 15.0  # no ack progress this long while batches are out: send them again
# Still no ack: each resend waits twice as long as the one before, up to this. Behind a site's
# bridge with the uplink down for a day (docs/site.md, "The uplink") every resend waits in the
# site broker's queue: 15 s apart that is 5,760 rounds a day, 10 minutes apart about 150.
RESEND_CAP_S = 600.0
POLL_S = 5.0  # look for new events this often: an event written outside a scan (no notify()) waits this long at most
RETENTION_DAYS = 30  # acknowledged events older than this are deleted from the journal
COMPACT_EVERY_S = 3600.0
COMPACT_CHUNK = 5000  # rows deleted per transaction, so a scan never waits long
MAX_ACK_BYTES = 1024
ACK_REJECTED = "acks_rejected"
ACK_AHEAD = "acks_ahead"  # an ack beyond what this publisher has sent: refused (also in ACK_REJECTED)
ACK_BEHIND = "acks_behind"  # an ack below the mark (a replay, a slow hub): changes nothing


class WireBatch(msgspec.Struct, frozen=True):
    """The payload on Topics.events: consecutive events `first_seq`..`last_seq` of one device.

    As the central side decodes it: each event's `data` stays the raw JSON the device sent.
    """

    device: str
    first_seq: int
    last_seq: int
    events: list[Event[msgspec.Raw]]


class WireAck(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The payload on Topics.ack: the central side holds every event up to `acked_seq`."""

    device: str
    acked_seq: int


def utc_now() -> datetime:
    return datetime.now(UTC)


class Publisher:
    """Sends the outbox after the acked mark, WINDOW batches at a time; resends on reconnect.

    A PUBACK only means the broker has the batch. The mark moves when the central side's ack
    arrives on Topics.ack; after a reconnect, a restart or ACK_TIMEOUT_S without progress,
    everything after the mark is sent again (the consumer de-duplicates by event id).
    """

    def __init__(
        self,
        store: Store,
        link: MqttLink,
        topics: Topics,
        *,
        batch: int = BATCH,
        batch_bytes: int = BATCH_BYTES,
        window: int = WINDOW,
        ack_timeout: float = ACK_TIMEOUT_S,
        poll: float = POLL_S,
        retention_days: float = RETENTION_DAYS,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.link = link
        self.topics = topics
        self.outbox = Outbox(store)
        self.batch = batch
        self.batch_bytes = batch_bytes
        self.window = window
        self.ack_timeout = ack_timeout
        self.poll = poll
        self.retention = timedelta(days=retention_days)
        self.clock = clock
        self.monotonic = monotonic
        self.acked = self.outbox.acked()
        self.sent = self.acked  # the last seq handed to the link (rewound on a resend)
        # The highest seq ever handed to the link by this publisher: no ack may go beyond it,
        # or events written but not yet sent would be marked delivered and never go out.
        self.published = self.acked
        self._out: list[int] = []  # last seq of each batch out and not yet acknowledged
        self._progress_at = monotonic()
        self.resend_after = ack_timeout  # doubles with each resend that brings no ack, to RESEND_CAP_S
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.counters = dict.fromkeys(("batches_sent", "events_sent", "acks", ACK_REJECTED, "resends"), 0)
        self.counters.update({ACK_AHEAD: 0, ACK_BEHIND: 0})
        self.counters.update(compacted=0, publish_errors=0)
        link.subscribe(topics.ack, self._on_ack)
        link.on_connect(self._on_connect)

    def notify(self) -> None:
        """New events were committed: send them soon (call from the loop, e.g. Runtime.on_result)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Send, wait for acks, resend and compact until `stop` is set (or the task is cancelled)."""
        stop = stop or asyncio.Event()
        next_compact = self.monotonic()
        stopper = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                self.resend_if_stalled()
                await self.fill_window()
                if self.monotonic() >= next_compact:
                    next_compact = self.monotonic() + COMPACT_EVERY_S
                    while self.compact() == COMPACT_CHUNK:
                        await asyncio.sleep(0)
                waker = asyncio.create_task(self._wake.wait())
                timeout = min(self.poll, self.ack_timeout) if self._out else self.poll
                await asyncio.wait({waker, stopper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                waker.cancel()
        finally:
            stopper.cancel()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def resend_if_stalled(self) -> bool:
        """Send everything after the mark again when no ack came for `resend_after` seconds; the
        next wait is twice as long (an ack, or a reconnect, brings it back to the ack timeout)."""
        if not self._out or self.monotonic() - self._progress_at <= self.resend_after:
            return False
        log.warning("no ack for %.1f s after seq %d: sending again", self.resend_after, self.acked)
        self._rewind()
        self.resend_after = min(self.resend_after * 2, max(self.ack_timeout, RESEND_CAP_S))
        return True

    async def fill_window(self) -> int:
        """Hand batches to the link while the window has room; return how many.

        The loop is free between two batches and between two chunks of one batch's read, so a
        scan waits for one chunk at most (READ_CHUNK events: about a millisecond here).
        """
        sent = 0
        while self.link.connected and len(self._out) < self.window:
            start = self.sent
            events = await self._read_batch(start)
            if self.sent != start:  # an ack or a reconnect moved the start meanwhile: read again
                continue
            if not events:
                break
            self._hand_over(events)
            sent += 1
            await asyncio.sleep(0)
        return sent

    async def _read_batch(self, after: int) -> list[Event[msgspec.Raw]]:
        events: list[Event[msgspec.Raw]] = []
        room = self.batch_bytes
        while len(events) < self.batch and room > 0:
            if events:
                await asyncio.sleep(0)
                if self.sent != after:  # moved meanwhile: fill_window reads again from there
                    return []
            want = min(READ_CHUNK, self.batch - len(events))
            start = events[-1].seq if events else after
            chunk = self.outbox.wire_batch(after=start, limit=want, max_bytes=room)
            events += chunk
            room -= wire_bytes(chunk)
            if len(chunk) < want:  # the journal's end, or the byte budget reached
                break
        return events

    def _hand_over(self, events: list[Event[msgspec.Raw]]) -> None:
        first, last = events[0].seq, events[-1].seq
        payload = msgspec.json.encode(WireBatch(self.topics.device, first, last, events))
        if not self._out:
            self._progress_at = self.monotonic()
        self._out.append(last)
        self.sent = last
        self.published = max(self.published, last)
        task = asyncio.create_task(self._publish(payload, first, last))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self.counters["batches_sent"] += 1
        self.counters["events_sent"] += len(events)

    async def _publish(self, payload: bytes, first: int, last: int) -> None:
        try:
            await self.link.publish(self.topics.events, payload, 1)
            crash_points.reached("publish")  # the broker holds the batch; no ack came yet
        except PublishError as exc:  # the ack timeout or the reconnect sends it again
            self.counters["publish_errors"] += 1
            log.warning("events %d..%d: %s", first, last, exc)

    def _rewind(self) -> None:
        if self.sent > self.acked:
            self.counters["resends"] += 1
        self.sent = self.acked
        self._out.clear()
        self._progress_at = self.monotonic()
        self._wake.set()

    def _on_connect(self, _session_present: bool) -> None:
        self.resend_after = self.ack_timeout
        self._rewind()  # what was out may be lost with the broker: send everything after the mark

    def _on_ack(self, msg: Inbound) -> None:
        try:
            ack = decode(msg.payload, WireAck, max_bytes=MAX_ACK_BYTES, what="invalid ack")
            if ack.device != self.topics.device or ack.acked_seq < 0:
                raise ValueError(f"ack for device {ack.device!r}, seq {ack.acked_seq}")
        except ValueError as exc:  # an InputError: a bad payload
            self._reject(f"malformed: {exc}")
            return
        if ack.acked_seq > self.published:
            self._reject(f"ahead: seq {ack.acked_seq}, but only up to {self.published} was sent", ACK_AHEAD)
            return
        try:
            acked = self.outbox.ack(ack.acked_seq)
        except OutboxError as exc:  # beyond the journal: cannot be after the check above, kept as a guard
            self._reject(f"beyond the journal: {exc}")
            return
        crash_points.reached("ack")
        self.counters["acks"] += 1
        if ack.acked_seq < acked:
            self.counters[ACK_BEHIND] += 1
            bump(self.store, ACK_BEHIND)
        if acked > self.acked:
            self.acked = acked
            self._progress_at = self.monotonic()
            self.resend_after = self.ack_timeout
            self._out = [seq for seq in self._out if seq > acked]
            self.sent = max(self.sent, acked)
            self._wake.set()

    def _reject(self, why: str, counter: str | None = None) -> None:
        log.warning("ack rejected (%s)", why)
        for name in (ACK_REJECTED, counter):
            if name is not None:
                self.counters[name] += 1
                bump(self.store, name)

    def compact(self, now: datetime | None = None) -> int:
        """Delete up to COMPACT_CHUNK acknowledged events older than the retention window.

        Never an unacknowledged event, and never the acked row itself, so that the journal's
        last sequence number (and the mark) survive even when everything is acknowledged.
        """
        cutoff = ((now or self.clock()) - self.retention).isoformat()
        with self.store.transaction() as conn:
            deleted = conn.execute(
                "DELETE FROM journal WHERE seq IN (SELECT seq FROM journal WHERE seq < ? "
                "AND julianday(ts) < julianday(?) ORDER BY seq LIMIT ?)",
                (self.outbox.acked(), cutoff, COMPACT_CHUNK),
            ).rowcount
        if deleted:
            self.counters["compacted"] += deleted
            log.info("compacted %d acknowledged events older than %s", deleted, cutoff)
        return int(deleted)

    def status(self) -> dict[str, Any]:
        out = {"acked_seq": self.acked, "sent_seq": self.sent, "published_seq": self.published}
        out["batches_out"] = len(self._out)
        return {
            **out,
            "last_seq": self.outbox.last_seq(),
            "resend_after_s": self.resend_after,
            **self.counters,
        }
