"""A customer's collection end to end: the kiosk flow decides, the controller fires and watches, the flow hears."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.config_schema import DoorsSection
from device.doors.controller import DoorController
from device.runtime import Runtime
from device.station_io import StationIO
from drivers.doors.sim_doors import SimDoors
from drivers.lights.sim_lights import SimCellLights, SimScreen
from tests.support.factory import DEVICE, state
from tests.support.kiosk import CODES, COUNTER, DOORS, KIOSK, LOCKED, WHERE, kiosk_site
from workflows.inputs import Tick

DOOR = 15  # the LOCKED order's door


def locker(tmp_path: Path) -> tuple[Runtime, SimDoors, DoorController]:
    store, engine, clock = kiosk_site(tmp_path / "pvz.db")
    doors = SimDoors(19)
    for cell in set(WHERE.values()) & set(DOORS):
        doors.load(DOORS[cell][1])  # the parcels are behind their doors, as the store says
    stations = [StationIO(KIOSK, screen=SimScreen()), StationIO(COUNTER, screen=SimScreen())]
    runtime = Runtime(engine, stations=stations, rack=SimCellLights())
    section = DoorsSection(backend="sim", count=19, opened_within_s=0.2, poll_s=0.01)
    ctl = DoorController(store, doors, config=section, device_id=DEVICE, now=clock)
    runtime.attach_doors(ctl)
    runtime.start()
    return runtime, doors, ctl


def test_a_right_code_opens_the_door_and_an_empty_cell_issues_the_order(tmp_path: Path) -> None:
    runtime, doors, ctl = locker(tmp_path)
    store = runtime.engine.store
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'alert'") == 0  # store and sensors agree
    runtime.process(KIOSK, CODES[LOCKED], keyed=True)
    kiosk_command = "SELECT state FROM door_commands WHERE station = ?"  # not placement's, at c1
    assert store.scalar(kiosk_command, (KIOSK,)) == "pending"
    asyncio.run(ctl.step())
    assert [door for _, door in doors.pulses] == [DOOR]
    assert store.scalar(kiosk_command, (KIOSK,)) == "opened"
    assert runtime.open_kiosks() == [KIOSK]
    doors.take(DOOR)
    asyncio.run(ctl.step())
    assert state(store, f"{LOCKED}-0001-1")[0] == "issued"
    assert runtime.open_kiosks() == []
    assert len(doors.pulses) == 1


def test_a_door_shut_with_the_parcel_inside_leaves_it_stored(tmp_path: Path) -> None:
    runtime, doors, ctl = locker(tmp_path)
    runtime.process(KIOSK, CODES[LOCKED], keyed=True)
    asyncio.run(ctl.step())
    doors.leave(DOOR)
    asyncio.run(ctl.step())
    assert state(runtime.engine.store, f"{LOCKED}-0001-1") == ("stored", "L-15")


def test_a_restart_mid_opening_tells_the_session_what_the_sensors_say(tmp_path: Path) -> None:
    """The power went after the command was marked sent and the door opened: the next start
    interrupts it (never fired again) and the customer's session hears OPENED from the sensor."""
    runtime, doors, ctl = locker(tmp_path)
    store = runtime.engine.store
    runtime.process(KIOSK, CODES[LOCKED], keyed=True)
    with store.transaction() as conn:
        conn.execute("UPDATE door_commands SET state = 'sent' WHERE station = ?", (KIOSK,))
    doors.pulse(DOOR)  # it fired before the power went
    restarted = Runtime(runtime.engine, stations=list(runtime.stations.values()), rack=SimCellLights())
    restarted.attach_doors(DoorController(store, doors, config=ctl.config, device_id=DEVICE, now=ctl.now))
    restarted.start()
    assert store.scalar("SELECT state FROM door_commands WHERE station = ?", (KIOSK,)) == "interrupted"
    assert restarted.doors is not None
    doors.take(DOOR)
    asyncio.run(restarted.doors.step())
    assert state(store, f"{LOCKED}-0001-1")[0] == "issued"
    assert len(doors.pulses) == 1  # only the one before the power cut


def test_a_tick_that_changes_nothing_leaves_the_kiosk_as_it_is(tmp_path: Path) -> None:
    """The clock passing while a customer takes their parcels: no new frame, no beep."""
    runtime, _, ctl = locker(tmp_path)
    runtime.process(KIOSK, CODES[LOCKED], keyed=True)
    asyncio.run(ctl.step())
    screen = runtime.stations[KIOSK].screen
    assert isinstance(screen, SimScreen)
    shown = len(screen.history)
    result = runtime.process_event(KIOSK, Tick())
    assert result is not None and not result.changed
    assert len(screen.history) == shown
