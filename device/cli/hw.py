"""`pvz hw`: what hardware was found, scans as they arrive, a test page, a walk over every cell light."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from device.cli.common import Add
from device.config import Config, load_config
from device.documents.registry import Documents
from device.hardware import LIGHTS_TEST_STEP_S
from device.store.journal import Stamp
from device.wiring import build_stations
from drivers.base import Beep, CellLights, Color, Pattern, RawScan, ThreadedSource
from drivers.exc import PrinterError
from workflows.inputs import BadCode, clean_code


def _config(path: str | None) -> tuple[Config, Path]:
    if path is None:
        raise SystemExit("pvz hw: --config FILE is required (see docs/config.example.toml)")
    return load_config(path), Path(path)


def hw_list(args: Any) -> int:
    """Every input device and serial port on this machine, and each configured part's state."""
    found: dict[str, Any] = {"input_devices": _probe("drivers.scanner.evdev_scanner", "find_devices")}
    found["serial_ports"] = _probe("drivers.scanner.serial_scanner", "find_ports")
    if args.config:
        config, config_file = _config(args.config)
        stations, rack, hw = build_stations(config, config_file)
        found["stations"] = {
            io.name: {
                "scanners": [s.status() for s in io.sources],
                "printer": None if io.printer is None else io.printer.status(),
                "status_light": None if io.status_light is None else io.status_light.status(),
                "buzzer": None if io.buzzer is None else io.buzzer.status(),
            }
            for io in stations
        }
        found["lights"] = rack.status()
        found["problems"] = hw.problems
    print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
    return 0


def _probe(module: str, func: str) -> Any:
    try:
        mod = __import__(module, fromlist=[func])
        return getattr(mod, func)()
    except (ImportError, OSError) as exc:
        return {"error": str(exc)}


def hw_scan(args: Any) -> int:
    """Print each scan from each scanner of each station until Ctrl-C (or the sources end)."""
    config, config_file = _config(args.config)
    stations, _, _ = build_stations(config, config_file)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)

        async def read(station: str, source: Any) -> None:
            async for scan in source.codes():
                print(_describe(station, scan), flush=True)

        sources = [(io.name, s) for io in stations for s in io.sources]
        tasks = [asyncio.create_task(read(name, s), name=f"read:{s.name}") for name, s in sources]
        stopper: asyncio.Task[Any] = asyncio.create_task(stop.wait())
        try:
            # Until Ctrl-C or SIGTERM, or until every source has ended.
            pending: set[asyncio.Task[Any]] = set(tasks)
            while pending and not stop.is_set():
                done, pending = await asyncio.wait({*pending, stopper}, return_when=asyncio.FIRST_COMPLETED)
                pending.discard(stopper)
                for task in done - {stopper}:
                    if task.exception() is not None:
                        print(f"{task.get_name()}: {task.exception()}", flush=True)
        finally:
            for task in [*tasks, stopper]:
                task.cancel()
            await asyncio.gather(*tasks, stopper, return_exceptions=True)
            for _, source in sources:
                if isinstance(source, ThreadedSource):
                    source.stop()

    asyncio.run(main())
    return 0


def _describe(station: str, scan: RawScan) -> str:
    try:
        text = repr(clean_code(scan.data))
    except BadCode as exc:
        text = f"refused ({exc.reason}): {scan.data!r}"
    kind = "keypad" if scan.keyed else "scan"
    return f"{station} {scan.source} {kind}: {text}"


def hw_print_test(args: Any) -> int:
    """A test page on every station's printer (or one station's); exit 1 if any printer failed."""
    config, config_file = _config(args.config)
    stations, _, _ = build_stations(config, config_file)
    zone = ZoneInfo(config.device.timezone)
    docs = Documents(
        site=config.device.site, device_id=config.device.id, lang=config.device.language, tz=zone
    )
    failed = 0
    for io in stations:
        if io.printer is None or (args.station and io.name != args.station):
            continue
        stamp = Stamp(config.device.id, datetime.now(zone).isoformat(timespec="seconds"), io.name)
        doc = docs.build("test_page", {"printer": io.printer.name}, _no_store(), stamp)
        try:
            io.printer.print_document(doc)
            print(f"{io.name}: test page printed on {io.printer.name}")
        except PrinterError as exc:
            failed += 1
            print(f"{io.name}: printer {io.printer.name} failed: {exc}")
    return 1 if failed else 0


def _no_store() -> Any:
    import sqlite3

    return sqlite3.connect(":memory:")


def hw_lights_test(args: Any) -> int:
    """Walk every cell light, then the status light colours and the buzzer of each station."""
    config, config_file = _config(args.config)
    stations, rack, _ = build_stations(config, config_file)
    channels = range(args.channels) if args.channels else _channels(config, config_file)
    walk(rack, channels, step_s=args.step)
    for io in stations:
        for color in (Color.GREEN, Color.AMBER, Color.RED, Color.OFF):
            if io.status_light is not None:
                io.status_light.show(color)
            time.sleep(args.step)
        if io.buzzer is not None:
            io.buzzer.beep(Beep.OK)
    print(json.dumps({"lights": rack.status()}, default=str))
    return 0


def walk(rack: CellLights, channels: Any, *, step_s: float) -> int:
    """Each channel on for a moment, then off: a person watching sees a dead light at once."""
    count = 0
    for channel in channels:
        rack.show(channel, Pattern.STEADY)
        time.sleep(step_s)
        rack.show(channel, Pattern.OFF)
        count += 1
    rack.clear()
    return count


def _channels(config: Config, config_file: Path) -> range:
    if config.lights.backend == "gpio":
        return range(len(config.lights.pins))
    if config.lights.backend == "shift":
        return range(config.lights.registers * 8)
    return range(8)


def _hw(args: argparse.Namespace) -> int:
    action = {"list": hw_list, "scan": hw_scan, "print-test": hw_print_test}
    action["lights-test"] = hw_lights_test
    return action[args.action](args)


def register(add: Add) -> None:
    p = add("hw", "hardware diagnostics: list, scan, print-test, lights-test", _hw)
    p.add_argument("action", choices=["list", "scan", "print-test", "lights-test"])
    p.add_argument("--config", help="device config file (TOML); list works without one")
    p.add_argument("--station", help="print-test: only this station's printer")
    p.add_argument("--step", type=float, default=LIGHTS_TEST_STEP_S, help="lights-test: seconds per light")
    p.add_argument(
        "--channels", type=int, default=0, help="lights-test: how many channels (default: from config)"
    )
