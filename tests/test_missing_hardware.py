"""A config naming hardware that is not there: clear log lines, a visible status, a running daemon."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from device.config import parse_config
from device.engine import Engine
from device.runtime import Runtime
from device.station_io import StationIO
from device.wiring import build_stations
from drivers.base import Color, Pattern
from drivers.exc import PrinterError
from drivers.lights.sim_lights import SimCellLights, SimScreen, SimStatusLight
from drivers.scanner.evdev_scanner import EvdevScanner

CONFIG = """
[device]
id = "pvz-miss-0001"
site = "miss"
[security]
pickup_key = "{key}"
[[stations]]
name = "counter-1"
[[stations.scanners]]
backend = "evdev"
path = "{tmp}/by-id/usb-Nothing-event-kbd"
[[stations.scanners]]
backend = "serial"
path = "{tmp}/ttyACM9"
[stations.printer]
backend = "file"
path = "{tmp}/usb/lp7"
[stations.status_light]
backend = "gpio"
pins = [5, 6, 13]
[lights]
backend = "shift"
pin_factory = "auto"
data_pin = 17
clock_pin = 27
latch_pin = 22
"""


def test_absent_devices_are_built_anyway_and_gpio_falls_back_with_a_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = parse_config(CONFIG.format(key="ab" * 16, tmp=tmp_path), source="pvz.toml")
    caplog.set_level(logging.ERROR, logger="pvz.hardware")
    stations, rack, hw = build_stations(config, tmp_path / "pvz.toml")
    # this machine is no Raspberry Pi: the lights fall back to their twin, and say why
    assert isinstance(rack, SimCellLights)
    assert any("cell lights (shift) unavailable" in p for p in hw.problems)
    assert any("status light unavailable" in p for p in hw.problems)
    assert any("unavailable" in r.getMessage() for r in caplog.records)
    printer = stations[0].printer
    assert printer is not None
    from drivers.document import Document, Text

    with pytest.raises(PrinterError, match="lp7"):
        printer.print_document(Document("test", "t", (Text("x"),)))


def test_a_scanner_that_is_not_there_shows_at_the_counter_and_the_daemon_runs(
    engine: Engine, tmp_path: Path
) -> None:
    scanner = EvdevScanner(name="s1/scanner0", path=str(tmp_path / "event*"), reopen_interval_s=0.05)
    light, screen = SimStatusLight(), SimScreen()
    runtime = Runtime(
        engine,
        stations=[StationIO("s1", [scanner], None, light, None, screen)],
        rack=SimCellLights(),
        lang="en",
    )

    async def main() -> dict[str, list[str]]:
        stop = asyncio.Event()
        task = asyncio.create_task(runtime.run(stop=stop))
        for _ in range(200):
            if scanner.status().get("last_error"):
                break
            await asyncio.sleep(0.01)
        report = runtime.check_health()
        assert not task.done()  # still running, waiting for the scanner
        stop.set()
        await asyncio.wait_for(task, 10)
        return report

    report = asyncio.run(main())
    assert report == {"s1": ["Scanner s1/scanner0 is not connected: check its cable or plug it in again"]}
    assert (light.color, light.pattern) == (Color.RED, Pattern.FAST_BLINK)
    assert screen.title == "Hardware fault"
