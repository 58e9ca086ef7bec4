"""News for a remote station: a door's report at a remote kiosk, decided on the main device, is shown at
the kiosk station's own light and buzzer too (device/site/news.py), both ends real over Mosquitto."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.config import load_config
from device.site_station.daemon import StationDaemon
from drivers.base import Color
from drivers.lights.sim_lights import SimStatusLight
from tests.support.broker import Broker
from tests.support.factory import DEVICE
from tests.support.site import remote, station_config
from tests.support.site_main import main_runtime, serving
from tests.support.sync import wait_until
from workflows.inputs import DoorEvent, DoorReport

SCRIPT = 'backend = "script"\npath = "codes.txt"'


def test_a_door_report_at_a_remote_kiosk_is_shown_at_the_kiosk(tmp_path: Path, broker: Broker) -> None:
    remotes = remote("kiosk", "pvz-kiosk", kind="kiosk") + remote("c2", "pvz-c2")
    with main_runtime(tmp_path, mqtt_port=broker.port, remotes=remotes) as (config, runtime):
        (tmp_path / "kiosk").mkdir()
        (tmp_path / "kiosk" / "codes.txt").write_text("", encoding="utf-8")
        kiosk_file = station_config(
            tmp_path / "kiosk",
            device="pvz-kiosk",
            name="kiosk",
            main=DEVICE,
            mqtt_port=broker.port,
            scanner=SCRIPT,
        )

        async def scenario() -> None:
            stop = asyncio.Event()
            async with serving(runtime, config, broker.port, stop) as site:
                kiosk = StationDaemon(load_config(kiosk_file), kiosk_file)
                station = asyncio.create_task(kiosk.run(stop))
                try:
                    await wait_until(lambda: kiosk.link.connected, 10)
                    # A door nobody asked for opens at the kiosk: decided on the main device like a scan.
                    result = runtime.process_event("kiosk", DoorReport(1, "L-02", DoorEvent.OPENED))
                    assert result is not None and result.event
                    await wait_until(lambda: kiosk.inputs.figures.counters["news"] == 1, 10)
                    shown = kiosk.last_shown["kiosk"]
                    assert shown["key"] == result.feedback.msg.key
                    assert shown["level"] == result.feedback.level.value
                    light = kiosk.stations["kiosk"].status_light
                    assert isinstance(light, SimStatusLight) and light.color is not Color.OFF
                    # An input's answer is never news, and a local or other station's event goes nowhere.
                    assert site.news.sent == 1 and kiosk.inputs.figures.counters["stray_replies"] == 0
                finally:
                    stop.set()
                    await station

        asyncio.run(scenario())
