"""The scheduled full store check as the daemon runs it: only while the counter is idle, in a
thread, and a damaged file journalled once and shown at every station."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from device.engine import Engine
from device.station_faults import show_store_damaged
from device.station_io import StationIO
from device.store.health import IntegrityWatch
from device.store.journal import Stamp, append

log = logging.getLogger("pvz.runtime")

IDLE_BEFORE_INTEGRITY_S = 300.0  # no scan this long (and no open session): the full store check may run


class StoreCheck:
    """When the full check may run (`last_scan_at` is the runtime's last scan, on `clock`), and
    what the counter does with damage it finds."""

    def __init__(
        self,
        engine: Engine,
        stations: Mapping[str, StationIO],
        integrity: IntegrityWatch,
        *,
        lang: str,
        clock: Callable[[], float],
        last_scan_at: Callable[[], float],
    ) -> None:
        self.engine = engine
        self.stations = stations
        self.integrity = integrity
        self.lang = lang
        self.clock = clock
        self.last_scan_at = last_scan_at

    def due(self, now: float) -> bool:
        idle = now - self.last_scan_at() >= IDLE_BEFORE_INTEGRITY_S and not self.engine.sessions()
        return idle and self.integrity.due(now)

    def check(self) -> list[str] | None:
        """The scheduled full store check, when due and the counter is idle; None if it did not run.

        A damaged file is journalled once (the fleet sees it), logged with what to do, and
        shown on every station's screen with a red light until a technician restores it.
        """
        now = self.clock()
        if not self.due(now):
            return None
        was_ok = self.integrity.last_ok is not False
        return self.found(self.integrity.run(now), was_ok=was_ok)

    async def check_in_thread(self) -> None:
        """The same from the loop: in a thread, on its own connection. A big store takes tens of
        seconds, and a loop held that long would miss the watchdog (device/supervision/watchdog.py)."""
        now = self.clock()
        if self.due(now):
            was_ok = self.integrity.last_ok is not False
            found = await asyncio.to_thread(self.integrity.run, now)
            self.found(found, was_ok=was_ok)

    def found(self, found: list[str], *, was_ok: bool) -> list[str]:
        if not found:
            return found
        log.error("store %s is damaged: %s", self.engine.store.path, "; ".join(found))
        if was_ok:
            with contextlib.suppress(Exception), self.engine.store.transaction() as conn:
                stamp = Stamp(self.engine.device_id, self.engine.clock().isoformat(timespec="seconds"))
                append(conn, stamp, "store_damaged", data={"problems": found[:3]})
        show_store_damaged(self.stations, self.lang)
        return found
