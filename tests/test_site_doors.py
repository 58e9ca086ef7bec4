"""The locker's doors wired to a kiosk station's Pi ([doors] backend "station"): the main device's
door controller opens a door through the station's own driver over a real Mosquitto, and a station
that does not answer is a silent bus with pvz's reason code, never a door believed open."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from device.doors.service import service_open
from device.exc import DoorRefused
from device.site.remote_doors import RemoteDoors
from drivers.doors.faults import DoorFault
from drivers.doors.sim_doors import SimDoors
from tests.support.broker import Broker
from tests.support.site import remote
from tests.support.site_main import main_runtime, serving
from tests.support.site_station import FakeStation

DOORS = '[doors]\nbackend = "station"\nstation = "kiosk"\n[site]\ndoor_timeout_s = 0.5\n'


def test_the_door_controller_opens_a_door_through_the_kiosk_stations_driver(
    tmp_path: Path, broker: Broker
) -> None:
    remotes = remote("kiosk", "pvz-kiosk", kind="kiosk")
    with main_runtime(tmp_path, mqtt_port=broker.port, remotes=remotes, extra=DOORS) as (config, runtime):
        controller = runtime.doors
        assert controller is not None and isinstance(controller.doors, RemoteDoors)
        doors = controller.doors
        locker = SimDoors(4)

        async def scenario() -> None:
            async with serving(runtime, config, broker.port, asyncio.Event()):
                kiosk = FakeStation(broker.port, "pvz-kiosk", "kiosk")
                kiosk.doors = locker
                await kiosk.start()
                try:
                    opened = await service_open(controller, "L-02")
                    assert opened["result"] == "opened" and opened["door_state"] == "open"
                    assert [door for _, door in locker.pulses] == [1]  # the station's own driver fired it
                    assert {r.op for r in kiosk.door_requests} >= {"describe", "read", "pulse"}
                    assert doors.status()["online"] is True and doors.count() == 4

                    kiosk.doors = None  # the station stops answering
                    with pytest.raises(DoorFault) as silent:
                        await asyncio.to_thread(doors.read_all)
                    assert silent.value.reason == "station_unreachable"
                    with pytest.raises(DoorRefused):
                        await service_open(controller, "L-03")
                    assert [door for _, door in locker.pulses] == [1]  # nothing fired that nobody saw
                    assert doors.status()["online"] is False
                finally:
                    await kiosk.stop()

        asyncio.run(scenario())
