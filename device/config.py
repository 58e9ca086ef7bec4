"""Loading the device config (TOML): the schema (device.config_schema), then what types cannot say, with errors that name the key."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from device.config_doors import check_doors, door_pins
from device.config_schema import Config, PrinterConfig
from device.config_site import check_site
from device.decode import convert, unique_index
from device.exc import ConfigError
from workflows.send_qr import load_public_key

_Fail = Callable[[str, str, str], ConfigError]

# docs/config.example.toml carries this in place of a key; a copied example is refused with the way out.
KEY_PLACEHOLDER = "CHANGE-ME: openssl rand -hex 32"
MAKE_KEY = "generate the site's own with `openssl rand -hex 32` and give central the same key"
# Keys published with pvz: anyone could compute a customer's pickup code hash with them. The
# example's old key is refused everywhere; docs/examples/sim.toml's only where nothing is real.
PUBLISHED_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
SIM_KEY = "00112233445566778899aabbccddeeff"


def load_config(path: Path | str) -> Config:
    """Read and check the config file at `path`."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}", reason="unreadable") from exc
    except UnicodeDecodeError as exc:
        detail = f"cannot read config: not UTF-8 at byte {exc.start}"
        raise ConfigError(f"{path}: {detail}", reason="not_utf8", detail=detail) from exc
    return parse_config(text, source=str(path))


def parse_config(text: str, *, source: str) -> Config:
    """Parse TOML text into a Config; `source` prefixes every error message."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}", reason="not_toml", detail=str(exc)) from exc
    except RecursionError:
        raise ConfigError.at("$", "too_deep", "nested too deeply", what=source) from None
    return check_config(data, source=source)


def check_config(data: Mapping[str, Any], *, source: str) -> Config:
    """Check parsed data (a TOML table, a merged overlay) as a Config: the schema, then what it cannot say.

    Any problem is a ConfigError with its reason code and the key's path; `source` opens the message.
    """
    security = data.get("security")
    if isinstance(security, Mapping) and security.get("pickup_key") == KEY_PLACEHOLDER:
        raise ConfigError.at(
            "$.security.pickup_key",
            "published_key",
            f"still the example's placeholder: {MAKE_KEY}",
            what=source,
        )
    config = convert(dict(data), Config, error=ConfigError, what=source)
    _check(config, source)
    _check_key(config, source)
    return config


def simulated(config: Config) -> bool:
    """Nothing real: simulated printers, lights and buzzers, typed or scripted input, no broker."""
    signals = [config.lights.backend] + [
        b for st in config.stations for b in (st.printer.backend, st.status_light.backend, st.buzzer.backend)
    ]
    scanners = [s.backend for st in config.stations for s in st.scanners]
    return (
        config.mqtt.host is None
        and all(b == "sim" for b in signals)
        and all(b in ("stdin", "script") for b in scanners)
    )


def _check_key(config: Config, source: str) -> None:
    if config.security is None:
        return
    key = config.security.pickup_key.lower()
    if key == PUBLISHED_KEY or (key == SIM_KEY and not simulated(config)):
        where = (
            "the example's key"
            if key == PUBLISHED_KEY
            else "the simulation's key, for simulated devices only"
        )
        raise ConfigError.at(
            "$.security.pickup_key", "published_key", f"{where}, published with pvz: {MAKE_KEY}", what=source
        )


def resolve_path(config_file: Path | str, value: str) -> Path:
    """A path from the config; relative ones are relative to the config file's directory."""
    p = Path(value)
    return p if p.is_absolute() else Path(config_file).parent / p


def _check(config: Config, source: str) -> None:
    """What the types alone cannot say: unique names and devices, backend options."""

    def fail(at: str, reason: str, message: str) -> ConfigError:
        return ConfigError.at(at, reason, message, what=source)

    if not config.stations and not config.site.stations:
        raise fail("$.stations", "too_short", "at least one [[stations]] entry is required")
    unique_index(
        (clerk.badge for clerk in config.clerks),
        lambda i, first, badge: fail(
            f"$.clerks[{i}].badge", "duplicate", f"duplicate badge `{badge}` (also $.clerks[{first}])"
        ),
    )
    try:
        ZoneInfo(config.device.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(
            "$.device.timezone", "bad_value", f"unknown time zone `{config.device.timezone}`"
        ) from None
    names: dict[str, int] = {}
    devices: dict[str, str] = {}
    for i, station in enumerate(config.stations):
        at = f"$.stations[{i}]"
        if station.name in names:
            raise fail(
                f"{at}.name",
                "duplicate",
                f"duplicate station name `{station.name}` (also $.stations[{names[station.name]}])",
            )
        names[station.name] = i
        for j, scanner in enumerate(station.scanners):
            s_at = f"{at}.scanners[{j}]"
            if scanner.backend in ("evdev", "serial") and scanner.path is None and scanner.device is None:
                raise fail(
                    s_at, "missing_option", f"scanner backend `{scanner.backend}` needs `path` or `device`"
                )
            if scanner.path is not None and scanner.backend in ("evdev", "serial"):
                # One input device read by two stations would split every scan between them.
                if scanner.path in devices:
                    raise fail(
                        f"{s_at}.path",
                        "duplicate",
                        f"`{scanner.path}` is already used by {devices[scanner.path]}",
                    )
                devices[scanner.path] = s_at
        _check_printer(station.printer, f"{at}.printer", fail)
        if station.status_light.backend == "gpio" and station.status_light.pins is None:
            raise fail(
                f"{at}.status_light.pins", "missing_option", "backend `gpio` needs `pins` (green, amber, red)"
            )
        if station.buzzer.backend == "gpio" and station.buzzer.pin is None:
            raise fail(f"{at}.buzzer.pin", "missing_option", "backend `gpio` needs `pin`")
        for j, scanner in enumerate(station.scanners):
            if scanner.backend == "evdev" and scanner.terminator in ("cr", "lf", "crlf"):
                raise fail(
                    f"{at}.scanners[{j}].terminator",
                    "bad_value",
                    "an evdev scanner ends a code with `enter` or `tab`",
                )
            if scanner.backend == "serial" and scanner.terminator in ("enter", "tab"):
                raise fail(
                    f"{at}.scanners[{j}].terminator",
                    "bad_value",
                    "a serial scanner ends a code with `cr`, `lf` or `crlf`",
                )
    if config.issue.max_pause_s < config.issue.pause_s:
        raise fail("$.issue.max_pause_s", "bad_value", "`max_pause_s` must not be shorter than `pause_s`")
    if config.kiosk.max_lock_s < config.kiosk.lock_s:
        raise fail("$.kiosk.max_lock_s", "bad_value", "`max_lock_s` must not be shorter than `lock_s`")
    _check_send(config, fail)
    _check_update(config, fail)
    tls = [config.mqtt.ca_file, config.mqtt.cert_file, config.mqtt.key_file]
    if any(tls) and not all(tls):
        raise fail("$.mqtt", "missing_option", "TLS needs `ca_file`, `cert_file` and `key_file` together")
    lights = config.lights
    if lights.backend == "gpio" and not lights.pins:
        raise fail("$.lights.pins", "missing_option", "backend `gpio` needs `pins` (one per light channel)")
    if lights.backend == "shift" and None in (lights.data_pin, lights.clock_pin, lights.latch_pin):
        raise fail(
            "$.lights", "missing_option", "backend `shift` needs `data_pin`, `clock_pin` and `latch_pin`"
        )
    check_doors(config, fail)
    check_site(config, fail)
    _check_pins(config, fail)
    screen_listen(config, source)


def screen_listen(config: Config, source: str = "config") -> tuple[str, int] | None:
    """The screen server's host and port from `[screen] listen`; None when it is "off"."""
    value = config.screen.listen
    if value == "off":
        return None
    host, _, port = value.rpartition(":")
    if not 1 <= int(port) <= 65535:
        raise ConfigError.at("$.screen.listen", "out_of_range", f"port {port} is not 1..65535", what=source)
    return host.strip("[]"), int(port)


def _outputs(config: Config) -> list[tuple[str, int]]:
    """Every GPIO output the config drives, as (its key's path, its pin)."""
    used: list[tuple[str, int]] = []
    lights = config.lights
    if lights.backend == "gpio":
        used += [(f"$.lights.pins[{i}]", pin) for i, pin in enumerate(lights.pins)]
    if lights.backend == "shift":
        for key in ("data_pin", "clock_pin", "latch_pin"):
            pin = getattr(lights, key)
            if pin is not None:
                used.append((f"$.lights.{key}", pin))
    for i, station in enumerate(config.stations):
        light, buzzer = station.status_light, station.buzzer
        if light.backend == "gpio" and light.pins is not None:
            used += [(f"$.stations[{i}].status_light.pins[{j}]", pin) for j, pin in enumerate(light.pins)]
        if buzzer.backend == "gpio" and buzzer.pin is not None:
            used.append((f"$.stations[{i}].buzzer.pin", buzzer.pin))
    return used


def _check_pins(config: Config, fail: _Fail) -> None:
    """Two outputs on one GPIO pin would fight: a buzzer on the shift register's data line, say;
    a door's sensor on a light's pin would read the light."""
    owners: dict[int, str] = {}
    for at, pin in _outputs(config) + door_pins(config.doors):
        if pin in owners:
            raise fail(at, "duplicate", f"GPIO pin {pin} is already used by {owners[pin]}")
        owners[pin] = at


_PRINTER_NEEDS = {
    "file": ("path",),
    "serial": ("path",),
    "network": ("host",),
    "usb": ("vendor_id", "product_id"),
}


def _check_printer(printer: PrinterConfig, at: str, fail: _Fail) -> None:
    for key in _PRINTER_NEEDS.get(printer.backend, ()):
        if getattr(printer, key) is None:
            raise fail(f"{at}.{key}", "missing_option", f"printer backend `{printer.backend}` needs `{key}`")


def _check_send(config: Config, fail: Callable[[str, str, str], ConfigError]) -> None:
    """[send]: a key that is one, sides that can fit their sum, a serial scale with its port."""
    send = config.send
    if send.public_key:
        try:
            load_public_key(send.public_key)
        except ValueError as exc:
            raise fail(
                "$.send.public_key", "bad_value", f"not an Ed25519 public key in base64: {exc}"
            ) from None
    if send.max_side_cm > send.max_sides_sum_cm:
        raise fail("$.send.max_side_cm", "bad_value", "`max_side_cm` must not be over `max_sides_sum_cm`")
    if send.scale == "serial" and not send.scale_path:
        raise fail("$.send.scale_path", "missing_option", "scale `serial` needs `scale_path`")


def _check_update(config: Config, fail: Callable[[str, str, str], ConfigError]) -> None:
    """[update]: the release key is one (the same form as [send]'s, checked the same way)."""
    if config.update.public_key:
        try:
            load_public_key(config.update.public_key)
        except ValueError as exc:
            raise fail(
                "$.update.public_key", "bad_value", f"not an Ed25519 public key in base64: {exc}"
            ) from None
