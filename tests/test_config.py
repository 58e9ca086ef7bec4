"""Tests for the device config: the example, defaults, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.config import Config, load_config, parse_config, resolve_path
from device.exc import ConfigError

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


def test_example_loads() -> None:
    config = load_config(DOCS / "config.example.toml")
    assert config.device.id == "pvz-msk-0001"
    assert [s.name for s in config.stations] == ["counter-1", "kiosk-1"]
    assert config.stations[0].printer.backend == "usb"
    assert config.stations[1].printer.out_dir == "receipts/kiosk-1"
    assert config.rack.file == "cells.json"
    assert len(config.security.pickup_key_bytes) == 32


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
    assert config.security.pickup_key_bytes == bytes.fromhex(KEY)


def test_key_not_in_repr() -> None:
    assert KEY not in repr(parse(MINIMAL))


def _with(extra: str) -> str:
    return MINIMAL + extra


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # unknown keys, named with where they are
        (
            MINIMAL.replace('name = "counter-1"', 'name = "counter-1"\nprintr = {}'),
            "unknown field `printr` at `$.stations[0]`",
        ),
        (_with("[issue]\nmax_wrong = 3\n"), "unknown field `max_wrong` at `$.issue`"),
        (_with("[extra]\n"), "unknown field `extra` at `$`"),
        (
            MINIMAL.replace('backend = "stdin"', 'backend = "stdin", baud = 9600'),
            "unknown field `baud` at `$.stations[0].scanners[0]`",
        ),
        # bounds
        (_with("[issue]\nmax_wrong_codes = 0\n"), "expected `int` >= 1 at `$.issue.max_wrong_codes`"),
        (_with("[issue]\nmax_wrong_codes = 101\n"), "expected `int` <= 100 at `$.issue.max_wrong_codes`"),
        (_with("[print]\nwidth = 23\n"), "expected `int` >= 24 at `$.print.width`"),
        (_with("[print]\nwidth = 81\n"), "expected `int` <= 80 at `$.print.width`"),
        # types and choices
        (_with('[print]\nwidth = "42"\n'), "expected `int`, got `str` at `$.print.width`"),
        (_with('[lights]\nbackend = "laser"\n'), "`$.lights.backend`"),
        (MINIMAL.replace('id = "pvz-msk-0001"', 'id = "PVZ 1"'), "`$.device.id`"),
        (MINIMAL.replace('site = "msk-0001"\n', ""), "missing required field `site` at `$.device`"),
        (MINIMAL.replace(KEY, "abc"), "`$.security.pickup_key`"),
        (MINIMAL.replace(KEY, "zz" * 16), "`$.security.pickup_key`"),
        (MINIMAL.replace(KEY, "a" * 33), "`$.security.pickup_key`"),
        (MINIMAL.replace('[{ backend = "stdin" }]', "[]"), "`$.stations[0].scanners`"),
        # semantic checks
        (
            "stations = []\n" + MINIMAL.split("[[stations]]", maxsplit=1)[0],
            "at least one [[stations]] entry is required at `$.stations`",
        ),
        (
            MINIMAL + MINIMAL.split("[security]")[1].split("\n", 2)[2],
            "duplicate station name `counter-1` (also $.stations[0]) at `$.stations[1].name`",
        ),
        (
            MINIMAL.replace('backend = "stdin"', 'backend = "stdin", pattern = "[0-9]"'),
            "unknown field `pattern`",
        ),
        (
            MINIMAL.replace('backend = "stdin"', 'backend = "evdev"'),
            "scanner backend `evdev` needs `path` or `device` at `$.stations[0].scanners[0]`",
        ),
        (
            _with('[stations.printer]\nbackend = "network"\n'),
            "printer backend `network` needs `host` at `$.stations[0].printer`",
        ),
        (_with('[stations.printer]\nbackend = "usb"\nvendor_id = 1208\n'), "needs `product_id`"),
        (
            _with('[stations.buzzer]\nbackend = "gpio"\n'),
            "backend `gpio` needs `pin` at `$.stations[0].buzzer`",
        ),
        (
            _with('[stations.printer]\nbackend = "network"\nhost = "10.0.0.5"\nport = 0\n'),
            "`$.stations[0].printer.port`",
        ),
        # TOML syntax
        ("[device\nid = 1", "config.toml: invalid TOML"),
        ('[device]\nid = "a"\nid = "b"\n', "config.toml: invalid TOML"),
    ],
)
def test_bad_config_names_the_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse(text)
    assert str(info.value).startswith("config.toml: ")
    assert expected in str(info.value)


def test_same_device_path_on_two_stations() -> None:
    text = MINIMAL.replace('backend = "stdin"', 'backend = "serial", path = "/dev/ttyACM0"')
    text += '[[stations]]\nname = "kiosk-1"\nscanners = [{ backend = "evdev", path = "/dev/ttyACM0" }]\n'
    with pytest.raises(
        ConfigError, match=r"`/dev/ttyACM0` is already used by \$\.stations\[0\]\.scanners\[0\]"
    ):
        parse(text)


def test_load_config_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "missing.toml")
    path = tmp_path / "pvz.toml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(path)
    path.write_text(MINIMAL + "[print]\nwidth = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{path}: .*`\$\.print\.width`"):
        load_config(path)


def test_resolve_path(tmp_path: Path) -> None:
    assert resolve_path(tmp_path / "pvz.toml", "cells.json") == tmp_path / "cells.json"
    assert resolve_path(tmp_path / "pvz.toml", "/etc/pvz/cells.json") == Path("/etc/pvz/cells.json")
