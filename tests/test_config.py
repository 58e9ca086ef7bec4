"""Tests for the device config: the example, defaults, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from device.config import load_config, parse_config, resolve_path
from device.config_schema import Config
from device.exc import ConfigError
from device.hardware import build_scale
from device.wiring import policy
from drivers.scale.serial_scale import SerialScale
from tests.support.config import example_copy
from workflows.send_qr import public_key_text

DOCS = Path(__file__).resolve().parent.parent / "docs"
KEY = "ab" * 16

MINIMAL = f"""
[device]
id = "pvz-msk-0001"
site = "msk-0001"

[security]
pickup_key = "{KEY}"

[[stations]]
name = "counter-1"
scanners = [{{ backend = "stdin" }}]
"""


def parse(text: str) -> Config:
    return parse_config(text, source="config.toml")


def test_example_loads(tmp_path: Path) -> None:
    config = load_config(example_copy(tmp_path))
    assert config.device.id == "pvz-msk-0001"
    assert [s.name for s in config.stations] == ["counter-1", "kiosk-1"]
    assert config.stations[0].printer.backend == "usb"
    assert config.stations[1].printer.out_dir == "receipts/kiosk-1"
    assert config.rack.file == "cells.json"
    assert config.security is not None and len(config.security.pickup_key_bytes) == 32


def test_minimal_config_gets_defaults() -> None:
    config = parse(MINIMAL)
    assert (config.device.role, config.device.language) == ("counter", "ru")
    assert config.store.path == "/var/lib/pvz/pvz.db"
    assert config.issue.max_wrong_codes == 5
    assert config.print.width == 42
    assert config.lights.backend == "sim"
    assert config.rack.file is None
    station = config.stations[0]
    assert (station.printer.backend, station.status_light.backend, station.buzzer.backend) == (
        "sim",
        "sim",
        "sim",
    )
    assert config.security is not None and config.security.pickup_key_bytes == bytes.fromhex(KEY)


def test_key_not_in_repr() -> None:
    assert KEY not in repr(parse(MINIMAL))


def _with(extra: str) -> str:
    return MINIMAL + extra


@pytest.mark.parametrize(
    ("text", "reason", "path"),
    [
        # unknown keys, named with where they are
        (
            MINIMAL.replace('name = "counter-1"', 'name = "counter-1"\nprintr = {}'),
            "unknown_field",
            "$.stations[0].printr",
        ),
        (_with("[issue]\nmax_wrong = 3\n"), "unknown_field", "$.issue.max_wrong"),
        (_with("[extra]\n"), "unknown_field", "$.extra"),
        (
            MINIMAL.replace('backend = "stdin"', 'backend = "stdin", baud = 9600'),
            "unknown_field",
            "$.stations[0].scanners[0].baud",
        ),
        # bounds
        (_with("[issue]\nmax_wrong_codes = 0\n"), "out_of_range", "$.issue.max_wrong_codes"),
        (_with("[issue]\nmax_wrong_codes = 101\n"), "out_of_range", "$.issue.max_wrong_codes"),
        (_with("[print]\nwidth = 23\n"), "out_of_range", "$.print.width"),
        (_with("[print]\nwidth = 81\n"), "out_of_range", "$.print.width"),
        # types and choices
        (_with('[print]\nwidth = "42"\n'), "wrong_type", "$.print.width"),
        (_with('[lights]\nbackend = "laser"\n'), "bad_value", "$.lights.backend"),
        (MINIMAL.replace('id = "pvz-msk-0001"', 'id = "PVZ 1"'), "bad_format", "$.device.id"),
        (MINIMAL.replace('site = "msk-0001"\n', ""), "missing_field", "$.device.site"),
        (MINIMAL.replace(KEY, "abc"), "bad_format", "$.security.pickup_key"),
        (MINIMAL.replace(KEY, "zz" * 16), "bad_format", "$.security.pickup_key"),
        (MINIMAL.replace(KEY, "a" * 33), "bad_format", "$.security.pickup_key"),
        (MINIMAL.replace('[{ backend = "stdin" }]', "[]"), "too_short", "$.stations[0].scanners"),
        # semantic checks
        ("stations = []\n" + MINIMAL.split("[[stations]]", maxsplit=1)[0], "too_short", "$.stations"),
        (MINIMAL + MINIMAL.split("[security]")[1].split("\n", 2)[2], "duplicate", "$.stations[1].name"),
        (
            MINIMAL.replace('backend = "stdin"', 'backend = "stdin", pattern = "[0-9]"'),
            "unknown_field",
            "$.stations[0].scanners[0].pattern",
        ),
        (
            MINIMAL.replace('backend = "stdin"', 'backend = "evdev"'),
            "missing_option",
            "$.stations[0].scanners[0]",
        ),
        (_with('[stations.printer]\nbackend = "network"\n'), "missing_option", "$.stations[0].printer.host"),
        (
            _with('[stations.printer]\nbackend = "usb"\nvendor_id = 1208\n'),
            "missing_option",
            "$.stations[0].printer.product_id",
        ),
        (_with('[stations.buzzer]\nbackend = "gpio"\n'), "missing_option", "$.stations[0].buzzer.pin"),
        (
            _with('[stations.printer]\nbackend = "network"\nhost = "10.0.0.5"\nport = 0\n'),
            "out_of_range",
            "$.stations[0].printer.port",
        ),
        (
            _with('[[clerks]]\nbadge = "B-0001"\nname = "A"\n[[clerks]]\nbadge = "B-0001"\nname = "B"\n'),
            "duplicate",
            "$.clerks[1].badge",
        ),
        # two outputs on one GPIO pin: a buzzer on the shift register's data line, a light twice
        (
            _with(
                '[stations.buzzer]\nbackend = "gpio"\npin = 17\n'
                '[lights]\nbackend = "shift"\ndata_pin = 17\nclock_pin = 27\nlatch_pin = 22\n'
            ),
            "duplicate",
            "$.stations[0].buzzer.pin",
        ),
        (_with('[lights]\nbackend = "gpio"\npins = [5, 6, 5]\n'), "duplicate", "$.lights.pins[2]"),
        # TOML syntax
        ("[device\nid = 1", "not_toml", "$"),
        ('[device]\nid = "a"\nid = "b"\n', "not_toml", "$"),
        ("a = " + "[" * 5000 + "]" * 5000, "too_deep", "$"),
    ],
)
def test_bad_config_names_the_key(text: str, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert (info.value.reason, info.value.path) == (reason, path)
    assert str(info.value).startswith("config.toml: ")
    if reason != "not_toml":  # the TOML parser names a line, not a path
        assert str(info.value).startswith(f"config.toml: {path}: ") and str(info.value).endswith(
            f"({reason})"
        )


def test_same_device_path_on_two_stations() -> None:
    text = MINIMAL.replace('backend = "stdin"', 'backend = "serial", path = "/dev/ttyACM0"')
    text += '[[stations]]\nname = "kiosk-1"\nscanners = [{ backend = "evdev", path = "/dev/ttyACM0" }]\n'
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert (info.value.reason, info.value.path) == ("duplicate", "$.stations[1].scanners[0].path")
    assert "`/dev/ttyACM0` is already used by $.stations[0].scanners[0]" in str(info.value)


def test_load_config_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "missing.toml")
    assert info.value.reason == "unreadable" and "cannot read config" in str(info.value)
    path = tmp_path / "pvz.toml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.reason == "not_utf8" and "cannot read config" in str(info.value)
    path.write_text(MINIMAL + "[print]\nwidth = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert (info.value.reason, info.value.path) == ("out_of_range", "$.print.width")
    assert str(info.value).startswith(f"{path}: $.print.width: ")


def test_resolve_path(tmp_path: Path) -> None:
    assert resolve_path(tmp_path / "pvz.toml", "cells.json") == tmp_path / "cells.json"
    assert resolve_path(tmp_path / "pvz.toml", "/etc/pvz/cells.json") == Path("/etc/pvz/cells.json")


def test_the_examples_placeholder_and_published_keys_are_refused_with_the_way_out() -> None:
    from device.config import KEY_PLACEHOLDER, PUBLISHED_KEY, SIM_KEY

    with pytest.raises(ConfigError) as caught:
        load_config(DOCS / "config.example.toml")
    assert (caught.value.reason, caught.value.path) == ("published_key", "$.security.pickup_key")
    assert "openssl rand -hex 32" in caught.value.detail
    for key in (KEY_PLACEHOLDER, PUBLISHED_KEY, PUBLISHED_KEY.upper()):
        with pytest.raises(ConfigError) as caught:
            parse(MINIMAL.replace(KEY, key))
        assert (caught.value.reason, caught.value.path) == ("published_key", "$.security.pickup_key")
    # The simulation's key passes on a device where nothing is real, and nowhere else.
    for security in (
        parse(MINIMAL.replace(KEY, SIM_KEY)).security,
        load_config(DOCS / "examples/sim.toml").security,
    ):
        assert security is not None and security.pickup_key == SIM_KEY
    for real in ('[mqtt]\nhost = "broker"\n', '[lights]\nbackend = "gpio"\npins = [4]\n'):
        with pytest.raises(ConfigError) as caught:
            parse(MINIMAL.replace(KEY, SIM_KEY) + real)
        assert caught.value.reason == "published_key"
        assert "simulated devices only" in caught.value.detail


@pytest.mark.parametrize(
    ("extra", "reason", "path"),
    [
        ('[send]\npublic_key = "bm90IGEga2V5"\n', "bad_value", "$.send.public_key"),
        ("[send]\nmax_weight_g = 0\n", "out_of_range", "$.send.max_weight_g"),
        ("[send]\nmax_side_cm = 200\n", "bad_value", "$.send.max_side_cm"),
        ('[send]\nscale = "serial"\n', "missing_option", "$.send.scale_path"),
        ('[send]\nscale = "usb"\n', "bad_value", "$.send.scale"),
    ],
)
def test_bad_send_config_names_the_key(extra: str, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(_with(extra))
    assert (info.value.reason, info.value.path) == (reason, path)


def test_a_send_config_gives_the_rules_and_the_scale() -> None:
    public = public_key_text(Ed25519PrivateKey.generate())
    config = parse(
        _with(
            f'[send]\npublic_key = "{public}"\nmax_weight_g = 10000\nscale = "serial"\n'
            'scale_path = "/dev/ttyUSB0"\n'
        )
    )
    rules = policy(config).send
    assert (rules.public_key, rules.max_weight_g, rules.scale) == (public, 10_000, True)
    scale = build_scale(config)
    assert isinstance(scale, SerialScale) and scale.path == "/dev/ttyUSB0"
    assert build_scale(parse(MINIMAL)) is None
