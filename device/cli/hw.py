"""`pvz hw`: what hardware was found, scans as they arrive, a test page, a walk over every cell light, the doors."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from device import hardware_status
from device.cli.common import Add
from device.cli.hw_doors import hw_doors
from device.config import load_config, resolve_path
from device.config_schema import Config
from device.documents.registry import Documents
from device.hardware import LIGHTS_TEST_STEP_S, build_doors
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
    """Every configured part's state (from the running daemon when one holds the store), and the
    machine's input devices and serial ports; exit 1 when a part has a problem."""
    found: dict[str, Any] = {"input_devices": _probe("drivers.scanner.evdev_scanner", "find_devices")}
    found["serial_ports"] = _probe("drivers.scanner.serial_scanner", "find_ports")
    parts: list[hardware_status.PartRow] = []
    doubt: str | None = None
    if args.config:
        config, config_file = _config(args.config)
        store_path = resolve_path(config_file, config.store.path)
        pid = hardware_status.daemon_pid(store_path)
        if pid is not None:
            found["source"] = f"daemon pid {pid}"
            parts, doubt = hardware_status.read_status(store_path)
        else:
            found["source"] = "looked now (no daemon holds the store)"
            stations, rack, hw = build_stations(config, config_file)
            doors = build_doors(config, hw)
            try:
                parts = hardware_status.rows(stations, rack, hw, look=True, doors=doors)
            finally:
                if doors is not None:
                    doors.close()
        found["parts"] = [asdict(row) for row in parts]
        found["problems"] = hardware_status.problems(parts) + ([doubt] if doubt else [])
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
    else:
        print(_table(found, parts, doubt))
    return 1 if found.get("problems") else 0


_COLUMNS = ("station", "device", "name", "backend", "found", "connected", "ready")


def _table(found: dict[str, Any], parts: list[hardware_status.PartRow], doubt: str | None) -> str:
    """The parts as aligned columns, each problem under its part with what to do."""
    lines: list[str] = []
    if "source" in found:
        lines.append(f"source: {found['source']}")
        cells = [list(_COLUMNS)] + [[_cell(getattr(row, c)) for c in _COLUMNS] for row in parts]
        widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS))]
        for index, line in enumerate(cells):
            lines.append("  ".join(text.ljust(w) for text, w in zip(line, widths, strict=True)).rstrip())
            row = parts[index - 1] if index else None
            if row is not None and row.detail is not None:
                lines.append(f"    state:   {row.detail}")
            if row is not None and row.problem is not None:
                lines.append(f"    problem: {row.problem}")
                if row.todo is not None:
                    lines.append(f"    to do:   {row.todo}")
        if doubt is not None:
            lines.append(f"problem: {doubt}")
        count = len(found["problems"])
        lines.append("all parts ready" if not count else f"{count} problem(s)")
    devices = found["input_devices"]
    ports = found["serial_ports"]
    lines.append(f"input devices on this machine: {_machine(devices, 'path')}")
    lines.append(f"serial ports on this machine: {_machine(ports, 'path')}")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


def _machine(found: Any, key: str) -> str:
    if isinstance(found, dict):
        return f"cannot list ({found.get('error')})"
    if not found:
        return "none"
    return ", ".join(str(item.get(key, item)) if isinstance(item, dict) else str(item) for item in found)


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
    """Walk every cell light saying which cell is lit, then each station's status light and buzzer."""
    config, config_file = _config(args.config)
    stations, rack, hw = build_stations(config, config_file)
    for problem in hw.problems:
        print(f"problem: {problem}", flush=True)
    channels = range(args.channels) if args.channels else _channels(config, config_file)
    cells = _cells(resolve_path(config_file, config.store.path))

    def say(channel: int) -> None:
        print(f"channel {channel}: {_cell_name(cells.get(channel))} lit", flush=True)

    count = walk(rack, channels, step_s=args.step, say=say)
    for io in stations:
        for color in (Color.GREEN, Color.AMBER, Color.RED, Color.OFF):
            if io.status_light is not None:
                io.status_light.show(color)
                print(f"{io.name}: status light {color.value}", flush=True)
            time.sleep(args.step)
        if io.buzzer is not None:
            io.buzzer.beep(Beep.OK)
            print(f"{io.name}: buzzer beeped", flush=True)
    lit = rack.status().get("lit")
    print(f"{count} channel(s) walked; cell lights now {'off' if not lit else f'still lit: {lit}'}")
    return 1 if hw.problems or lit else 0


def _cells(store_path: Path) -> dict[int, tuple[str, str]]:
    """Channel → (address, label) of the rack's cells, read-only from the store; empty without one."""
    import sqlite3

    if not store_path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"{store_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT channel, address, label FROM cells").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return {int(channel): (str(address), str(label)) for channel, address, label in rows}


def _cell_name(cell: tuple[str, str] | None) -> str:
    if cell is None:
        return "no cell on this channel,"
    address, label = cell
    return f"cell {address}" if address == label else f"cell {address} (label {label})"


def walk(rack: CellLights, channels: Any, *, step_s: float, say: Callable[[int], None] | None = None) -> int:
    """Each channel on for a moment, then off: a person watching sees a dead light at once."""
    count = 0
    for channel in channels:
        rack.show(channel, Pattern.STEADY)
        if say is not None:
            say(channel)
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
    action["doors"] = hw_doors
    return action[args.action](args)


def register(add: Add) -> None:
    p = add("hw", "hardware: list, scan, print-test, lights-test, doors", _hw)
    p.add_argument("action", choices=["list", "scan", "print-test", "lights-test", "doors"])
    p.add_argument("--config", help="device config file (TOML); list works without one")
    p.add_argument("--json", action="store_true", help="list, doors: the same as JSON, for scripts")
    p.add_argument("--station", help="print-test: only this station's printer")
    p.add_argument("--step", type=float, default=LIGHTS_TEST_STEP_S, help="lights-test: seconds per light")
    p.add_argument(
        "--channels", type=int, default=0, help="lights-test: how many channels (default: from config)"
    )
