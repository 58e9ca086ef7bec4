"""Hardware faults show at the counter: a scanner that is gone, a printer that cannot print."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from device.engine import Engine
from device.runtime import Runtime
from device.station_io import StationIO
from drivers.base import Color, Pattern, RawScan
from drivers.lights.sim_lights import SimCellLights, SimScreen, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from tests.support.factory import scan
from workflows.inputs import Command


class Unplugged:
    """A scanner whose device is not there (what a real driver reports while it waits)."""

    name = "s1/scanner0"

    def __init__(self) -> None:
        self.connected = False

    async def codes(self) -> AsyncIterator[RawScan]:
        return
        yield  # pragma: no cover

    def status(self) -> dict[str, Any]:
        return {"name": self.name, "connected": self.connected}


def test_scanner_and_printer_faults_light_red_and_clear_again(engine: Engine) -> None:
    now = [0.0]
    printer = SimPrinter(name="p")
    light, screen, source = SimStatusLight(), SimScreen(), Unplugged()
    io = StationIO("s1", sources=[source], printer=printer, status_light=light, screen=screen)
    runtime = Runtime(engine, stations=[io], rack=SimCellLights(), lang="en", clock=lambda: now[0])
    report = runtime.check_health()
    assert report == {"s1": ["Scanner s1/scanner0 is not connected: check its cable or plug it in again"]}
    assert (light.color, light.pattern) == (Color.RED, Pattern.FAST_BLINK)
    assert screen.title == "Hardware fault"
    source.connected = True
    printer.set_fault("paper out")
    scan(engine, "BOX00000001", Command.DONE)  # asks: the parcels are missing
    runtime.process("s1", Command.DONE.barcode)  # the acceptance act cannot print
    assert runtime.prints.pending() == 1
    assert runtime.check_health() == {
        "s1": [
            "Printer: p: paper out; 1 document queued. "
            "Check the paper, the cover and the cable; printing resumes by itself"
        ]
    }
    assert (light.color, light.pattern) == (Color.RED, Pattern.FAST_BLINK)
    printer.set_fault(None)
    now[0] += 10_000  # past the backoff
    runtime.prints.drain()
    assert runtime.prints.pending() == 0 and len(printer.printed) == 1
    assert runtime.check_health() == {"s1": []}
    assert (light.color, light.pattern) == (Color.GREEN, Pattern.STEADY)
    assert screen.title == "Hardware OK"
