"""The device's door controller: fires each door command the store holds exactly once, and watches the doors.

A command is a `door_commands` row written in the transaction that decided it. After that
commit the controller takes the pending rows in order: an expired one is never fired, one for
a door holding someone else's parcel is refused; any other is marked `sent` in a transaction
of its own before the lock fires, so that a power cut in between leaves it `sent`, and the
next start (device/doors/start.py) makes it `interrupted` instead of firing it twice. The bus
blocks, so every driver call runs in a worker thread; the store is written on the loop.

Every result, and every door's later news, goes to the station that asked as a DoorReport
(`report`, the runtime's `process_event`), exactly like a scan.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from device import crash_points
from device.config_schema import DoorsSection
from device.doors.record import record_alert, record_finding, record_result
from device.doors.watch import Finding, Watches
from device.store.clock import utc_text
from device.store.db import Store
from device.store.doors import (
    DoorCommand,
    door_cell,
    live_commands,
    mark_sent,
    other_parcels,
    pending_commands,
)
from device.store.journal import Stamp
from device.store.tickets import open_ticket
from drivers.doors.base import DoorError, DoorReading, Doors, OpenResult
from drivers.doors.verify import open_door
from workflows.context import Evidence
from workflows.inputs import DoorEvent, DoorReport
from workflows.messages import Msg
from workflows.tickets import OpenTicket, TicketKind, window

log = logging.getLogger("pvz.doors")

Report = Callable[[str, DoorReport], object]
SERVICE = "service"  # a fleet command's open: answered in its reply, no station to tell


@dataclass(frozen=True, slots=True)
class Answer:
    """How one command ended, and what the door's sensors read just after."""

    command: DoorCommand
    state: str
    reading: DoorReading | None = None


def _nobody(_station: str, _report: DoorReport) -> None:
    return None


def _no_kiosks() -> Collection[str]:
    return ()


class DoorController:
    def __init__(
        self,
        store: Store,
        doors: Doors,
        *,
        config: DoorsSection,
        device_id: str,
        now: Callable[[], datetime],
        clock: Callable[[], float] = time.monotonic,
        evidence: Evidence | None = None,
    ) -> None:
        self.store = store
        self.doors = doors
        self.config = config
        self.device_id = device_id
        self.now = now
        self.clock = clock
        self.evidence = evidence or Evidence()
        self.report: Report = _nobody  # the runtime's process_event, once attached
        self.open_kiosks: Callable[[], Collection[str]] = _no_kiosks  # kiosk stations with a session
        self.watches = Watches(left_open_alert_s=config.left_open_alert_s)
        self.offline = False  # the bus did not answer the last read
        self.counts: Counter[str] = Counter()
        self._wakeup: asyncio.Event | None = None
        self._waiting: dict[int, asyncio.Future[Answer]] = {}

    # The loop's side.

    @property
    def running(self) -> bool:
        return self._wakeup is not None

    def wake(self) -> None:
        """A commit may have written door commands: look now rather than at the next poll."""
        if self._wakeup is not None:
            self._wakeup.set()

    async def run(self) -> None:
        """Execute commands when woken, read the doors every poll_s; never ends by itself."""
        self._wakeup = asyncio.Event()
        self._wakeup.set()
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.config.poll_s)
                self._wakeup.clear()
                try:
                    await self.step()
                except Exception:
                    # One bad turn must never leave the doors unwatched: log it, try again.
                    log.exception("door controller: a turn failed; it goes on")
        finally:
            self._wakeup = None

    async def step(self) -> None:
        """One turn: every pending command in order, then one look at every door."""
        for cmd in pending_commands(self.store.conn):
            await self.execute(cmd)
        await self.look()

    def waiter(self, command: int) -> asyncio.Future[Answer]:
        """A future for the answer to `command` (the remote service open waits on it)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[command] = future
        return future

    # One command.

    async def execute(self, cmd: DoorCommand) -> Answer:
        ts = utc_text(self.now())
        if ts >= cmd.expires_at:
            return self._answer(cmd, "expired")
        if other_parcels(self.store.conn, cmd.cell, cmd.order):
            log.warning(
                "door %d (%s): holds a parcel of another order; command %d refused",
                cmd.door,
                cmd.cell,
                cmd.id,
            )
            return self._answer(cmd, "refused")
        with self.store.transaction() as conn:
            if not mark_sent(conn, cmd.id, ts):
                return self._resolve(Answer(cmd, "gone"))  # answered meanwhile (defensive: one loop)
        crash_points.reached("door_sent")
        try:
            result, reading = await asyncio.to_thread(self._fire, cmd.door)
        except DoorError as exc:
            log.error("door %d (%s): the lock bus did not answer: %s", cmd.door, cmd.cell, exc)
            return self._answer(cmd, "failed")
        except Exception:
            # A door the driver does not have (a cell's channel past [doors] count), a driver's bug:
            # the command is answered all the same, never left `sent` until the next start.
            log.exception("door %d (%s): the open failed", cmd.door, cmd.cell)
            return self._answer(cmd, "failed")
        if result is not OpenResult.ALREADY_OPEN:
            self.counts["fired"] += 1
        if result in (OpenResult.OPENED, OpenResult.ALREADY_OPEN):
            station = None if cmd.purpose == SERVICE else cmd.station
            self.watches.watch(cmd.door, cmd.cell, station, cmd.id, self.clock())
        return self._answer(cmd, result.value, reading)

    def _fire(self, door: int) -> tuple[OpenResult, DoorReading | None]:
        """In a worker thread: the verified open, then one more read for the reply."""
        cfg = self.config
        result = open_door(self.doors, door, opened_within_s=cfg.opened_within_s, poll_s=cfg.poll_s)
        try:
            return result, self.doors.read(door)
        except DoorError:
            return result, None

    def _answer(self, cmd: DoorCommand, state: str, reading: DoorReading | None = None) -> Answer:
        now = self.now()
        with self.store.transaction() as conn:
            stamp = Stamp(self.device_id, now.isoformat(timespec="seconds"), cmd.station)
            written = record_result(conn, stamp, cmd, state, utc_text(now))
        answer = self._resolve(Answer(cmd, state if written else "gone", reading))
        if written and cmd.purpose != SERVICE:
            self.tell(cmd.station, DoorReport(cmd.door, cmd.cell, DoorEvent(state), cmd.id))
        return answer

    def _resolve(self, answer: Answer) -> Answer:
        """Count the answer and hand it to whoever waits for it (a service open)."""
        self.counts[answer.state] += 1
        future = self._waiting.pop(answer.command.id, None)
        if future is not None and not future.done():
            future.set_result(answer)
        return answer

    def tell(self, station: str, report: DoorReport) -> None:
        """Hand a report to the station's session; a failure there never stops the doors."""
        try:
            self.report(station, report)
        except Exception:
            log.exception("station %s: door report %s failed", station, report.event.value)

    # Watching.

    async def look(self) -> list[Finding]:
        """Read every door once: shut, left open, opened with no command; the bus's health."""
        try:
            readings = await asyncio.to_thread(self.doors.read_all)
        except DoorError as exc:
            self.bus_silent(exc)
            return []
        self.bus_back()
        conn = self.store.conn
        busy = {cmd.door for cmd in live_commands(conn)}
        found = self.watches.look(readings, self.cell_of, self.clock(), busy)
        for finding in found:
            self._record(finding)
        return found

    def cell_of(self, door: int) -> str:
        """The address of the door's cell ("" when no cell of the doors' zone has that channel)."""
        return door_cell(self.store.conn, self.config.zone, door) or ""

    def _record(self, found: Finding) -> None:
        now = self.now()
        with self.store.transaction() as conn:
            stamp = Stamp(self.device_id, now.isoformat(timespec="seconds"), found.station)
            record_finding(conn, stamp, found, utc_text(now))
            if found.event is DoorEvent.OPENED_UNASKED:
                # Someone may have taken a parcel: the queue keeps the door and the video's minute.
                where = window(self.evidence, found.station, now)
                detail = {"alert": "door_opened_unasked", "door": found.door, "cell": found.cell}
                open_ticket(conn, stamp, OpenTicket(TicketKind.DOOR, where, detail=detail))
        self.counts[found.event.value] += 1
        if found.event in (DoorEvent.OPENED_UNASKED, DoorEvent.LEFT_OPEN):
            log.warning("door %d (%s): %s", found.door, found.cell or "no cell", found.event.value)
        report = DoorReport(found.door, found.cell, found.event, found.command)
        if found.station is not None:
            self.tell(found.station, report)
        elif found.event is DoorEvent.OPENED_UNASKED:
            for station in self.open_kiosks():
                self.tell(station, report)

    def bus_silent(self, exc: DoorError) -> None:
        """The bus stopped answering: once per outage, a log line and an alert for the fleet."""
        if self.offline:
            return
        self.offline = True
        log.error("doors %s: the lock bus does not answer: %s", self.doors.name, exc)
        now = self.now()
        with self.store.transaction() as conn:
            stamp = Stamp(self.device_id, now.isoformat(timespec="seconds"))
            record_alert(conn, stamp, "doors_offline", None, doors=self.doors.name)

    def bus_back(self) -> None:
        if self.offline:
            self.offline = False
            log.info("doors %s: the lock bus answers again", self.doors.name)

    def fault(self) -> Msg | None:
        """What a kiosk shows while the bus is silent (device/station_faults.py)."""
        return Msg("hw_doors_offline") if self.offline else None

    def status(self) -> dict[str, Any]:
        return {
            "doors": self.doors.status(),
            "online": not self.offline,
            "watched": sorted(self.watches.watched),
            "open_unasked": sorted(self.watches.unasked),
            "counts": dict(self.counts),
        }
