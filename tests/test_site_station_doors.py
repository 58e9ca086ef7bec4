"""The locker's doors wired to a kiosk station's Pi, both ends real: the main device's door controller
(RemoteDoors, [doors] backend "station") opens a door through the station daemon's own sim doors
(device/site_station/doors.py) over a real Mosquitto."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.config import load_config
from device.doors.service import service_open
from device.site_station.daemon import StationDaemon
from drivers.doors.sim_doors import SimDoors
from tests.support.broker import Broker
from tests.support.factory import DEVICE
from tests.support.site import remote, station_config
from tests.support.site_main import main_runtime, serving

MAIN_DOORS = '[doors]\nbackend = "station"\nstation = "kiosk"\n[site]\ndoor_timeout_s = 2.0\n'
SCRIPT = 'backend = "script"\npath = "codes.txt"'


def test_a_door_opens_through_the_kiosk_stations_own_driver(tmp_path: Path, broker: Broker) -> None:
    remotes = remote("kiosk", "pvz-kiosk", kind="kiosk")
    with main_runtime(tmp_path, mqtt_port=broker.port, remotes=remotes, extra=MAIN_DOORS) as (
        config,
        runtime,
    ):
        controller = runtime.doors
        assert controller is not None
        (tmp_path / "kiosk").mkdir()
        (tmp_path / "kiosk" / "codes.txt").write_text("", encoding="utf-8")
        kiosk_file = station_config(
            tmp_path / "kiosk",
            device="pvz-kiosk",
            name="kiosk",
            main=DEVICE,
            mqtt_port=broker.port,
            scanner=SCRIPT,
            extra='[doors]\nbackend = "sim"\ncount = 4\n',
        )

        async def scenario() -> None:
            stop = asyncio.Event()
            async with serving(runtime, config, broker.port, stop):
                kiosk = StationDaemon(load_config(kiosk_file), kiosk_file)
                assert kiosk.doors is not None and isinstance(kiosk.doors.doors, SimDoors)
                locker = kiosk.doors.doors
                station = asyncio.create_task(kiosk.run(stop))
                try:
                    while not kiosk.link.connected:
                        await asyncio.sleep(0.02)
                    opened = await service_open(controller, "L-02")
                    assert opened["result"] == "opened" and opened["door_state"] == "open"
                    assert [door for _, door in locker.pulses] == [1]  # the station's own driver fired it
                    status = kiosk.doors.status()
                    assert status["requests"] >= 3 and status["failed"] == 0
                finally:
                    stop.set()
                    await station

        asyncio.run(scenario())
