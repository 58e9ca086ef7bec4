"""A remote station daemon's screen (device/site/station_daemon.py): the server built from the
config, and its link banner fed from what the daemon knows and shows."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from device.config import screen_listen
from device.config_schema import Config
from device.site.station_screen import StationScreenServer, Submit
from device.site.station_screen_link import StationLink
from drivers.base import RawScan
from workflows.outcome import Feedback

log = logging.getLogger("pvz.site.screen")

LINK_CHECK_S = 0.2  # how soon a change of the site broker or of the main device shows on the page
WAITING = "stn_waiting"  # the station daemon's own message while an input waits for its answer
NOTICES = frozenset({"stn_given_up", "stn_bad_answer"})  # what it tells alone, the main device never


class _Link(Protocol):
    @property
    def connected(self) -> bool: ...


class _Inputs(Protocol):
    def read(self, station: str, scan: RawScan) -> None: ...


class StationDaemonView(Protocol):
    """What of the station daemon its screen reads: its site link, the main device's status, its inputs."""

    @property
    def link(self) -> _Link: ...

    @property
    def main_online(self) -> bool | None: ...

    @property
    def inputs(self) -> _Inputs: ...


def build_station_screen(config: Config, link: StationLink, submit: Submit) -> StationScreenServer | None:
    """The station's screen server, when `[screen] listen` is not "off" and `[site] main_screen` is
    set; its first station is the one shown (a remote station device serves one station)."""
    listen = screen_listen(config)
    if listen is None or config.site.main_screen is None or not config.stations:
        return None
    station = config.stations[0]
    lang = station.language or config.device.language
    link.kiosk = station.kind == "kiosk"
    link.lang = lambda: lang
    host, port = listen
    return StationScreenServer(
        link,
        station=station.name,
        kiosk=station.kind == "kiosk",
        lang=lambda: lang,
        upstream=config.site.main_screen,
        token=config.site.main_screen_token or "",
        submit=submit,
        host=host,
        port=port,
    )


class StationScreen:
    """The screen of a station daemon: serves its page, and keeps the page's link banner true to
    the daemon (the broker, the main device's status, an input waiting, an input given up)."""

    def __init__(self, daemon: StationDaemonView, config: Config) -> None:
        self.daemon = daemon
        self.link = StationLink()
        self.station = config.stations[0].name if config.stations else ""
        self.server = build_station_screen(config, self.link, self.touch)

    def touch(self, code: str, keyed: bool) -> None:
        """A button or the keypad: into the daemon's input path, exactly like a scan."""
        self.daemon.inputs.read(self.station, RawScan("screen", code.encode(), keyed))

    def shown(self, station: str, feedback: Feedback) -> None:
        """Told by the daemon's inputs after anything was shown at `station`."""
        if feedback.msg.key == WAITING:
            self.link.waiting(station)
            return
        self.link.settled(station)
        self.link.notice((feedback.msg, feedback.details) if feedback.msg.key in NOTICES else None)

    async def run(self) -> None:
        """Serve until cancelled, checking the link as often as the daemon does."""
        if self.server is None:
            return
        try:
            await self.server.start()
        except OSError as exc:
            log.error("station screen not served on %s:%d: %s", self.server.host, self.server.port, exc)
            return
        try:
            while True:
                self.link.broker(self.daemon.link.connected)
                self.link.main(self.daemon.link.connected and self.daemon.main_online is True)
                await asyncio.sleep(LINK_CHECK_S)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(self.server.stop())

    def status(self) -> dict[str, Any] | None:
        return None if self.server is None else self.server.status()
