"""Building a runtime from a checked config: the one place that picks backends and defaults."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from device import hardware
from device.config import resolve_path, screen_listen
from device.config_schema import Config
from device.documents.registry import Documents
from device.doors.controller import DoorController
from device.doors.start import load_twin
from device.engine import Engine
from device.hardware import Hardware
from device.intake.rack import sync_rack_file
from device.kiosk_speech import KioskSpeech
from device.runtime import Runtime
from device.site.stations import remote_stations
from device.station_io import StationIO
from device.store.clock import TIMEZONE_KEY
from device.store.db import Store
from device.wall_clock import ClockTrust
from drivers.base import CellLights
from drivers.doors.sim_doors import SimDoors
from drivers.exc import UnknownBackend
from drivers.lights.sim_lights import SimScreen
from workflows.context import Evidence, KioskRules, Policy, SendRules, StationKind

if TYPE_CHECKING:
    from device.screen.server import ScreenServer

log = logging.getLogger("pvz.wiring")


def open_store(config: Config, config_file: Path, *, owner: bool) -> Store:
    store = Store.open(resolve_path(config_file, config.store.path), owner=owner)
    known = store.get_meta("device_id")
    if known is None:
        # The store gets its identity now; what was journalled before (a manifest imported by
        # hand while setting the device up) happened on this device too.
        with store.transaction() as conn:
            store.set_meta("device_id", config.device.id)
            conn.execute("UPDATE journal SET device_id = ? WHERE device_id = 'unknown'", (config.device.id,))
    elif known != config.device.id:
        store.close()
        raise UnknownBackend(
            f"store belongs to device {known!r}, config says {config.device.id!r}: refusing to mix journals"
        )
    if store.get_meta(TIMEZONE_KEY) != config.device.timezone:
        # Reports made from the store alone (`pvz report --store`) read its times in this zone.
        with store.transaction():
            store.set_meta(TIMEZONE_KEY, config.device.timezone)
    sync_clerks(store, config)
    if config.rack.file is not None:
        # The rack file is the technician's description of the rack: a new or changed one is
        # imported at start, so the cells a clerk scans are the ones the file lists.
        written = sync_rack_file(store, resolve_path(config_file, config.rack.file))
        if written is not None:
            log.info("rack file %s imported: %d cells", config.rack.file, written)
    return store


def sync_clerks(store: Store, config: Config) -> None:
    """Badges provisioned in config; a badge dropped from config is disabled, never deleted."""
    if not config.clerks:
        return
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO clerks (badge, name, active) VALUES (?, ?, 1) "
            "ON CONFLICT (badge) DO UPDATE SET name = excluded.name, active = 1",
            [(c.badge, c.name) for c in config.clerks],
        )
        marks = ",".join("?" * len(config.clerks))
        conn.execute(
            f"UPDATE clerks SET active = 0 WHERE badge NOT IN ({marks})", [c.badge for c in config.clerks]
        )


def local_clock(timezone: str) -> Callable[[], datetime]:
    """Wall time in the site's zone, so that journal times and deadline dates are local."""
    zone = ZoneInfo(timezone)
    return lambda: datetime.now(zone)


def policy(config: Config) -> Policy:
    """The rules of the point that workflows follow, from config."""
    return Policy(
        return_window_days=config.returns.window_days,
        release_by_number=config.issue.release_by_number,
        max_wrong_codes=config.issue.max_wrong_codes,
        pause_s=config.issue.pause_s,
        max_pause_s=config.issue.max_pause_s,
        kiosk=KioskRules(
            max_wrong_codes=config.kiosk.max_wrong_codes,
            lock_s=config.kiosk.lock_s,
            max_lock_s=config.kiosk.max_lock_s,
            forget_after_s=round(config.kiosk.forget_after_h * 3600),
            idle_s=config.kiosk.idle_s,
            # Without a door backend no cell is a door: nothing would ever fire their commands.
            doors_zone=config.doors.zone if config.doors.backend != "none" else "",
            door_expiry_s=config.doors.command_expiry_s,
        ),
        send=SendRules(
            public_key=config.send.public_key,
            max_weight_g=config.send.max_weight_g,
            max_sides_sum_cm=config.send.max_sides_sum_cm,
            max_side_cm=config.send.max_side_cm,
            scale=config.send.scale != "none",
        ),
        evidence=Evidence(
            cameras={name: camera for name, camera in _cameras(config) if camera},
            before_s=config.tickets.evidence_before_s,
            after_s=config.tickets.evidence_after_s,
        ),
    )


def pickup_key(config: Config) -> bytes:
    """The site's key for pickup codes; only a remote station has none, and it builds no engine."""
    if config.security is None:
        raise UnknownBackend("[security] pickup_key is missing: a remote station decides nothing")
    return config.security.pickup_key_bytes


def device_kind(config: Config) -> StationKind:
    """What a station is when its config does not say: a kiosk device's stations are kiosks."""
    return "kiosk" if config.device.role == "kiosk" else "counter"


def station_kinds(config: Config) -> dict[str, StationKind]:
    """Each station's kind, a remote one's too ([site] stations): its own `kind`, else the device's role."""
    kinds = {st.name: st.kind or device_kind(config) for st in config.stations}
    kinds.update({st.name: st.kind or device_kind(config) for st in config.site.stations})
    return kinds


def _cameras(config: Config) -> list[tuple[str, str]]:
    """The camera that sees each station, a remote station's too."""
    return [(st.name, st.camera) for st in config.stations] + [
        (st.name, st.camera) for st in config.site.stations
    ]


def build_runtime(
    config: Config, config_file: Path, store: Store, *, clock_trust: ClockTrust | None = None
) -> Runtime:
    """Every station's drivers from config; the engine over the store; the rack's lights. The
    daemon passes a ClockTrust (device/wall_clock.py) so that no deadline follows an unset clock."""
    zone = ZoneInfo(config.device.timezone)
    docs = Documents(
        site=config.device.site,
        device_id=config.device.id,
        lang=config.device.language,
        tz=zone,
        address=config.device.address,
    )
    engine = Engine(
        store,
        device_id=config.device.id,
        pickup_key=pickup_key(config),
        docs=docs,
        policy=policy(config),
        clock=local_clock(config.device.timezone),
        kinds=station_kinds(config),
        default_kind=device_kind(config),
    )
    stations, rack, hw = build_stations(config, config_file)
    stations += remote_stations(config)
    runtime = Runtime(
        engine,
        stations=stations,
        rack=rack,
        lang=config.device.language,
        integrity_every_s=config.store.integrity_check_hours * 3600,
        clock_trust=clock_trust,
        purge_after_days=config.privacy.purge_after_days,
    )
    runtime.hardware = hw
    runtime.remote_stations = frozenset(st.name for st in config.site.stations)
    doors = hardware.build_doors(config, hw)
    if isinstance(doors, SimDoors):
        load_twin(doors, store, config.doors.zone)  # before Runtime.start() compares it with the store
    if doors is not None:
        runtime.attach_doors(
            DoorController(
                store,
                doors,
                config=config.doors,
                device_id=config.device.id,
                now=engine.clock,
                evidence=engine.policy.evidence,
            )
        )
    scale = hardware.build_scale(config)
    if scale is not None:
        runtime.attach_scale(scale)
    build_speech(config, runtime, hw)
    return runtime


def build_speech(config: Config, runtime: Runtime, hw: Hardware) -> KioskSpeech | None:
    """Where `[kiosk] speaker` is set, the kiosk stations speak their messages and opened doors."""
    kiosks = kiosk_stations(config)
    said = hardware.speaker(config, hw) if kiosks else None
    if said is None:
        return None
    speech = KioskSpeech(said, kiosks=kiosks)
    speech.attach(runtime)
    return speech


def build_screen(config: Config, runtime: Runtime) -> ScreenServer | None:
    """The local screen, when `[screen] listen` is not "off": every station's screen becomes its
    web page (device/screen/), served from the daemon's loop once the caller starts it."""
    listen = screen_listen(config)
    if listen is None:
        return None
    from device.screen.feed import Feed
    from device.screen.hub import ScreenHub
    from device.screen.server import ScreenServer

    hub = ScreenHub(Feed(), kiosks=kiosk_stations(config))
    hub.attach(runtime)
    for name, io in runtime.stations.items():
        io.screen = hub.screen(name)
    host, port = listen
    return ScreenServer(hub, host=host, port=port)


def kiosk_stations(config: Config) -> frozenset[str]:
    """The stations customers use themselves: `kind = "kiosk"`, or no kind on a kiosk device."""
    return frozenset(name for name, kind in station_kinds(config).items() if kind == "kiosk")


def build_stations(config: Config, config_file: Path) -> tuple[list[StationIO], CellLights, Hardware]:
    """Every station's inputs and outputs, and the rack's lights, with the backends config names."""
    hw = Hardware()
    stations = []
    for st in config.stations:
        stations.append(
            StationIO(
                st.name,
                sources=[
                    hardware.scanner(s, f"{st.name}/scanner{i}", config_file)
                    for i, s in enumerate(st.scanners)
                ],
                printer=hardware.printer(st.printer, f"{st.name}/printer", config_file, config.print.width),
                status_light=hardware.status_light(config, st.status_light, st.name, hw),
                buzzer=hardware.buzzer(config, st.buzzer, st.name, hw),
                screen=SimScreen(),
                lang=st.language,
            )
        )
    return stations, hardware.cell_lights(config, hw), hw
