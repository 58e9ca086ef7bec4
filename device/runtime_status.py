"""The runtime's report on itself: scans, sessions, the store, the clock, printing, stations, lights
and doors, and which hardware has a problem (the daemon's telemetry and diagnostics read it)."""

from __future__ import annotations

from typing import Any, Protocol

from device import hardware_status
from device.deadline_watch import DeadlineWatch
from device.doors.controller import DoorController
from device.engine import Engine
from device.rack_lights import RackLights
from device.station_io import StationIO
from device.store.checkpoint import Checkpointer
from device.store.health import IntegrityWatch
from device.store.print_queue import PrintQueue
from drivers.base import CellLights


class SiteReport(Protocol):
    """The site main device's service (device/site/main_service.py), seen only through its report."""

    def status(self) -> dict[str, Any]: ...

    def online(self, station: str) -> bool | None:
        """Whether a remote station's device is up (its retained status); None: not heard yet."""
        ...


class Reporting(Protocol):
    """What of the runtime (device/runtime.py) the report reads; a protocol, so no import cycle."""

    scans: int
    engine: Engine
    lights: RackLights
    integrity: IntegrityWatch
    checkpointer: Checkpointer | None
    deadlines: DeadlineWatch
    prints: PrintQueue
    stations: dict[str, StationIO]
    rack: CellLights
    doors: DoorController | None
    site: SiteReport | None

    def hardware_rows(self) -> list[hardware_status.PartRow]: ...


def runtime_status(rt: Reporting) -> dict[str, Any]:
    return {
        "scans": rt.scans,
        "sessions": {name: f"{s.workflow.name}:{s.state.value}" for name, s in rt.engine.sessions().items()},
        "lit_cells": len(rt.lights.lit),
        "store": rt.integrity.status(),
        "wal": None if rt.checkpointer is None else rt.checkpointer.status(),
        "clock": None if rt.deadlines.clock_trust is None else rt.deadlines.clock_trust.status(),
        "print": rt.prints.status(),
        "stations": {
            name: {
                "sources": [source.status() for source in io.sources],
                "printer": None if io.printer is None else io.printer.status(),
            }
            for name, io in rt.stations.items()
        },
        "lights": rt.rack.status(),
        "doors": None if rt.doors is None else rt.doors.status(),
        "hardware_problems": hardware_status.problems(rt.hardware_rows()),
        "site": None if rt.site is None else rt.site.status(),
    }
