"""The remote station daemon (`pvz run` with `[device] role = "station"`, docs/site.md): its own
scanners, printer, lights and screen, no store; every input decided by the site's main device.

One MQTT link to the site broker carries everything: the station's retained status and telemetry
on its ordinary topics (the site's bridge takes them to central, so the fleet sees it as before),
the main device's retained status (whether it is up), and the site topics (sync/site.py): inputs
out, answers in, print jobs and door requests in, their answers out.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import msgspec

from device import hardware
from device.config import resolve_path
from device.config_schema import Config
from device.site.station_screen import NotRunning, StationScreenServer
from device.site.station_screen_link import StationLink
from device.site.station_screen_setup import build_station_screen
from device.site_station import report
from device.site_station.doors import StationDoors
from device.site_station.inputs import StationInputs
from device.site_station.printing import StationPrinting
from device.wiring import build_stations
from drivers.base import CodeSource, RawScan, ThreadedSource
from sync.site import DoorAnswer, PrintDone, SiteInput, SiteReply, SiteTopics
from sync.status import JSON, StatusReporter, utc_now, will, wire_time
from sync.topics import Topics
from sync.transport import Inbound, MqttLink, TlsSettings
from workflows.outcome import Feedback

log = logging.getLogger("pvz.site.station")

LINK_CHECK_S = 0.2  # how soon a lost site broker shows at the stations
STATUS_GAP_S = 0.5  # the retained status follows a change at most this often
MAX_REPLY_BYTES = 64 * 1024  # an answer's message and details: a few hundred bytes
PRINTED_FILE = "site-printed.json"  # beside [store] path: the printed job ids (the station has no store)


def site_link(config: Config, config_file: Path, *, will: tuple[str, bytes, int, bool]) -> MqttLink:
    """The device's link to the site broker ([mqtt]): client id = device id, TLS where configured."""
    mqtt = config.mqtt
    assert mqtt.host is not None  # device/config_site.py: a station needs the site broker
    tls = None
    if mqtt.ca_file and mqtt.cert_file and mqtt.key_file:
        tls = TlsSettings(
            *(resolve_path(config_file, f) for f in (mqtt.ca_file, mqtt.cert_file, mqtt.key_file))
        )
    return MqttLink(
        client_id=config.device.id,
        host=mqtt.host,
        port=mqtt.port,
        keepalive=mqtt.keepalive_s,
        tls=tls,
        will=will,
    )


class StationDaemon:
    def __init__(self, config: Config, config_file: Path) -> None:
        assert config.site.main is not None  # device/config_site.py
        self.config = config
        device = config.device.id
        built, self.rack, self.hardware = build_stations(config, config_file)
        self.stations = {io.name: io for io in built}
        self.topics = Topics(config.device.site, device)
        self.site = SiteTopics(config.device.site)
        self.main = config.site.main
        self.main_topic = Topics(config.device.site, self.main).status
        self.link = site_link(config, config_file, will=will(self.topics, config))
        self.main_online: bool | None = None  # the main device's retained status; None: not heard
        self.started = time.monotonic()
        self.inputs = StationInputs(
            self.stations,
            lang_of=self.lang_of,
            send=self._send_input,
            main_up=self.main_up,
            reply_wait_s=config.site.reply_wait_s,
            replay_window_s=config.site.replay_window_s,
        )
        self.last_shown: dict[str, dict[str, str]] = {}
        self.inputs.shows.shown.append(self._shown)
        state = resolve_path(config_file, config.store.path).parent
        printers = {name: io.printer for name, io in self.stations.items()}
        self.printing = StationPrinting(printers, state_file=state / PRINTED_FILE, answer=self._printed)
        driver = hardware.build_doors(config, self.hardware)
        self.doors = None if driver is None else StationDoors(driver, answer=self._door_answer)
        self.reporter = StatusReporter(
            self.link,
            self.topics,
            status=self.status_message,
            telemetry=self.telemetry,
            period_s=config.mqtt.telemetry_s,
        )
        self.link.subscribe(self.main_topic, self._main_status)
        self.link.subscribe(self.site.of(device, "reply"), self._reply)
        self.link.subscribe(self.site.of(device, "print"), self.printing.handle)
        if self.doors is not None:
            self.link.subscribe(self.site.of(device, "doors"), self.doors.handle)
        self._changed = asyncio.Event()
        self._taking = False  # inputs are read (run() is on): a touch on the screen may come in
        # The station's own screen (device/site/station_screen*.py): the main device's page passed
        # through, with this station's link to it on top.
        self.screen_link = StationLink()
        self.inputs.waiting.append(self.screen_link.waiting)
        self.inputs.settled.append(self.screen_link.settled)
        self.screen = build_station_screen(config, self.screen_link, self.submit)

    def submit(self, code: str, keyed: bool) -> None:
        """A touch on the station's screen (a button, its keypad): carried exactly like a scan."""
        if not self._taking:
            raise NotRunning("the station takes no input now")
        station = next(iter(self.stations))  # the screen serves the device's (first) station
        self.inputs.read(station, RawScan("screen", code.encode("utf-8"), keyed))

    def lang_of(self, station: str) -> str:
        own = self.stations[station].lang
        return own or self.config.device.language

    def main_up(self) -> bool:
        """Whether an input can be decided now: the site broker reached and the main device online."""
        return self.link.connected and self.main_online is True

    # --- the link ------------------------------------------------------------------------------

    async def _send_input(self, message: SiteInput) -> None:
        topic = self.site.of(self.config.device.id, "input")
        await self.link.publish(topic, msgspec.json.encode(message), 1, False, JSON)

    async def _printed(self, done: PrintDone) -> None:
        await self._publish("printed", done)

    async def _door_answer(self, answer: DoorAnswer) -> None:
        await self._publish("door", answer)

    async def _publish(self, kind: str, message: Any) -> None:
        topic = self.site.of(self.config.device.id, kind)
        await self.link.publish(topic, msgspec.json.encode(message), 1, False, JSON)

    def _main_status(self, message: Inbound) -> None:
        online = False
        with contextlib.suppress(ValueError):
            data = json.loads(message.payload) if message.payload else {}
            online = isinstance(data, dict) and data.get("online") is True
        if online != self.main_online:
            log.info("main device %s is %s", self.main, "online" if online else "offline")
        self.main_online = online
        self.screen_link.main(online)
        self._link_changed()

    def _reply(self, message: Inbound) -> None:
        from device.decode import decode
        from device.exc import InputError

        try:
            reply = decode(message.payload, SiteReply, max_bytes=MAX_REPLY_BYTES)
        except InputError as exc:
            self.inputs.figures.count("bad_replies")
            log.warning("answer dropped: %s at %s", exc.reason, exc.path)
            return
        if reply.station not in self.stations:
            self.inputs.figures.count("stray_replies")
            return
        self.inputs.answer(reply)

    def _link_changed(self) -> None:
        self.inputs.main_changed()
        self._changed.set()

    async def _watch_link(self) -> None:
        """A lost site broker means no main device: shown at once, and its retained status is
        waited for again after the reconnect (it comes with the subscription)."""
        connected = self.link.connected
        while True:
            await asyncio.sleep(LINK_CHECK_S)
            if self.link.connected != connected:
                connected = self.link.connected
                if not connected:
                    self.main_online = None  # heard again with the subscription after the reconnect
                    self.screen_link.main(False)
                self.screen_link.broker(connected)
                log.info("site broker %s", "reached" if connected else "lost")
            self._link_changed()

    # --- status ----------------------------------------------------------------------------------

    def _shown(self, station: str, feedback: Feedback) -> None:
        self.last_shown[station] = {
            "level": feedback.level.value,
            "key": feedback.msg.key,
            "ts": wire_time(utc_now()),
        }
        self._changed.set()

    def status(self) -> dict[str, Any]:
        """The shape device_health reads (sync/status.py): each station's sources and printer."""
        return report.parts(self)

    def status_message(self) -> dict[str, Any]:
        return report.status_message(self)

    def telemetry(self) -> dict[str, Any]:
        return report.telemetry(self)

    async def _push_status(self) -> None:
        """The retained status soon after what it shows changed (an answer, the main device)."""
        while True:
            await self._changed.wait()
            self._changed.clear()
            if self.link.connected:
                try:
                    await self.reporter.publish_status()
                except (ConnectionError, OSError, ValueError) as exc:
                    log.warning("station status not published: %s", exc)
            await asyncio.sleep(STATUS_GAP_S)

    # --- the loop --------------------------------------------------------------------------------

    def input_wait_s(self) -> float:
        """For the watchdog (device/supervision/watchdog.py)."""
        return self.inputs.input_wait_s()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: read the scanners, carry inputs, print, serve doors, report; then goodbye."""
        self.link.start(asyncio.get_running_loop())
        self.inputs.main_changed()  # not heard yet: no main device until its status says so
        serving = self.screen is not None and await self._start_screen(self.screen)
        self._taking = True
        inner = asyncio.Event()
        tasks = [
            asyncio.create_task(self._read(name, source), name=f"read:{name}:{source.name}")
            for name, io in self.stations.items()
            for source in io.sources
        ]
        tasks += [
            asyncio.create_task(self.inputs.run(), name="site-inputs"),
            asyncio.create_task(self._watch_link(), name="site-link"),
            asyncio.create_task(self._push_status(), name="site-status"),
            asyncio.create_task(self.reporter.run(inner), name="sync-status"),
        ]
        try:
            await stop.wait()
        finally:
            inner.set()
            if self.link.connected:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.reporter.goodbye(self.config), 5)
            for task in tasks:
                task.cancel()
            self._taking = False
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if serving and self.screen is not None:
                await self.screen.stop()
            self.link.stop()
            self.close()

    async def _start_screen(self, screen: StationScreenServer) -> bool:
        """Listen for the station's page; a port that is taken leaves it working on lights and sound."""
        try:
            await screen.start()
        except OSError as exc:
            log.error(
                "screen: cannot listen on %s:%d (%s); free the port or change [screen] listen",
                screen.host,
                screen.port,
                exc,
            )
            return False
        return True

    async def _read(self, station: str, source: CodeSource) -> None:
        try:
            async for scan in source.codes():
                self.inputs.read(station, scan)
        except Exception:
            log.exception("station %s: source %s failed", station, source.name)
        log.info("station %s: source %s ended", station, source.name)

    def close(self) -> None:
        for io in self.stations.values():
            for source in io.sources:
                if isinstance(source, ThreadedSource):
                    source.stop()
        if self.doors is not None:
            self.doors.doors.close()
