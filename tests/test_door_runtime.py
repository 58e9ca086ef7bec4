"""The door controller in the runtime built from config: reconciled at start, woken after a commit,
a silent bus shown at the kiosks (and only there) until it answers again, in telemetry and `pvz hw`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.config import load_config
from device.doors.controller import DoorController
from device.kiosk_ticks import tick_kiosks
from device.runtime import Runtime
from device.wiring import build_runtime, open_store
from drivers.doors.sim_doors import SimDoors
from drivers.lights.sim_lights import SimScreen
from tests.support.config import station, write_config
from tests.support.factory import new_store, standard_manifest
from tests.support.locker import rack
from workflows.inputs import DoorEvent, DoorReport, Tick
from workflows.messages import Msg

DOORS = '[doors]\nbackend = "sim"\ncount = 4\n'


def kiosk_runtime(tmp_path: Path) -> Runtime:
    new_store(tmp_path / "pvz.db", standard_manifest(), rack=rack()).close()
    kiosk = station("kiosk-1").replace('name = "kiosk-1"\n', 'name = "kiosk-1"\nkind = "kiosk"\n')
    stations = station("counter-1") + kiosk
    config_file = write_config(tmp_path, stations=stations, extra=DOORS)
    config = load_config(config_file)
    return build_runtime(config, config_file, open_store(config, config_file, owner=True))


def test_the_runtime_owns_a_controller_built_from_config(tmp_path: Path) -> None:
    runtime = kiosk_runtime(tmp_path)
    assert isinstance(runtime.doors, DoorController) and isinstance(runtime.doors.doors, SimDoors)
    assert runtime.kiosks() == ["kiosk-1"]
    assert runtime.doors.report == runtime.process_event
    store = runtime.engine.store
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO door_commands (station, cell, door, purpose, state, created_at, expires_at) "
            "VALUES ('kiosk-1', 'L-01', 0, 'issue', 'sent', '2026-11-21T09:00:00+00:00', '2999-01-01T00:00:00+00:00')"
        )
    runtime.start()
    assert store.scalar("SELECT state FROM door_commands") == "interrupted"
    assert runtime.status()["doors"]["online"] is True
    store.close()


def test_a_silent_bus_is_a_fault_at_the_kiosk_only_and_clears_by_itself(tmp_path: Path) -> None:
    runtime = kiosk_runtime(tmp_path)
    assert runtime.doors is not None
    doors = runtime.doors.doors
    assert isinstance(doors, SimDoors)
    doors.offline = True
    asyncio.run(runtime.doors.step())
    faults = runtime.check_health()
    assert faults == {"counter-1": [], "kiosk-1": [Msg("hw_doors_offline").render("ru")]}
    kiosk = runtime.stations["kiosk-1"].screen
    assert isinstance(kiosk, SimScreen) and kiosk.title == Msg("hw_fault").render("ru")
    assert runtime.status()["hardware_problems"] == ["doors sim-doors: the doors do not answer"]
    doors.offline = False
    asyncio.run(runtime.doors.step())
    assert runtime.check_health() == {"counter-1": [], "kiosk-1": []}
    assert kiosk.title == Msg("hw_ok").render("ru")
    assert runtime.status()["hardware_problems"] == []
    runtime.engine.store.close()


def test_device_events_are_decided_and_shown_like_scans(tmp_path: Path) -> None:
    runtime = kiosk_runtime(tmp_path)
    store = runtime.engine.store
    before = store.scalar("SELECT max(seq) FROM journal")
    assert runtime.open_kiosks() == []
    runtime.process_event("kiosk-1", Tick())  # an idle kiosk: nothing to decide, nothing written
    assert store.scalar("SELECT max(seq) FROM journal") == before
    assert runtime.process_event("nowhere", Tick()) is None
    result = runtime.process_event("kiosk-1", DoorReport(0, "L-01", DoorEvent.OPENED_UNASKED))
    assert result is not None and result.station == "kiosk-1"
    screen = runtime.stations["kiosk-1"].screen
    assert isinstance(screen, SimScreen) and screen.title == result.feedback.msg.render("ru")
    store.close()


def test_a_commit_wakes_the_controller(tmp_path: Path) -> None:
    runtime = kiosk_runtime(tmp_path)
    doors = runtime.doors
    assert doors is not None

    async def scan() -> bool:
        task = asyncio.create_task(doors.run())
        await asyncio.sleep(0)  # its first turn
        while doors._wakeup is None or doors._wakeup.is_set():
            await asyncio.sleep(0)
        runtime.process("counter-1", "BADGE-0001")  # signs in: a commit
        woken = doors._wakeup.is_set()
        task.cancel()
        return woken

    assert asyncio.run(scan()) is True
    runtime.engine.store.close()


def test_ticks_go_to_the_open_kiosks_and_a_failing_one_does_not_stop_them() -> None:
    got: list[tuple[str, object]] = []

    def handle(station: str, event: object) -> None:
        got.append((station, event))
        if len(got) == 1:
            raise ValueError("one bad tick")

    async def ticking() -> None:
        task = asyncio.create_task(tick_kiosks(lambda: ["k1", "k2"], handle, every_s=0))
        while len(got) < 6:
            await asyncio.sleep(0)
        task.cancel()

    asyncio.run(ticking())
    assert [s for s, _ in got[:6]] == ["k1", "k2"] * 3
    assert all(isinstance(e, Tick) for _, e in got)
