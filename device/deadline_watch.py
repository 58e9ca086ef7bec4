"""The daily deadline sweep as the daemon runs it, and the return pick list shown at idle stations."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime

from device.engine import Engine
from device.intake.deadlines import due_today, needs_sweep, sweep_batches
from device.privacy.purge import purge, purge_due
from device.station_io import StationIO
from device.store.journal import Stamp
from device.sweep_progress import SweepProgress
from device.wall_clock import ClockTrust
from drivers.base import Color, Pattern
from workflows.messages import Msg

log = logging.getLogger("pvz.runtime")

SWEEP_YIELD_S = 0.001  # between two batches of a sweep, while scans wait in the queue


class DeadlineWatch:
    """Sweeps overdue parcels once a day, batch by batch, and shows what is due back.

    `lang_of` gives a station's language, `clock` paces the progress lines, `busy` says whether
    inputs wait (the loop's sweep lets them through between batches). Without a `clock_trust`
    the wall clock is always believed (tests and the demo run on their own clocks). With
    `purge_after_days` ([privacy]) the same daily check purges customer data (device/privacy/).
    """

    def __init__(
        self,
        engine: Engine,
        stations: Mapping[str, StationIO],
        *,
        lang_of: Callable[[str], str],
        clock: Callable[[], float],
        busy: Callable[[], bool],
        clock_trust: ClockTrust | None = None,
        purge_after_days: int | None = None,
    ) -> None:
        self.engine = engine
        self.purge_after_days = purge_after_days
        self.stations = stations
        self.lang_of = lang_of
        self.clock = clock
        self.busy = busy
        self.clock_trust = clock_trust

    def check(self, *, show: bool = False) -> list[str]:
        """Sweep overdue parcels unless today was swept; then show the pick list on idle stations.

        It shows after a sweep that moved parcels, or always with `show`. A failure is
        logged and the counter goes on working; the next check tries again. While the wall
        clock is not set (device.wall_clock) nothing is swept and no date is shown: the
        clerk sees the pick list as it stands, the log says why. Returns the barcodes moved
        (the daemon's loop uses `sweep`, which keeps no list).
        """
        moved: list[str] = []
        for batch in self._sweeping(show=show):
            moved += batch
        return moved

    async def sweep(self, *, show: bool = False) -> int:
        """`check` on the loop: batch by batch, and every input waiting is handled before the
        next batch, so a backlog of weeks never holds a scan for longer than one batch.
        Returns how many parcels moved."""
        count = 0
        for batch in self._sweeping(show=show):
            count += len(batch)
            await asyncio.sleep(0)
            while self.busy():
                await asyncio.sleep(SWEEP_YIELD_S)
        return count

    def _sweeping(self, *, show: bool) -> Iterator[list[str]]:
        """The check itself, yielding each committed batch of the sweep."""
        now = self.engine.clock()
        today = now.date()
        moved = 0
        try:
            if not self.clock_trusted(now):
                if show:
                    self.show_due({**due_today(self.engine.store, today), "expiring_today": 0})
                return
            if needs_sweep(self.engine.store, today):
                # The sweep is the device's own act: no station, no clerk.
                stamp = Stamp(self.engine.device_id, now.isoformat(timespec="seconds"))
                progress = SweepProgress(str(today), clock=self.clock)
                for batch in sweep_batches(self.engine.store, today=today, stamp=stamp):
                    moved += len(batch)
                    progress.add(len(batch))
                    yield batch
                log.info("deadline sweep for %s: %d parcel(s) due back to the sender", today, moved)
            if moved or show:
                self.show_due(due_today(self.engine.store, today))
        except Exception:
            log.exception("deadline sweep for %s failed", today)
            return
        if self.purge_after_days is not None and purge_due(self.engine.store, today):
            yield []  # inputs waiting since the last batch go before the purge's transaction
            self._purge(now, self.purge_after_days)

    def _purge(self, now: datetime, days: int) -> None:
        """Today's purge of customer data, as a count in the log; a failure is logged and the
        next check tries again."""
        try:
            stamp = Stamp(self.engine.device_id, now.isoformat(timespec="seconds"))
            done = purge(self.engine.store, now=now, days=days, stamp=stamp, daily=True)
            log.info(
                "privacy purge for %s: customer data of %d order(s) and %d receipt(s) erased",
                now.date(),
                done.orders,
                done.receipts,
            )
        except Exception:
            log.exception("privacy purge for %s failed", now.date())

    def clock_trusted(self, now: datetime | None = None) -> bool:
        """Whether the date may be believed now (always, without a ClockTrust)."""
        if self.clock_trust is None:
            return True
        return self.clock_trust.check(self.engine.clock() if now is None else now)

    def show_due(self, due: Mapping[str, int]) -> None:
        """Every idle counter: amber blink while the return pick list is not empty, counts on screen."""
        for name, io in self.stations.items():
            if self.engine.kind(name) == "kiosk" or self.engine.session(name) is not None:
                continue  # the pick list is a clerk's work: a kiosk's customer never sees it
            if io.status_light is not None and due["to_return"] > 0:
                io.status_light.show(Color.AMBER, Pattern.BLINK)
            if io.screen is not None:
                color = Color.AMBER if due["to_return"] > 0 else Color.GREEN
                io.screen.show(*due_lines(due, self.lang_of(name)), color=color)


def due_lines(due: Mapping[str, int], lang: str) -> tuple[str, list[str]]:
    """The pick list's size as the title; what to do about it and today's last days below."""
    lines = []
    if due["to_return"]:
        title = Msg("due_back", {"count": due["to_return"]})
        lines.append(Msg("due_back_start"))
    else:
        title = Msg("nothing_due")
    if due["expiring_today"]:
        lines.append(Msg("expiring_today", {"count": due["expiring_today"]}))
    return title.render(lang), [m.render(lang) for m in lines]
