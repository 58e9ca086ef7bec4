"""Drivers from config: the one place that turns backend names into scanner, printer, light and door objects.

A device named in config but absent does not stop the daemon: a scanner waits for it to be
plugged in, a printer keeps its jobs queued, and lights that cannot be driven fall back to
the simulated twin with an error in the log and in `status()`. Doors never do (build_doors).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from device.config import resolve_path
from device.config_schema import Config, PrinterConfig, ScannerConfig, SignalConfig
from drivers.base import Buzzer, CellLights, CodeSource, Printer, StatusLight
from drivers.doors.base import Doors
from drivers.doors.faults import DoorFault
from drivers.doors.sim_doors import SimDoors
from drivers.exc import DriverError, UnknownBackend
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimStatusLight
from drivers.printer.escpos_render import DEFAULT_PROFILE
from drivers.printer.sim_printer import SimPrinter
from drivers.scale.base import Scale
from drivers.scale.serial_scale import SerialScale
from drivers.scale.sim_scale import SimScale
from drivers.scanner.sim_input import ScriptSource, StreamSource
from drivers.speech.base import Speaker

LIGHTS_TEST_STEP_S = 0.3  # how long each cell stays lit in a lights test (pvz hw, the fleet command)

log = logging.getLogger("pvz.hardware")


@dataclass
class Hardware:
    """What was built, and what could not be (shown by `pvz hw list` and in telemetry)."""

    problems: list[str] = field(default_factory=list)
    pin_factory: Any = None

    def status(self) -> dict[str, Any]:
        return {"problems": list(self.problems)}


def scanner(cfg: ScannerConfig, name: str, config_file: Path) -> CodeSource:
    if cfg.backend == "stdin":
        return StreamSource(name=name)
    if cfg.backend == "script":
        if cfg.path is None:
            raise UnknownBackend(f"{name}: script scanner needs `path`")
        source = ScriptSource(
            name=name, codes=resolve_path(config_file, cfg.path).read_bytes().splitlines(), keyed=cfg.keypad
        )
        source.close()
        return source
    if cfg.backend == "evdev":
        from drivers.scanner.evdev_scanner import EvdevScanner

        return EvdevScanner(
            name=name,
            path=cfg.path,
            device=cfg.device,
            keypad=cfg.keypad,
            layout=cfg.layout,
            terminator=cfg.terminator or "enter",
            prefix=cfg.prefix,
            suffix=cfg.suffix,
            max_gap_ms=cfg.max_gap_ms,
        )
    from drivers.scanner.serial_scanner import SerialScanner

    return SerialScanner(
        name=name,
        path=cfg.path,
        device=cfg.device,
        baudrate=cfg.baudrate,
        terminator=cfg.terminator or "cr",
        prefix=cfg.prefix,
        suffix=cfg.suffix,
        keypad=cfg.keypad,
    )


def printer(cfg: PrinterConfig, name: str, config_file: Path, width: int) -> Printer:
    profile = cfg.profile or DEFAULT_PROFILE
    if cfg.backend == "sim":
        out = None if cfg.out_dir is None else resolve_path(config_file, cfg.out_dir)
        return SimPrinter(out_dir=out, width=width, name=name, profile=profile)
    from drivers.printer.escpos_printer import EscposPrinter

    return EscposPrinter(
        name=name,
        backend=cfg.backend,
        profile=profile,
        width=width,
        path=None if cfg.path is None else str(resolve_path(config_file, cfg.path)),
        host=cfg.host,
        port=cfg.port,
        vendor_id=cfg.vendor_id,
        product_id=cfg.product_id,
        baudrate=cfg.baudrate,
        timeout_s=cfg.timeout_s,
    )


def _factory(config: Config, hw: Hardware) -> Any:
    if hw.pin_factory is None:
        from drivers.lights.pin_factories import make_factory

        hw.pin_factory = make_factory(config.lights.pin_factory)
    return hw.pin_factory


def cell_lights(config: Config, hw: Hardware) -> CellLights:
    lights = config.lights
    if lights.backend == "sim":
        return SimCellLights()
    try:
        from drivers.lights.gpio_lights import GpioCellLights, ShiftRegisterLights

        factory = _factory(config, hw)
        if lights.backend == "gpio":
            return GpioCellLights(pins=list(lights.pins), pin_factory=factory, timeout_s=lights.timeout_s)
        assert lights.data_pin is not None and lights.clock_pin is not None and lights.latch_pin is not None
        return ShiftRegisterLights(
            data_pin=lights.data_pin,
            clock_pin=lights.clock_pin,
            latch_pin=lights.latch_pin,
            registers=lights.registers,
            pin_factory=factory,
            timeout_s=lights.timeout_s,
        )
    except (DriverError, OSError, ImportError, RuntimeError) as exc:
        return _fallback(hw, f"cell lights ({lights.backend}) unavailable: {exc}", SimCellLights())


def status_light(config: Config, cfg: SignalConfig, station: str, hw: Hardware) -> StatusLight:
    if cfg.backend == "sim" or cfg.pins is None:
        return SimStatusLight()
    try:
        from drivers.lights.gpio_lights import GpioStatusLight

        green, amber, red = cfg.pins
        return GpioStatusLight(green=green, amber=amber, red=red, pin_factory=_factory(config, hw))
    except (DriverError, OSError, ImportError, RuntimeError) as exc:
        return _fallback(hw, f"{station}: status light unavailable: {exc}", SimStatusLight())


def buzzer(config: Config, cfg: SignalConfig, station: str, hw: Hardware) -> Buzzer:
    if cfg.backend == "sim" or cfg.pin is None:
        return SimBuzzer()
    try:
        from drivers.lights.gpio_lights import GpioBuzzer

        return GpioBuzzer(pin=cfg.pin, pin_factory=_factory(config, hw))
    except (DriverError, OSError, ImportError, RuntimeError) as exc:
        return _fallback(hw, f"{station}: buzzer unavailable: {exc}", SimBuzzer())


def speaker(config: Config, hw: Hardware) -> Speaker | None:
    """`[kiosk] speaker`: an ALSA device spoken on through espeak-ng, "sim" for the twin, "" for none."""
    device = config.kiosk.speaker
    if not device:
        return None
    from drivers.speech.sim_speech import SimSpeaker

    if device == "sim":
        return SimSpeaker()
    from drivers.speech.espeak import EspeakSpeaker

    if not EspeakSpeaker.available():
        return _fallback(hw, "speaker unavailable: espeak-ng or aplay is not installed", SimSpeaker())
    return EspeakSpeaker(device=device)


def build_doors(config: Config, hw: Hardware | None = None) -> Doors | None:
    """The locker's doors, or None without any ([doors] backend "none": a counter, an open shelf).

    Real doors that cannot be driven are never replaced by the simulated twin (a kiosk would
    believe doors opened): a Kerong bus whose port is absent keeps trying it at each request, and
    GPIO doors whose pins cannot be had become OfflineDoors, every call failing with the reason.
    """
    doors = config.doors
    if doors.backend == "none":
        return None
    if doors.backend == "sim":
        return SimDoors(doors.count, take_after_s=doors.sim_take_after_s)
    if doors.backend == "station":
        from device.site.remote_doors import RemoteDoors

        # device.config_site: `station` names one of [[site.stations]]
        station = next(st for st in config.site.stations if st.name == doors.station)
        return RemoteDoors(
            station=station.name,
            device=station.device,
            site=config.device.site,
            timeout_s=config.site.door_timeout_s,
        )
    if doors.backend == "kerong":
        from drivers.doors.kerong import Board, KerongDoors

        assert doors.port is not None  # device.config_doors
        boards = [Board.of(b.address, b.model, b.infrared) for b in doors.boards]
        return KerongDoors(port=doors.port, boards=boards, baudrate=doors.baudrate)
    from drivers.doors.gpio_doors import GpioDoors
    from drivers.doors.offline import OfflineDoors

    hw = hw or Hardware()
    try:
        if hw.pin_factory is None:
            from drivers.lights.pin_factories import make_factory

            # One factory for every pin: config_doors holds doors.pin_factory to lights' when both use GPIO.
            hw.pin_factory = make_factory(doors.pin_factory)
        return GpioDoors(
            relay_pins=doors.relay_pins,
            sensor_pins=doors.sensor_pins,
            occupancy_pins=doors.occupancy_pins,
            pin_factory=hw.pin_factory,
            relay_active_high=doors.relay_active_high,
            pulse_s=doors.pulse_s,
        )
    except (DriverError, OSError, ImportError, RuntimeError) as exc:
        fault = exc if isinstance(exc, DoorFault) else DoorFault(str(exc), reason="gpio_unavailable")
        log.error("doors (gpio) unavailable: %s; every door command will fail until this is fixed", fault)
        return OfflineDoors(count=len(doors.relay_pins), backend="gpio", fault=fault)


T = TypeVar("T")


def _fallback(hw: Hardware, problem: str, twin: T) -> T:
    """Keep the counter working without the part: log it loudly and show it in status."""
    log.error("%s; using the simulated twin", problem)
    hw.problems.append(problem)
    return twin


def build_scale(config: Config) -> Scale | None:
    """The counter's scale from [send]: None when the weight is typed."""
    send = config.send
    if send.scale == "serial":
        return SerialScale(name="scale", path=send.scale_path, baudrate=send.scale_baudrate)
    if send.scale == "sim":
        return SimScale(name="scale")
    return None
