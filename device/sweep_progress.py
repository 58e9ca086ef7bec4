"""A backlog sweep's progress in the daemon's log: plain periodic lines, never one per batch."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("pvz.runtime")

EVERY_S = 5.0


class SweepProgress:
    """Counts a sweep's batches and logs how far it got every EVERY_S (a daily sweep of a few
    parcels says nothing; a device back after weeks shows its backlog moving)."""

    def __init__(self, day: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.day = day
        self.clock = clock
        self.moved = 0
        self.batches = 0
        self.started = clock()
        self._said = self.started

    def add(self, moved: int) -> None:
        self.moved += moved
        self.batches += 1
        now = self.clock()
        if now - self._said >= EVERY_S:
            self._said = now
            rate = self.moved / max(now - self.started, 1e-9)
            log.info(
                "deadline sweep for %s: %d parcel(s) moved so far in %d batches (%.0f/s), scans served between batches",
                self.day,
                self.moved,
                self.batches,
                rate,
            )
