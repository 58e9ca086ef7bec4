"""The kiosk demo's site as running software: a store, the engine, the runtime and the door
controller over simulated doors; built again after a power cut, as the device boots again."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from device.config_schema import DoorsSection
from device.demo.kiosk_data import DOORS, LOCKER
from device.demo.stage import COUNTER, DEVICE_ID, MSK, SITE, Day, DemoClock
from device.documents.registry import Documents
from device.doors.controller import DoorController
from device.engine import Engine
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.doors.sim_doors import SimDoors
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from workflows.context import KioskRules, Policy

KIOSK = "kiosk-1"
RULES = KioskRules(doors_zone=LOCKER)  # 3 wrong codes lock the keypad for 5 minutes, doubling
DOOR_CONFIG = DoorsSection(backend="sim", zone=LOCKER, count=DOORS, opened_within_s=0.05, poll_s=0.01)


class PowerCut(BaseException):
    """The power goes: nothing after it runs (a BaseException, so no handler takes it for a fault)."""


class Locker(SimDoors):
    """The locker's doors; `cut_on` makes the power go the moment that door's lock has fired."""

    def __init__(self) -> None:
        super().__init__(DOORS, name="locker")
        self.cut_on: int | None = None

    def pulse(self, door: int) -> None:
        super().pulse(door)
        if door == self.cut_on:
            self.cut_on = None
            raise PowerCut(f"the power went while door {door} opened")


@dataclass
class Site:
    """What runs on the device: rebuilt from the store file by boot()."""

    path: Path
    key: bytes
    clock: DemoClock
    rng: random.Random
    lang: str
    quiet: bool
    locker: Locker
    echo: Callable[[str], None] | None = None
    day: Day = field(init=False)
    ctl: DoorController = field(init=False)
    boots: int = 0

    def boot(self) -> None:
        """Open the store and start the runtime: the doors are compared with the store, and an open
        that was in flight when the power went is answered from the sensors, never sent again."""
        store = Store.open(self.path, owner=True)
        docs = Documents(site=SITE, device_id=DEVICE_ID, lang=self.lang, tz=MSK)
        engine = Engine(
            store,
            device_id=DEVICE_ID,
            pickup_key=self.key,
            docs=docs,
            clock=self.clock,
            policy=Policy(kiosk=RULES),
            kinds={KIOSK: "kiosk", COUNTER: "counter"},
        )
        printer = SimPrinter(out_dir=self.path.parent / "receipts", name="demo-printer")
        stations = [
            StationIO(
                name, printer=printer, status_light=SimStatusLight(), buzzer=SimBuzzer(), screen=SimScreen()
            )
            for name in (COUNTER, KIOSK)
        ]
        rack = SimCellLights(clock=self.clock.timestamp)
        runtime = Runtime(engine, stations=stations, rack=rack, lang=self.lang)
        self.day = Day(runtime, rack, self.clock, self.rng, self.lang, self.quiet, echo=self.echo)
        runtime.on_result = self.day.show
        self.ctl = DoorController(store, self.locker, config=DOOR_CONFIG, device_id=DEVICE_ID, now=self.clock)
        runtime.attach_doors(self.ctl)
        self.boots += 1
        runtime.start()

    def doors_turn(self) -> None:
        """One turn of the door controller: commands fired, doors read, the kiosk told."""
        self.clock.pause(1, 4)
        asyncio.run(self.ctl.step())

    def power_cut(self) -> None:
        """Everything stops at once; the store is closed without its clean-stop mark."""
        self.day.runtime.engine.store.close()

    @property
    def store(self) -> Store:
        return self.day.runtime.engine.store
