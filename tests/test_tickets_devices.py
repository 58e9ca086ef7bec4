"""Tickets the device opens on its own: a locker door opened unasked (the door controller) and a
scanner or printer fault that stopped work (the runtime's health check), once per fault."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.engine import Engine
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from device.store.tickets import list_tickets
from drivers.lights.sim_lights import SimCellLights, SimScreen, SimStatusLight
from drivers.scanner.evdev_scanner import EvdevScanner
from tests.support.locker import new_locker
from workflows.inputs import DoorEvent


def doors(store: Store) -> list[dict[str, object]]:
    return [t for t in list_tickets(store.conn) if t["kind"] == "door"]


def test_a_door_opened_unasked_opens_a_door_ticket_per_opening(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    locker.ctl.open_kiosks = lambda: ["k1"]
    locker.doors.force_open(3)
    locker.step()
    locker.step()
    [t] = list_tickets(locker.store.conn)
    assert (t["kind"], t["station"], t["state"]) == ("door", None, "open")  # no station commanded it
    assert t["detail"] == {"alert": "door_opened_unasked", "door": 3, "cell": t["detail"]["cell"]}
    assert locker.store.scalar("SELECT count(*) FROM journal WHERE kind = 'ticket_opened'") == 1
    locker.doors.leave(3)
    locker.step()
    locker.doors.force_open(3)
    locker.step()
    assert [t["kind"] for t in list_tickets(locker.store.conn)] == ["door", "door"]


def test_a_missing_scanner_opens_one_hardware_ticket_however_often_it_is_checked(
    engine: Engine, tmp_path: Path
) -> None:
    scanner = EvdevScanner(name="s1/scanner0", path=str(tmp_path / "event*"), reopen_interval_s=0.05)
    runtime = Runtime(
        engine,
        stations=[StationIO("s1", [scanner], None, SimStatusLight(), None, SimScreen())],
        rack=SimCellLights(),
        lang="en",
    )

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.run(stop=stop))
        for _ in range(200):
            if scanner.status().get("last_error"):
                break
            await asyncio.sleep(0.01)
        for _ in range(3):
            runtime.check_health()
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(main())
    [t] = list_tickets(engine.store.conn)
    assert (t["kind"], t["station"], t["clerk"]) == ("hardware", "s1", "BADGE-0001")
    assert t["detail"] == {"fault": "scanner:s1/scanner0", "scanner": "s1/scanner0"}


def test_a_kiosk_door_that_jammed_opens_a_door_ticket_naming_the_order(tmp_path: Path) -> None:
    from tests.support import kiosk

    store, engine, _ = kiosk.kiosk_site(tmp_path / "kiosk.db")
    kiosk.at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    kiosk.door(engine, 15, DoorEvent.EXPIRED)  # never opened, but not a jam: the order is put back
    assert doors(store) == []
    kiosk.at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    kiosk.door(engine, 15, DoorEvent.JAMMED)
    [t] = doors(store)
    assert (t["kind"], t["station"], t["clerk"]) == ("door", kiosk.KIOSK, None)
    assert t["order_id"] is not None and t["detail"] == {"alert": "door_jammed", "door": 15}
