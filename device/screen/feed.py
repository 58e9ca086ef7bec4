"""The screen's events: one numbered stream, kept for a while so that a page that lost its
connection gets exactly what it missed (server-sent events resumed from `Last-Event-ID`)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEEP = 2000  # events kept for pages that come back; older ones are replaced by a snapshot
# After a station's last page went away its events are still built this long, so that a tablet
# whose Wi-Fi dropped replays exactly what it missed; later it comes back to a snapshot.
REPLAY_GRACE_S = 600.0
QUEUE = 500  # events waiting for one slow page before it is cut off (it reconnects and catches up)


@dataclass(frozen=True, slots=True)
class Event:
    """One event: `station` None goes to every page (the rack), a name only to that station's."""

    seq: int
    kind: str
    station: str | None
    data: dict[str, Any]
    id: str

    def wire(self) -> bytes:
        """The event as the event-stream format writes it (data is one line of JSON)."""
        body = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        return f"id: {self.id}\nevent: {self.kind}\ndata: {body}\n\n".encode()

    def for_station(self, station: str) -> bool:
        return self.station is None or self.station == station


@dataclass(eq=False)
class Subscriber:
    """One open page: its station and the events not yet written to it."""

    station: str
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(QUEUE))
    dropped: bool = False


class Feed:
    """Numbered events on the loop. Ids are `BOOT-SEQ`: an id from before a restart is never
    mistaken for one of this run, so such a page gets a fresh snapshot instead of a wrong replay."""

    def __init__(
        self, *, keep: int = KEEP, boot: str | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._left: dict[str, float] = {}  # when the last page of each station went away
        self.boot = boot or secrets.token_hex(4)
        self._seq = 0
        self._kept: collections.deque[Event] = collections.deque(maxlen=keep)
        self._subscribers: set[Subscriber] = set()
        # Per station, the number of the last change nobody watched (not published): a page
        # that saw nothing since starts from a snapshot.
        self._gaps: dict[str, int] = {}
        self._evicted = 0  # the newest event no longer kept

    @property
    def seq(self) -> int:
        return self._seq

    @property
    def last_id(self) -> str:
        return f"{self.boot}-{self._seq}"

    def unpublished(self, kind: str, station: str, data: dict[str, Any]) -> Event:
        """An event for one page only (its snapshot), numbered as the last published one."""
        return Event(self._seq, kind, station, data, self.last_id)

    def publish(self, kind: str, station: str | None, data: dict[str, Any]) -> Event:
        self._seq += 1
        event = Event(self._seq, kind, station, data, f"{self.boot}-{self._seq}")
        if len(self._kept) == self._kept.maxlen:
            self._evicted = self._kept[0].seq
        self._kept.append(event)
        for sub in list(self._subscribers):
            if not event.for_station(sub.station):
                continue
            try:
                sub.queue.put_nowait(event)
            except asyncio.QueueFull:
                # A page that reads nothing must not hold the daemon's memory: it is cut off
                # and, reconnecting with its last id, replays from what is kept or starts afresh.
                self.unsubscribe(sub)
                sub.dropped = True
                sub.queue.get_nowait()
                sub.queue.put_nowait(None)
        return event

    def watching(self, station: str) -> bool:
        """Whether a page follows the station, or did a moment ago and may come back for what it
        missed; for a station nobody watches (a headless counter) no event is built at all."""
        if any(sub.station == station for sub in self._subscribers):
            return True
        left = self._left.get(station)
        return left is not None and self._clock() - left < REPLAY_GRACE_S

    def skip(self, station: str) -> None:
        """Something changed at the station and nobody watched: it takes a number of its own, so a
        page that comes back with an older id gets a snapshot, and a snapshot made later does not."""
        self._seq += 1
        self._gaps[station] = self._seq

    def since(self, last_id: str | None, station: str) -> list[Event] | None:
        """What a page that saw `last_id` missed; None when it must start from a snapshot."""
        if not last_id:
            return None
        boot, _, seq_text = last_id.partition("-")
        if boot != self.boot or not seq_text.isdigit():
            return None
        seq = int(seq_text)
        if seq > self._seq or seq < self._gaps.get(station, 0) or seq < self._evicted:
            return None  # it missed a change nobody published, or one no longer kept
        return [e for e in self._kept if e.seq > seq and e.for_station(station)]

    def subscribe(self, station: str) -> Subscriber:
        sub = Subscriber(station)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        if sub in self._subscribers:
            self._subscribers.discard(sub)
            self._left[sub.station] = self._clock()

    def close(self) -> None:
        """Every page's stream ends (the daemon stops); their pages reconnect to the next run."""
        for sub in list(self._subscribers):
            self.unsubscribe(sub)
            with contextlib.suppress(asyncio.QueueFull):
                sub.queue.put_nowait(None)

    def status(self) -> dict[str, Any]:
        return {"pages": len(self._subscribers), "last_id": self.last_id, "kept": len(self._kept)}
