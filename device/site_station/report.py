"""What a remote station reports about itself: its retained status (the fleet's view, the site
demo's and the tests' too) and its telemetry, both on its ordinary topics (docs/site.md)."""

from __future__ import annotations

import time
from typing import Any, Protocol

from device import hardware_status
from device.config_schema import Config
from device.hardware import Hardware
from device.site.station_screen import StationScreenServer
from device.site.station_screen_link import StationLink
from device.site_station.doors import StationDoors
from device.site_station.inputs import StationInputs
from device.site_station.printing import StationPrinting
from device.station_io import StationIO
from drivers.base import CellLights
from sync.status import device_health, identity, utc_now, wire_time
from sync.transport import MqttLink


class StationDaemon(Protocol):
    """What of the daemon (device/site_station/daemon.py) the report reads; a protocol, no cycle."""

    config: Config
    stations: dict[str, StationIO]
    rack: CellLights
    hardware: Hardware
    doors: StationDoors | None
    link: MqttLink
    main: str
    inputs: StationInputs
    printing: StationPrinting
    screen_link: StationLink
    screen: StationScreenServer | None
    last_shown: dict[str, dict[str, str]]
    started: float

    def main_up(self) -> bool: ...

    def status(self) -> dict[str, Any]: ...


def parts(d: StationDaemon) -> dict[str, Any]:
    """Each station's sources and printer, and the hardware's problems: what device_health reads."""
    rows = hardware_status.rows(
        d.stations.values(),
        d.rack,
        d.hardware,
        look=False,
        doors=None if d.doors is None else d.doors.doors,
    )
    return {
        "stations": {
            name: {
                "sources": [source.status() for source in io.sources],
                "printer": None if io.printer is None else io.printer.status(),
            }
            for name, io in d.stations.items()
        },
        "hardware_problems": hardware_status.problems(rows),
    }


def status_message(d: StationDaemon) -> dict[str, Any]:
    """The retained status: online, whether the main device is reachable, the link, the parts'
    health, the inputs' counters and latency, printing, the screen, the doors, each station's
    light and what it last showed (its message key, never its words: no customer's data)."""
    link = d.link.status()
    return {
        "online": True,
        **identity(d.config),
        "main": {"device": d.main, "reachable": d.main_up()},
        "link": {name: link[name] for name in ("connected", "connects", "disconnects")},
        "health": device_health(d),
        "site": d.inputs.status(),
        "printing": d.printing.status(),
        "screen": {**d.screen_link.status(), "server": None if d.screen is None else d.screen.status()},
        "doors": None if d.doors is None else d.doors.status(),
        "stations": {
            name: {
                "light": None if io.status_light is None else io.status_light.status(),
                "shown": d.last_shown.get(name),
            }
            for name, io in d.stations.items()
        },
        "ts": wire_time(utc_now()),
    }


def telemetry(d: StationDaemon) -> dict[str, Any]:
    state = parts(d)
    return {
        "ts": wire_time(utc_now()),
        "uptime_s": round(time.monotonic() - d.started, 1),
        "printers": {n: st["printer"] for n, st in state["stations"].items()},
        "scanners": {n: st["sources"] for n, st in state["stations"].items()},
        "hardware_problems": state["hardware_problems"],
        "site": d.inputs.status(),
        "link": d.link.status(),
    }
