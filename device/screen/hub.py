"""From the runtime to the pages: what each station's screen was told, and what changed since,
as numbered events. Changes made within one turn of the loop go out as one event per kind."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from device.screen import kiosk_view, panels, view
from device.screen.feed import Feed
from device.screen.kiosk_customer import KioskCustomer
from drivers.base import Color
from workflows.identify import masked
from workflows.inputs import BadCode, Cmd, parse_input
from workflows.kiosk_model import KioskData
from workflows.messages import Msg, command_name

if TYPE_CHECKING:
    from device.engine import Result
    from device.runtime import Runtime

TONE = {Color.GREEN: "ok", Color.AMBER: "warn", Color.RED: "error", Color.OFF: "info"}


def shown_code(label: str, lang: str) -> str:
    """The scanned code as the page shows it: a command by its name on the card, a customer's
    pickup code or QR hidden, any other code as scanned."""
    try:
        found = parse_input(label)
    except BadCode:
        return masked(label)
    if isinstance(found, Cmd):
        return command_name(found.command).render(lang)
    return masked(label)


class StationScreen:
    """A station's screen (drivers.base.Screen) whose frames go to that station's pages."""

    def __init__(self, hub: ScreenHub, station: str) -> None:
        self.hub = hub
        self.station = station

    def show(self, title: str, lines: list[str], *, color: Color = Color.GREEN) -> None:
        self.hub.shown(self.station, title, lines, TONE[color])

    def status(self) -> dict[str, Any]:
        return {"kind": "web", **self.hub.feed.status()}


class ScreenHub:
    """Follows the runtime (a device.station_feedback.Watcher) and publishes what the pages show."""

    def __init__(
        self,
        feed: Feed,
        *,
        kiosks: frozenset[str] = frozenset(),
        lock_left: kiosk_view.LockLeft = kiosk_view.lock_left,
    ) -> None:
        self.feed = feed
        self.kiosks = kiosks  # the stations whose page is the customer's kiosk page
        self.lock_left = lock_left
        # Where a kiosk's order comes from: its open session (a test may show one of its own).
        self.kiosk_source: Callable[[Runtime, str], KioskData | None] = kiosk_view.kiosk_data
        self.customers = KioskCustomer(lambda: self.runtime, kiosks, fresh=self.kiosk_afresh)
        self.rt: Runtime | None = None
        self.messages: dict[str, view.Message] = {}
        self._seq = 0
        self._dirty: set[str] = set()
        self._rack_dirty = False
        self._flush_scheduled = False
        self._hardware: dict[str, dict[str, Any]] = {}
        self._before: dict[str, view.Message | None] = {}  # each station's message before the last shown
        self.lost: set[str] = set()  # remote stations whose device is offline (docs/site.md)

    def attach(self, rt: Runtime) -> None:
        self.rt = rt
        rt.watchers.append(self)
        for station in rt.stations:
            self.messages.setdefault(station, self.idle_message(station))

    def idle_message(self, station: str) -> view.Message:
        return self._message(station, Msg("kp_welcome" if station in self.kiosks else "scr_idle"), [], "info")

    def screen(self, station: str) -> StationScreen:
        return StationScreen(self, station)

    @property
    def runtime(self) -> Runtime:
        if self.rt is None:
            raise RuntimeError("the screen hub is not attached to a runtime")
        return self.rt

    def _message(self, station: str, title: Msg | str, lines: list[str], tone: str) -> view.Message:
        rt = self.runtime
        self._seq += 1
        text = title if isinstance(title, str) else title.render(rt.lang_of(station))
        at = rt.engine.clock().strftime("%H:%M:%S")
        return view.Message(self._seq, text, tuple(lines), tone, None, at)

    # What the runtime tells: the station's screen, then (for a scan) the result itself.

    def shown(self, station: str, title: str, lines: list[str], tone: str) -> None:
        self._before[station] = self.messages.get(station)
        self.messages[station] = self._message(station, title, lines, tone)
        self._mark(station)

    def scanned(self, result: Result) -> None:
        said = self.messages.get(result.station)
        before = self._before.pop(result.station, None)
        if result.station in self.kiosks and _repeated(result, said, before):
            # A kiosk's tick that changed nothing says again what the page says: it keeps its
            # number, so the live region does not read it to the customer every few seconds.
            assert before is not None
            self.messages[result.station] = before
            self._dirty.discard(result.station)  # nor is an event built for it
            return
        if said is not None:
            # The screen already shows the result's words; the level and the code come from the result.
            scan = shown_code(result.label, self.runtime.lang_of(result.station))
            self.messages[result.station] = view.Message(
                said.seq, said.title, said.lines, result.feedback.level.value, scan, said.at
            )
        self._mark(result.station)
        if result.station in self.kiosks:
            self.customers.scanned(result.station, idle=result.session is None)
        for job in result.jobs:
            self.print_job(job, result.station, "queued")

    def lights_changed(self) -> None:
        self._rack_dirty = True
        self._schedule()

    def print_job(self, job: int, station: str, state: str) -> None:
        rt = self.runtime
        row = panels.job(rt, job)
        if row is None or row["station"] not in rt.stations:
            return
        if not self.feed.watching(row["station"]):
            self.feed.skip(row["station"])
            return
        lang = rt.lang_of(row["station"])
        failing = panels.printer_failing(rt, station)
        self.feed.publish("print", row["station"], panels.print_entry(row, lang, failing=failing))

    def hardware_checked(self) -> None:
        rt = self.runtime
        if rt.site is not None:
            # A remote station's device going offline shows on its page here within a health check.
            for station in rt.remote_stations:
                self.station_online(station, rt.site.online(station) is not False)
        for station in rt.stations:
            if not self.feed.watching(station):
                self._hardware.pop(station, None)
                self.feed.skip(station)
                continue
            now = panels.hardware(rt, station, rt.lang_of(station))
            if now != self._hardware.get(station):
                self._hardware[station] = now
                self.feed.publish("hardware", station, now)

    def station_online(self, station: str, online: bool) -> None:
        """A remote station's device came online or went offline (its retained status on the site
        broker): its page here says whether that counter has lost its link to this main device."""
        if online == (station not in self.lost):
            return
        if online:
            self.lost.discard(station)
        else:
            self.lost.add(station)
        if self.feed.watching(station):
            self.feed.publish("link", station, self.link(station))
        else:
            self.feed.skip(station)

    def link(self, station: str) -> dict[str, Any]:
        """The page's link banner for `station`: empty unless it is a remote station that is offline."""
        if station not in self.lost:
            return {"state": "ok", "tone": "ok", "title": "", "next": ""}
        lang = self.runtime.lang_of(station)
        return {
            "state": "lost",
            "tone": "error",
            "title": Msg("site_station_lost", {"station": station}).render(lang),
            "next": Msg("site_station_lost_next").render(lang),
        }

    def _mark(self, station: str) -> None:
        self._dirty.add(station)
        self._schedule()

    def _schedule(self) -> None:
        """Publish at the end of this turn of the loop (or now, without a running loop)."""
        if self._flush_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        rt = self.runtime
        dirty, self._dirty = self._dirty, set()
        rack, self._rack_dirty = self._rack_dirty, False
        for station in rt.stations:
            if station not in dirty and not rack:
                continue
            if not self.feed.watching(station):
                # No page: nothing is built on the scan's path; one that comes back gets a snapshot.
                self.feed.skip(station)
                continue
            if station in dirty:
                self.feed.publish("station", station, self.station_part(station))
            if rack and station not in self.kiosks:
                self.feed.publish("rack", station, {"lit": panels.rack_lit(rt, rt.lang_of(station))})

    def station_part(self, station: str) -> dict[str, Any]:
        """What changes with each input: the clerk's part of a counter, the customer's of a kiosk."""
        rt = self.runtime
        if station in self.kiosks:
            data = self.kiosk_source(rt, station)
            return kiosk_view.kiosk_part(
                station,
                data,
                self.messages[station],
                rt.lang_of(station),
                locked_s=None if data is not None else self.lock_left(rt, station),
            )
        return view.station_part(rt, station, self.messages[station])

    def kiosk_afresh(self, station: str) -> None:
        """A kiosk's page starts afresh (a language chosen, a customer gone): an idle kiosk greets,
        and its pages get a whole new snapshot, every word in the kiosk's language now."""
        if self.kiosk_source(self.runtime, station) is None:
            self.messages[station] = self.idle_message(station)
        if self.feed.watching(station):
            self.feed.publish("snapshot", station, self.snapshot(station))
        else:
            self.feed.skip(station)

    def snapshot(self, station: str) -> dict[str, Any]:
        """Everything a page shows, from scratch: the first event of a page, and GET /state."""
        rt = self.runtime
        lang = rt.lang_of(station)
        if station in self.kiosks:
            return {**kiosk_view.kiosk_snapshot(self.station_part(station), lang), "link": self.link(station)}
        return {
            **view.station_part(rt, station, self.messages[station]),
            "stations": list(rt.stations),
            "lang": lang,
            "labels": view.labels(lang),
            "prints": panels.prints(rt, station, lang),
            "rack": {"cells": panels.rack_cells(rt.engine.store), "lit": panels.rack_lit(rt, lang)},
            "hardware": panels.hardware(rt, station, lang),
            "link": self.link(station),
        }


def _repeated(result: Result, said: view.Message | None, before: view.Message | None) -> bool:
    """A device event (a tick, a door's report) that changed nothing and left the same words as before."""
    if not result.event or result.changed or said is None or before is None:
        return False
    return (said.title, said.lines, result.feedback.level.value) == (before.title, before.lines, before.tone)
