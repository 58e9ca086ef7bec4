"""News for a remote station: a door's report at a remote kiosk, decided on the main device, is shown at
the kiosk station's own light and buzzer too (device/site/news.py), both ends real over Mosquitto."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.config import load_config
from device.site.main_service import SiteMain
from device.site_station.daemon import StationDaemon
from device.wiring import build_runtime, open_store
from drivers.base import Color
from drivers.lights.sim_lights import SimStatusLight
from tests.support.broker import Broker
from tests.support.factory import DEVICE, KEY, new_store, standard_manifest
from tests.support.locker import rack
from tests.support.site import main_config, remote, station_config
from tests.support.sync import new_link, wait_until
from workflows.inputs import DoorEvent, DoorReport

SCRIPT = 'backend = "script"\npath = "codes.txt"'


def test_a_door_report_at_a_remote_kiosk_is_shown_at_the_kiosk(tmp_path: Path, broker: Broker) -> None:
    new_store(tmp_path / "pvz.db", standard_manifest(), rack=rack()).close()
    path = main_config(
        tmp_path,
        mqtt_port=broker.port,
        remotes=remote("kiosk", "pvz-kiosk", kind="kiosk") + remote("c2", "pvz-c2"),
        device=DEVICE,
        key=KEY.hex(),
    )
    config = load_config(path)
    store = open_store(config, path, owner=True)
    runtime = build_runtime(config, path, store)
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
        link = new_link(broker.port, DEVICE)
        site = SiteMain(runtime, config, link)
        site.subscribe()
        link.start(asyncio.get_running_loop())
        await link.wait_connected(10)
        stop = asyncio.Event()
        serving = asyncio.create_task(site.run(stop))
        kiosk = StationDaemon(load_config(kiosk_file), kiosk_file)
        station = asyncio.create_task(kiosk.run(stop))
        try:
            await wait_until(lambda: kiosk.link.connected, 10)
            # A door nobody asked for opens at the kiosk: decided on the main device like a scan.
            result = runtime.process_event("kiosk", DoorReport(1, "L-02", DoorEvent.OPENED))
            assert result is not None and result.event
            await wait_until(lambda: kiosk.inputs.figures.counters["news"] == 1, 10)
            shown = kiosk.last_shown["kiosk"]
            assert shown["key"] == result.feedback.msg.key and shown["level"] == result.feedback.level.value
            light = kiosk.stations["kiosk"].status_light
            assert isinstance(light, SimStatusLight) and light.color is not Color.OFF
            # An input's answer is never news, and a local or other station's event goes nowhere.
            assert site.news.sent == 1 and kiosk.inputs.figures.counters["stray_replies"] == 0
        finally:
            stop.set()
            await serving
            await station
            link.stop()

    try:
        asyncio.run(scenario())
    finally:
        store.close()
