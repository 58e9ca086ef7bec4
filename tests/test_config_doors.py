"""The [doors] rules: each refusal's reason code and key path; the configs a locker really uses pass."""

from __future__ import annotations

import pytest

from device.config import parse_config
from device.config_schema import Config
from device.exc import ConfigError
from tests.test_config import MINIMAL


def parse(extra: str) -> Config:
    return parse_config(MINIMAL + extra, source="config.toml")


KERONG = """
[doors]
backend = "kerong"
port = "/dev/pvz/doors"
boards = [{ address = 0 }, { address = 1, infrared = true }, { address = 32, model = "cu48" }]
"""

GPIO = """
[doors]
backend = "gpio"
relay_pins = [5, 6]
sensor_pins = [19, 26]
relay_active_high = false
pulse_s = 0.3
"""


def test_accepted() -> None:
    assert parse("").doors.backend == "none"
    assert parse('[doors]\nbackend = "sim"\ncount = 12\n').doors.count == 12
    kerong = parse(KERONG).doors
    assert [(b.address, b.model, b.infrared) for b in kerong.boards] == [
        (0, "cu16", False),
        (1, "cu16", True),
        (32, "cu48", False),
    ]
    gpio = parse(GPIO).doors
    assert (gpio.relay_pins, gpio.sensor_pins, gpio.occupancy_pins) == ([5, 6], [19, 26], [])


@pytest.mark.parametrize(
    ("doors", "reason", "path"),
    [
        ('backend = "sim"', "out_of_range", "$.doors.count"),
        ('backend = "kerong"\nboards = [{ address = 0 }]', "missing_option", "$.doors.port"),
        ('backend = "kerong"\nport = "ttyUSB0"\nboards = [{ address = 0 }]', "bad_value", "$.doors.port"),
        ('backend = "kerong"\nport = "/dev/ttyUSB0"', "missing_option", "$.doors.boards"),
        (
            'backend = "kerong"\nport = "/dev/ttyUSB0"\nboards = [{ address = 16 }]',
            "out_of_range",
            "$.doors.boards[0].address",
        ),
        (
            'backend = "kerong"\nport = "/dev/ttyUSB0"\nboards = [{ address = 3 }, { address = 3 }]',
            "duplicate",
            "$.doors.boards[1].address",
        ),
        (
            # A CU48 at 0x21 would answer the CU16 at 2's frame for its lock 1.
            'backend = "kerong"\nport = "/dev/ttyUSB0"\nboards = [{ address = 2 }, { address = 33, model = "cu48" }]',
            "duplicate",
            "$.doors.boards[1].address",
        ),
        (
            'backend = "kerong"\nport = "/dev/ttyUSB0"\nboards = [{ address = 2, model = "cu48", infrared = true }]',
            "bad_value",
            "$.doors.boards[0].infrared",
        ),
        ('backend = "gpio"', "missing_option", "$.doors.relay_pins"),
        ('backend = "gpio"\nrelay_pins = [5, 6]\nsensor_pins = [19]', "too_short", "$.doors.sensor_pins"),
        (
            'backend = "gpio"\nrelay_pins = [5]\noccupancy_pins = [19, 20]',
            "too_long",
            "$.doors.occupancy_pins",
        ),
        (
            'backend = "gpio"\nrelay_pins = [5, 6]\nsensor_pins = [6, 19]',
            "duplicate",
            "$.doors.sensor_pins[0]",
        ),
        ('backend = "sim"\ncount = 4\nrelay_pins = [5]', "bad_value", "$.doors.relay_pins"),
        ('backend = "gpio"\nrelay_pins = [5]\nport = "/dev/ttyUSB0"', "bad_value", "$.doors.port"),
        (
            'backend = "kerong"\nport = "/dev/x"\nboards = [{ address = 0 }]\ncount = 16',
            "bad_value",
            "$.doors.count",
        ),
        ("count = 3", "bad_value", "$.doors.count"),
        ('backend = "sim"\ncount = 2\npulse_s = 1.0', "bad_value", "$.doors.pulse_s"),
        ('backend = "gpio"\nrelay_pins = [5]\nbaudrate = 9600', "bad_value", "$.doors.baudrate"),
    ],
)
def test_refused(doors: str, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(f"[doors]\n{doors}\n")
    assert (caught.value.reason, caught.value.path) == (reason, path)


def test_a_door_pin_used_by_the_lights_or_a_buzzer() -> None:
    lights = '[lights]\nbackend = "gpio"\npins = [5, 6, 13]\n'
    with pytest.raises(ConfigError) as caught:
        parse(lights + '[doors]\nbackend = "gpio"\nrelay_pins = [20, 21]\noccupancy_pins = [22, 13]\n')
    assert (caught.value.reason, caught.value.path) == ("duplicate", "$.doors.occupancy_pins[1]")
    buzzer = MINIMAL.replace(
        'scanners = [{ backend = "stdin" }]',
        'scanners = [{ backend = "stdin" }]\nbuzzer = { backend = "gpio", pin = 21 }',
    )
    with pytest.raises(ConfigError) as caught:
        parse_config(buzzer + '[doors]\nbackend = "gpio"\nrelay_pins = [20, 21]\n', source="config.toml")
    assert (caught.value.reason, caught.value.path) == ("duplicate", "$.doors.relay_pins[1]")


def test_one_pin_factory_for_every_pin() -> None:
    lights = '[lights]\nbackend = "gpio"\npins = [5]\npin_factory = "lgpio"\n'
    with pytest.raises(ConfigError) as caught:
        parse(lights + '[doors]\nbackend = "gpio"\nrelay_pins = [20]\npin_factory = "rpigpio"\n')
    assert (caught.value.reason, caught.value.path) == ("bad_value", "$.doors.pin_factory")
    assert (
        parse('[doors]\nbackend = "gpio"\nrelay_pins = [20]\npin_factory = "mock"\n').doors.pin_factory
        == "mock"
    )
