"""The [site] rules a type cannot say: who is the main device, who is a remote station of it.

Checked with the rest of the config before any device is opened (device/config.py): a remote
station needs its main device and the site broker; a main device's remote stations have names
and device ids of their own, and the doors driven through one of them name it.
"""

from __future__ import annotations

from collections.abc import Callable

from device.config_schema import Config
from device.exc import ConfigError

Fail = Callable[[str, str, str], ConfigError]


def check_site(config: Config, fail: Fail) -> None:
    """Raise the first thing wrong with `config.site` (and the role it goes with) through `fail`."""
    site = config.site
    if config.device.role == "station":
        _check_station(config, fail)
    elif config.security is None:
        raise fail("$.security", "missing_option", "[security] pickup_key is required")
    elif site.main is not None:
        raise fail(
            "$.site.main", "bad_value", 'only a remote station (`role = "station"`) names a main device'
        )
    elif site.main_screen is not None:
        raise fail(
            "$.site.main_screen",
            "bad_value",
            'only a remote station (`role = "station"`) shows a main device\'s screen',
        )
    if site.main_screen_token is not None and site.main_screen is None:
        raise fail(
            "$.site.main_screen_token", "bad_value", "a token needs `main_screen`: the main device's screen"
        )
    local = {st.name for st in config.stations}
    devices: dict[str, int] = {}
    names: dict[str, int] = {}
    for i, remote in enumerate(site.stations):
        at = f"$.site.stations[{i}]"
        if remote.name in local or remote.name in names:
            raise fail(f"{at}.name", "duplicate", f"station name `{remote.name}` is used twice")
        names[remote.name] = i
        if remote.device == config.device.id or remote.device in devices:
            raise fail(f"{at}.device", "duplicate", f"device `{remote.device}` is used twice")
        devices[remote.device] = i
    if site.stations and config.mqtt.host is None:
        raise fail("$.mqtt.host", "missing_option", "remote stations need the site broker: set `[mqtt] host`")
    doors = config.doors
    if doors.backend == "station":
        if doors.station is None or doors.station not in names:
            raise fail(
                "$.doors.station",
                "missing_option",
                "backend `station` needs `station`: the name of a remote station in [[site.stations]]",
            )
        kind = site.stations[names[doors.station]].kind
        if kind != "kiosk":
            raise fail(
                "$.doors.station", "bad_value", f'`{doors.station}` drives doors: give it `kind = "kiosk"`'
            )
    elif doors.station is not None:
        raise fail("$.doors.station", "bad_value", "only backend `station` names a station")


def _check_station(config: Config, fail: Fail) -> None:
    site = config.site
    if site.main is None:
        raise fail("$.site.main", "missing_option", 'a remote station (`role = "station"`) needs `main`')
    if site.main == config.device.id:
        raise fail("$.site.main", "bad_value", "a station cannot be its own main device")
    if config.mqtt.host is None:
        raise fail(
            "$.mqtt.host", "missing_option", "a remote station needs the site broker: set `[mqtt] host`"
        )
    if site.stations:
        raise fail("$.site.stations", "bad_value", "a remote station has no remote stations of its own")
    if config.security is not None:
        raise fail(
            "$.security",
            "bad_value",
            "a remote station decides nothing and must not hold the site's key: remove it",
        )
    if config.doors.backend == "station":
        raise fail("$.doors.backend", "bad_value", "a remote station drives its own doors or none")
