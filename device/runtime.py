"""The daemon's loop: inputs from every station's sources, one scan at a time, feedback after commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from device import crash_points, hardware_status, runtime_watches
from device.deadline_watch import DeadlineWatch
from device.doors.controller import DoorController
from device.doors.start import reconcile
from device.engine import Engine, Result
from device.fault_tickets import FaultTickets
from device.input_queue import InputQueue
from device.integrity_watch import StoreCheck
from device.kiosk_ticks import open_kiosks, tick_kiosks
from device.rack_lights import RackLights
from device.runtime_status import SiteReport, runtime_status
from device.send_scale import ScaleFeed, waiting_for_weight
from device.station_faults import StationFaults
from device.station_feedback import Watcher, show_feedback
from device.station_io import StationIO
from device.store.checkpoint import Checkpointer
from device.store.health import IntegrityWatch
from device.store.print_queue import PrintQueue
from device.store.remote_inputs import RemoteInput
from device.wall_clock import ClockTrust
from drivers.base import CellLights, CodeSource, ThreadedSource
from drivers.scale.base import Scale
from workflows.inputs import DeviceEvent, Tick
from workflows.messages import Msg

log = logging.getLogger("pvz.runtime")


FINAL_PRINT_S = 10.0  # at shutdown, how long queued jobs may take before they wait for the next start
HEALTH_CHECK_S = 5.0  # how soon an unplugged scanner or a failing printer shows at the counter


class Runtime:
    def __init__(
        self,
        engine: Engine,
        *,
        stations: list[StationIO],
        rack: CellLights,
        lang: str = "ru",
        on_result: Callable[[Result], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        integrity_every_s: float = 0.0,
        clock_trust: ClockTrust | None = None,
        purge_after_days: int | None = None,
    ) -> None:
        self.engine = engine
        self.stations = {s.name: s for s in stations}
        # The stations on Pis of their own at the site (device/site/): their inputs come over the
        # site broker, their printers are reached through it; set by wiring from [site] stations.
        self.remote_stations: frozenset[str] = frozenset()
        self.site: SiteReport | None = None  # their service (device/site/main_service.py), once it runs
        self.rack = rack
        self.lang = lang
        self.on_result = on_result
        printers = {s.name: s.printer for s in stations if s.printer is not None}
        self.prints = PrintQueue(
            engine.store, printers, clock=clock, device_id=engine.device_id, now=engine.clock, lang=lang
        )
        self.clock = clock
        self.integrity = IntegrityWatch(engine.store.path, every_s=integrity_every_s)
        self._last_scan_at = clock()
        self.lights = RackLights(rack, engine.store)
        self.scans = 0
        self.hardware: Any = None  # device.hardware.Hardware when built from config
        self.doors: DoorController | None = None  # a locker's doors (device/doors/), see attach_doors
        self.scale_feed: ScaleFeed | None = None  # the counter scale for sends, see attach_scale
        self.faults = StationFaults(FaultTickets(engine))
        self.watchers: list[Watcher] = []
        self.prints.on_job = self._print_job
        self.inputs = InputQueue(clock)
        self.deadlines = DeadlineWatch(
            engine,
            self.stations,
            lang_of=self.lang_of,
            clock=clock,
            busy=self.inputs.busy,
            clock_trust=clock_trust,
            purge_after_days=purge_after_days,
        )
        self.store_check = StoreCheck(
            engine,
            self.stations,
            self.integrity,
            lang=lang,
            clock=clock,
            last_scan_at=lambda: self._last_scan_at,
        )
        self._print_wakeup: asyncio.Event | None = None
        self._closing = False
        self._swept_at_start = True
        # WAL checkpoints run off the scan path (device/store/checkpoint.py), when idle.
        self.checkpointer = Checkpointer(engine.store.path) if engine.store.checkpoints_off else None

    def start(self, *, background: bool = False) -> None:
        """Rebuild what only lived in hardware from the store: lights of open sessions, printing.

        With `background` (the daemon) the queued prints and the start-up deadline check are
        left to run(): the printing task prints in worker threads, and a backlog of overdue
        parcels is swept in batches with scans served between them, both after READY.
        """
        if self.doors is not None:
            reconcile(self.doors, self.open_kiosks())  # before any input: nothing in flight fires again
        self.redraw_lights()
        for name, session in self.engine.sessions().items():
            log.info("station %s: resuming %s in state %s", name, session.workflow.name, session.state.value)
            self.show_resumed(name)
        self.prints.recover()
        self._swept_at_start = not background
        if not background:
            self.prints.drain()
            self.check_deadlines(show=True)

    def lang_of(self, station: str) -> str:
        """The language a station's screen speaks: its own, or the device's."""
        io = self.stations.get(station)
        return self.lang if io is None or io.lang is None else io.lang

    def resumed(self, station: str) -> tuple[Msg, Msg] | None:
        """What a station's screen says after a restart: that work goes on, and what was in progress."""
        doing = self.engine.describe(station)
        if doing is None:
            return None
        return Msg("session_resumed", {"station": station}), doing

    def show_resumed(self, station: str) -> None:
        io = self.stations.get(station)
        said = self.resumed(station)
        if io is None or io.screen is None or said is None:
            return
        title, doing = said
        lang = self.lang_of(station)
        io.screen.show(title.render(lang), [doing.render(lang)])

    def accepting(self) -> bool:
        """Whether the loop reads inputs now (not starting, not stopping for the last prints)."""
        return self.inputs.is_open

    def check_deadlines(self, *, show: bool = False) -> list[str]:
        """The deadline check now (device.deadline_watch.DeadlineWatch.check): the barcodes moved."""
        return self.deadlines.check(show=show)

    def clock_trusted(self) -> bool:
        return self.deadlines.clock_trusted()

    def process(
        self, station: str, raw: bytes | str, *, keyed: bool = False, remote: RemoteInput | None = None
    ) -> Result:
        """One input: decide and commit, then lights, status, buzzer, screen, printer. A remote
        station's input (`remote`, device/site/) is decided once by its id (Engine.handle)."""
        result = self.engine.handle(station, raw, keyed=keyed, remote=remote)
        crash_points.reached("after_commit")
        self.scans += 1
        self._last_scan_at = self.clock()
        self.show(result)
        return result

    def process_event(self, station: str, event: DeviceEvent) -> Result | None:
        """A device event (a door's report, a tick) at a station: decided and committed like a scan
        (Engine.handle_event), then shown exactly as process() shows a scan's outcome."""
        if station not in self.stations:
            log.warning("station %s: not a station of this device; %s dropped", station, event)
            return None
        result = self.engine.handle_event(station, event)
        if isinstance(event, Tick) and not result.changed:
            return result  # the clock moved and nothing else: the light, buzzer and screen stay as they are
        self.show(result)
        return result

    def show(self, result: Result) -> None:
        """After a commit: lights, status, buzzer, screen, watchers, printer; the doors woken."""
        io = self.stations.get(result.station)
        if io is not None:
            show_feedback(io, result.feedback, self.lang_of(result.station))
        lights_changed = result.changed and self.lights.refresh_lit(self.engine.lit())
        for watcher in self.watchers:
            watcher.scanned(result)
            if lights_changed:
                watcher.lights_changed()
        if self._print_wakeup is not None:
            if result.jobs:
                self._print_wakeup.set()  # the printing task prints off the scan path
        elif result.jobs or self.prints.next_retry_in() == 0:
            self.prints.drain()
            self.check_health()
        if self.doors is not None and result.changed:
            self.doors.wake()  # the commit may have written door commands
        if self.on_result is not None:
            self.on_result(result)

    def attach_doors(self, doors: DoorController) -> None:
        """The runtime owns the door controller: its reports are handled like scans."""
        self.doors = doors
        doors.report = self.process_event
        doors.open_kiosks = self.open_kiosks

    def attach_scale(self, scale: Scale) -> None:
        """The counter scale's settled readings go to a send waiting for its weight, like scans."""
        self.scale_feed = ScaleFeed(
            scale, waiting=lambda: waiting_for_weight(self.engine.sessions()), handle=self.process_event
        )

    def open_kiosks(self) -> list[str]:
        return open_kiosks(self.kiosks(), self.engine.sessions())

    def kiosks(self) -> list[str]:
        """The stations where customers serve themselves ([[stations]] kind, or the device's role)."""
        return [name for name in self.stations if self.engine.kind(name) == "kiosk"]

    def redraw_lights(self) -> None:
        """Show the open sessions' cells again from scratch (at start, after a remote lights test)."""
        self.lights.redraw(self.engine.sessions().values())

    def refresh_lights(self) -> None:
        """Make the rack show the union of every open session's lit cells."""
        if self.lights.refresh(self.engine.sessions().values()):
            for watcher in self.watchers:
                watcher.lights_changed()

    def _print_job(self, job: int, station: str, state: str) -> None:
        for watcher in self.watchers:
            watcher.print_job(job, station, state)

    def submit(self, station: str, raw: bytes | str, *, keyed: bool = False, source: str = "screen") -> None:
        """An input from outside the station's own sources (a touch screen's button or keypad):
        queued behind the scans already waiting, then handled exactly like a scan."""
        if station not in self.stations:
            raise KeyError(station)
        self.inputs.submit(station, raw, keyed=keyed, source=source)

    def input_wait_s(self) -> float:
        """How long the oldest input waits: the watchdog's sign that scans do not move (device/supervision)."""
        return self.inputs.wait_s()

    async def run(self, *, stop: asyncio.Event | None = None) -> None:
        """Read every source of every station until all sources end or `stop` is set."""
        self.inputs.open()
        readers = [
            asyncio.create_task(self._read(io.name, source), name=f"read:{io.name}:{source.name}")
            for io in self.stations.values()
            for source in io.sources
        ]
        stopper = asyncio.create_task((stop or asyncio.Event()).wait())
        self._print_wakeup = asyncio.Event()
        self._print_wakeup.set()
        printing = asyncio.create_task(self._printing(self._print_wakeup), name="printing")
        watches = self._watches()
        active = len(readers)
        # A main device whose stations are all remote (device/site/) reads no source of its own:
        # it works until stopped.
        forever = bool(self.remote_stations)
        try:
            while active or forever:
                getter = asyncio.create_task(self.inputs.get())
                done, _ = await asyncio.wait({getter, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if stopper in done:
                    getter.cancel()
                    break
                item = getter.result()
                if item is None:
                    active -= 1
                    continue
                station, scan = item
                try:
                    self.process(station, scan.data, keyed=scan.keyed)
                except Exception:
                    # One bad scan must never stop the counter: log it and go on.
                    log.exception("station %s: unexpected error handling a scan", station)
        finally:
            # Let the printing task finish what is queued (a receipt for the last customer),
            # but never hang on a dead printer: what is left prints at the next start.
            self.inputs.close()
            self._closing = True
            self._print_wakeup.set()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(printing), FINAL_PRINT_S)
            self._print_wakeup = None
            self._closing = False
            stopper.cancel()
            tasks = [*readers, printing, *watches]
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self.checkpointer is not None:
                self.checkpointer.close()
            self.close_sources()

    def _watches(self) -> list[asyncio.Task[None]]:
        """The loop's own tasks beside the inputs: deadlines, health, the store, doors, scale, ticks."""
        tasks = [
            asyncio.create_task(
                runtime_watches.deadline_checks(self.deadlines, swept_at_start=self._swept_at_start),
                name="deadline-checks",
            ),
            asyncio.create_task(self._health_checks(), name="health-checks"),
            asyncio.create_task(runtime_watches.integrity_checks(self.store_check), name="integrity-checks"),
            asyncio.create_task(
                runtime_watches.checkpoints(self.checkpointer, lambda: self.clock() - self._last_scan_at),
                name="wal-checkpoints",
            ),
        ]
        if self.doors is not None:
            tasks.append(asyncio.create_task(self.doors.run(), name="doors"))
        if self.scale_feed is not None:
            tasks.append(asyncio.create_task(self.scale_feed.run(), name="scale"))
        if self.kiosks():  # a counter's device has nothing to tick
            tasks.append(asyncio.create_task(tick_kiosks(self.open_kiosks, self.process_event), name="ticks"))
        return tasks

    def close_sources(self) -> None:
        """Stop the sources' own reader threads, so none is left blocked on a read at exit."""
        for io in self.stations.values():
            for source in io.sources:
                if isinstance(source, ThreadedSource):
                    source.stop()

    async def _health_checks(self) -> None:
        while True:
            # In a thread: looking for a network printer may wait for its TCP timeout.
            await asyncio.to_thread(self.write_hardware_status)
            await asyncio.sleep(HEALTH_CHECK_S)
            self.check_health()
            for watcher in self.watchers:
                watcher.hardware_checked()
            if (
                self._print_wakeup is not None
                and self.prints.next_retry_in() is None
                and self.prints.pending()
            ):
                # A job queued by another process (`pvz screen pair`) prints within a health tick.
                self._print_wakeup.set()

    def hardware_rows(self) -> list[hardware_status.PartRow]:
        doors = None if self.doors is None else self.doors.doors  # as the controller last read them
        return hardware_status.rows(self.stations.values(), self.rack, self.hardware, look=False, doors=doors)

    def write_hardware_status(self) -> None:
        """The file beside the store that `pvz hw list` reads while this daemon holds the devices."""
        path = self.engine.store.path
        if path is None:
            return
        try:
            hardware_status.write_status(path, self.hardware_rows())
        except OSError as exc:
            log.warning("cannot write the hardware status file beside %s: %s", path, exc)

    def check_integrity(self) -> list[str] | None:
        """The scheduled full store check now, if due (device.integrity_watch.StoreCheck.check)."""
        return self.store_check.check()

    def check_health(self) -> dict[str, list[str]]:
        """Faults a clerk must see at each station (see device.station_faults)."""
        doors = None if self.doors is None else self.doors.fault()
        return self.faults.check(self.stations, self.prints, self.lang, doors=doors, kiosks=self.kiosks())

    def wake_printing(self) -> None:
        """Print what may print now (a remote station back online), not at its backoff's end."""
        if self._print_wakeup is not None:
            self._print_wakeup.set()

    async def _printing(self, wakeup: asyncio.Event) -> None:
        """Print queued jobs when a scan queues one, and retry a failed printer on its backoff."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), self.prints.next_retry_in())
            wakeup.clear()
            try:
                await self.prints.drain_async()
            except Exception:
                log.exception("printing failed; jobs stay queued")
            self.check_health()
            if self._closing:
                return

    async def _read(self, station: str, source: CodeSource) -> None:
        try:
            async for scan in source.codes():
                self.inputs.put((station, scan))
        except Exception:
            log.exception("station %s: source %s failed", station, source.name)
        finally:
            self.inputs.put(None)

    def status(self) -> dict[str, Any]:
        """What the daemon reports about itself (telemetry, diagnostics): device/runtime_status.py."""
        return runtime_status(self)
