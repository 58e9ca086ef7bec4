"""gpiozero pin factories by config name (auto, rpigpio, lgpio, mock) and typed GPIO outputs on them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

from drivers.exc import DriverError, UnknownBackend

FactoryName = Literal["auto", "rpigpio", "lgpio", "mock"]

# Where the kernel names the board; the first is a symlink to the second on Raspberry Pi OS.
MODEL_PATHS = (Path("/proc/device-tree/model"), Path("/sys/firmware/devicetree/base/model"))

# Per factory: the module holding it, its class, and the library a missing import means.
_FACTORIES = {
    "rpigpio": ("gpiozero.pins.rpigpio", "RPiGPIOFactory", "RPi.GPIO (pip install RPi.GPIO)"),
    "lgpio": (
        "gpiozero.pins.lgpio",
        "LGPIOFactory",
        "lgpio (apt install python3-lgpio, or pip install lgpio)",
    ),
}


class GpioUnavailable(DriverError, RuntimeError):
    """GPIO cannot be driven: no Raspberry Pi, a GPIO library missing, or a pin unusable."""


class RawPin(Protocol):
    """A gpiozero pin: its level, written without the device layers (for fast bit-banging)."""

    state: int


class Output(Protocol):
    """The part of a gpiozero DigitalOutputDevice (LED, Buzzer) the drivers use."""

    value: int
    pin: RawPin

    def on(self) -> None: ...

    def off(self) -> None: ...

    def blink(
        self, on_time: float = 1, off_time: float = 1, n: int | None = None, background: bool = True
    ) -> None: ...

    def close(self) -> None: ...


def board_model(paths: Sequence[Path] = MODEL_PATHS) -> str | None:
    """The board's model string ("Raspberry Pi 5 Model B Rev 1.0"), or None where there is none."""
    for path in paths:
        try:
            return path.read_bytes().rstrip(b"\0\n").decode("utf-8", "replace")
        except OSError:
            continue
    return None


def make_factory(name: FactoryName, *, model_paths: Sequence[Path] = MODEL_PATHS) -> Any:
    """A gpiozero pin factory; "auto" picks lgpio on a Pi 5 and RPi.GPIO (then lgpio) on older Pis.

    Raises GpioUnavailable naming what is missing: the board, or the GPIO library.
    """
    if name == "mock":
        from gpiozero.pins.mock import MockFactory

        return MockFactory()
    if name in _FACTORIES:
        return _load(name)
    if name != "auto":
        raise UnknownBackend(f"unknown pin factory `{name}` (auto, rpigpio, lgpio or mock)")
    model = board_model(model_paths)
    if model is None or "Raspberry Pi" not in model:
        where = " or ".join(str(p) for p in model_paths)
        found = "no board model" if model is None else f"board `{model}`"
        raise GpioUnavailable(
            f"no Raspberry Pi found ({found} in {where}); set lights.pin_factory = 'mock' to run without GPIO"
        )
    # RPi.GPIO cannot drive the RP1 chip of a Pi 5; lgpio drives every model.
    candidates = ["lgpio"] if "Raspberry Pi 5" in model else ["rpigpio", "lgpio"]
    reasons: list[str] = []
    for candidate in candidates:
        try:
            return _load(candidate)
        except GpioUnavailable as exc:
            reasons.append(str(exc))
    raise GpioUnavailable(f"{model}: no usable GPIO library: " + "; ".join(reasons))


def _load(name: str) -> Any:
    module_name, class_name, library = _FACTORIES[name]
    try:
        module = __import__(module_name, fromlist=[class_name])
    except ImportError as exc:
        raise GpioUnavailable(f"{library} is not installed ({exc})") from exc
    except RuntimeError as exc:  # RPi.GPIO refuses to import off a Pi
        raise GpioUnavailable(f"{library} cannot run here ({exc})") from exc
    except OSError as exc:
        # lgpio makes its notification pipe in the working directory (or $LG_WD) on import; in a
        # read-only one (`/` under ProtectSystem=strict) that is a bare FileNotFoundError.
        raise GpioUnavailable(
            f"{library} cannot start: it needs a writable working directory, and {_workdir()} is not "
            f"({exc}); set WorkingDirectory= or LG_WD to a writable directory"
        ) from exc
    try:
        return getattr(module, class_name)()
    except Exception as exc:  # lgpio raises its own `lgpio.error`; any failure here means no GPIO
        raise GpioUnavailable(f"{library} cannot open the GPIO chip ({exc})") from exc


def _workdir() -> str:
    """Where lgpio puts its pipe: $LG_WD, else the working directory (which may be gone)."""
    if wd := os.environ.get("LG_WD"):
        return wd
    try:
        return str(Path.cwd())
    except OSError:
        return "the working directory"


def open_output(
    pin: int, *, pin_factory: Any, purpose: str, active_high: bool = True, kind: str = "LED"
) -> Output:
    """A gpiozero output device (`kind`: LED or Buzzer) on BCM `pin`, initially off.

    A pin that is invalid or already taken raises GpioUnavailable naming `purpose`.
    """
    import gpiozero
    from gpiozero.exc import GPIOZeroError

    cls = getattr(gpiozero, kind)
    try:
        device: Output = cls(pin, active_high=active_high, initial_value=False, pin_factory=pin_factory)
    except (GPIOZeroError, ValueError, OSError) as exc:
        raise GpioUnavailable(f"{purpose}: cannot use GPIO{pin}: {exc}") from exc
    return device


def close_all(devices: Sequence[Output]) -> None:
    """Close every device, even when one of them fails to close; then raise the first failure."""
    first: Exception | None = None
    for device in devices:
        try:
            device.close()
        except Exception as exc:  # noqa: BLE001 - closing must reach every pin; re-raised below
            first = first or exc
    if first is not None:
        raise first
