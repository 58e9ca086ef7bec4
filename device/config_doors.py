"""The [doors] rules a type cannot say: what each backend needs, boards that would answer for each other, pins.

Checked with the rest of the config before any device is opened (device/config.py), each
refusal a reason code and the key's path, so a locker is never started half-described.
"""

from __future__ import annotations

from collections.abc import Callable

from device.config_schema import Config, DoorsSection
from device.exc import ConfigError

Fail = Callable[[str, str, str], ConfigError]

CU16_MAX_ADDRESS = 15  # four DIP switches: the address is ADDR's high nibble


def check_doors(config: Config, fail: Fail) -> None:
    """Raise the first thing wrong with `config.doors` through `fail(path, reason, message)`."""
    doors = config.doors
    _check_unread(doors, fail)
    if doors.backend == "sim" and doors.count < 1:
        raise fail("$.doors.count", "out_of_range", "backend `sim` needs `count`: how many doors, 1 or more")
    if doors.backend == "kerong":
        _check_kerong(doors, fail)
    if doors.backend == "gpio":
        _check_gpio(config, fail)


def door_pins(doors: DoorsSection) -> list[tuple[str, int]]:
    """Every GPIO pin the doors use, inputs too, as (its key's path, its pin)."""
    if doors.backend != "gpio":
        return []
    return [
        (f"$.doors.{key}[{i}]", pin)
        for key in ("relay_pins", "sensor_pins", "occupancy_pins")
        for i, pin in enumerate(getattr(doors, key))
    ]


# Options only one backend reads; set for another they would silently do nothing. Those with a
# default are refused when set to anything else (the default itself cannot be told from no option).
_READ_BY = {
    "count": "sim",
    "sim_take_after_s": "sim",
    "port": "kerong",
    "boards": "kerong",
    "baudrate": "kerong",
    "relay_pins": "gpio",
    "sensor_pins": "gpio",
    "occupancy_pins": "gpio",
    "pin_factory": "gpio",
    "relay_active_high": "gpio",
    "pulse_s": "gpio",
}
_DEFAULTS = DoorsSection()


def _check_unread(doors: DoorsSection, fail: Fail) -> None:
    for key, backend in _READ_BY.items():
        if doors.backend != backend and getattr(doors, key) != getattr(_DEFAULTS, key):
            raise fail(
                f"$.doors.{key}",
                "bad_value",
                f"`{key}` is read only by backend `{backend}`, and backend is `{doors.backend}`: remove it",
            )


def _check_kerong(doors: DoorsSection, fail: Fail) -> None:
    if doors.port is None:
        raise fail("$.doors.port", "missing_option", "backend `kerong` needs `port`, e.g. /dev/pvz/doors")
    if not doors.port.startswith("/"):
        raise fail("$.doors.port", "bad_value", f"`{doors.port}` is not a device path such as /dev/pvz/doors")
    if not doors.boards:
        raise fail(
            "$.doors.boards", "missing_option", "backend `kerong` needs `boards`: each board's address"
        )
    # The bytes a board answers to: a CU16 every ADDR with its address in the high nibble, a CU48 its own.
    answers: dict[int, int] = {}
    for i, board in enumerate(doors.boards):
        at = f"$.doors.boards[{i}]"
        if board.model == "cu16" and board.address > CU16_MAX_ADDRESS:
            raise fail(
                f"{at}.address",
                "out_of_range",
                f"a CU16's address is 0-{CU16_MAX_ADDRESS} (its DIP switches)",
            )
        if board.infrared and board.model != "cu16":
            raise fail(f"{at}.infrared", "bad_value", f"a {board.model.upper()} reports no infrared sensors")
        owned = (
            range(board.address << 4, (board.address << 4) + 16) if board.model == "cu16" else [board.address]
        )
        for byte in owned:
            if byte in answers:
                other = answers[byte]
                raise fail(
                    f"{at}.address",
                    "duplicate",
                    f"board {board.address} would answer for $.doors.boards[{other}] too: set another address",
                )
            answers[byte] = i


def _check_gpio(config: Config, fail: Fail) -> None:
    doors = config.doors
    if not doors.relay_pins:
        raise fail("$.doors.relay_pins", "missing_option", "backend `gpio` needs `relay_pins`, one per door")
    for key in ("sensor_pins", "occupancy_pins"):
        pins = getattr(doors, key)
        if pins and len(pins) != len(doors.relay_pins):
            reason = "too_short" if len(pins) < len(doors.relay_pins) else "too_long"
            raise fail(
                f"$.doors.{key}",
                reason,
                f"{len(pins)} pins for {len(doors.relay_pins)} doors: one per door (in relay_pins' order) or none",
            )
    others = config.lights.backend != "sim" or any(
        st.status_light.backend == "gpio" or st.buzzer.backend == "gpio" for st in config.stations
    )
    if others and doors.pin_factory != config.lights.pin_factory:
        raise fail(
            "$.doors.pin_factory",
            "bad_value",
            f"`{doors.pin_factory}` differs from lights.pin_factory `{config.lights.pin_factory}`: "
            "one GPIO library drives every pin",
        )
