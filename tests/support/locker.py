"""A locker for the door tests: a real store with four door cells, SimDoors, and a controller on a clock the test turns."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from device.config_schema import DoorsSection
from device.doors.controller import DoorController
from device.intake.rack import CellSpec
from device.store.db import Store
from device.store.doors import record_open
from device.store.journal import Stamp, read_events
from device.store.parcels import move_parcels
from drivers.doors.sim_doors import SimDoors
from tests.support.factory import DEVICE, T0, new_store, standard_manifest
from workflows.inputs import DoorReport
from workflows.outcome import Move, OpenDoor
from workflows.parcel import ParcelState, Size

DOORS = 4
CELLS = ("L-01", "L-02", "L-03", "L-04")  # doors 0..3, in zone "locker"


def rack() -> list[CellSpec]:
    lockers = [CellSpec(address=a, size=Size.M, channel=i, zone="locker") for i, a in enumerate(CELLS)]
    return [*lockers, CellSpec(address="A-01-1", size=Size.L, capacity=5, channel=10)]


@dataclass
class Clocks:
    """Wall time and monotonic time, both moved only by the test."""

    wall: datetime = T0
    mono: float = 1000.0

    def now(self) -> datetime:
        return self.wall

    def clock(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


@dataclass
class Locker:
    store: Store
    doors: SimDoors
    ctl: DoorController
    clocks: Clocks
    reports: list[tuple[str, DoorReport]] = field(default_factory=list)

    def command(
        self, door: int, *, order: str | None = "11111111", purpose: str = "issue", expires_s: float = 20
    ) -> int:
        effect = OpenDoor(CELLS[door], door, order, purpose, self.clocks.wall + timedelta(seconds=expires_s))
        with self.store.transaction() as conn:
            return record_open(conn, effect, Stamp(DEVICE, self.clocks.wall.isoformat(), "k1"))

    def step(self) -> None:
        asyncio.run(self.ctl.step())

    def state(self, command: int) -> str:
        return str(self.store.scalar("SELECT state FROM door_commands WHERE id = ?", (command,)))

    def door_state(self, door: int) -> str | None:
        value = self.store.scalar("SELECT state FROM doors WHERE door = ?", (door,))
        return None if value is None else str(value)

    def alerts(self) -> list[dict[str, Any]]:
        return [e.data for e in read_events(self.store.conn, "kind = 'alert'")]

    def events(self) -> list[tuple[str, str]]:
        return [(s, r.event.value) for s, r in self.reports]

    def place(self, parcel: str, door: int) -> None:
        place(self.store, parcel, CELLS[door])


def place(store: Store, parcel: str, cell: str) -> None:
    """The parcel accepted and stored in `cell`, through the one writer of parcel state."""
    with store.transaction() as conn:
        stamp = Stamp(DEVICE, T0.isoformat(), "s1", "BADGE-0001")
        moves = [
            Move(parcel, ParcelState.ACCEPTED, "accepted"),
            Move(parcel, ParcelState.STORED, "placed", cell=cell),
        ]
        move_parcels(conn, stamp, moves)


def new_locker(directory: Path, *, without_occupancy: tuple[int, ...] = (), **config: Any) -> Locker:
    store = new_store(directory / "pvz.db", standard_manifest(), rack=rack())
    doors = SimDoors(DOORS, without_occupancy=without_occupancy)
    clocks = Clocks()
    section = DoorsSection(backend="sim", count=DOORS, **{"opened_within_s": 0.05, "poll_s": 0.01, **config})
    ctl = DoorController(store, doors, config=section, device_id=DEVICE, now=clocks.now, clock=clocks.clock)
    locker = Locker(store, doors, ctl, clocks)
    ctl.report = lambda station, report: locker.reports.append((station, report))
    return locker
