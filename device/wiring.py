"""Building a runtime from a checked config: the one place that picks backends and defaults."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from device.config import Config, PrinterConfig, ScannerConfig, resolve_path
from device.documents import Documents
from device.engine import Engine
from device.runtime import Runtime, StationIO
from device.store import Store
from drivers.base import CodeSource, Printer
from drivers.exc import UnknownBackend
from drivers.sim_input import ScriptSource, StreamSource
from drivers.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from drivers.sim_printer import SimPrinter
from workflows.context import Policy

log = logging.getLogger("pvz.wiring")


def open_store(config: Config, config_file: Path, *, owner: bool) -> Store:
    store = Store.open(resolve_path(config_file, config.store.path), owner=owner)
    known = store.get_meta("device_id")
    if known is None:
        with store.transaction():
            store.set_meta("device_id", config.device.id)
    elif known != config.device.id:
        store.close()
        raise UnknownBackend(
            f"store belongs to device {known!r}, config says {config.device.id!r}: refusing to mix journals"
        )
    sync_clerks(store, config)
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


def scanner(cfg: ScannerConfig, name: str, config_file: Path) -> CodeSource:
    if cfg.backend == "stdin":
        return StreamSource(name=name)
    if cfg.backend == "script":
        if cfg.path is None:
            raise UnknownBackend(f"{name}: script scanner needs `path`")
        lines = resolve_path(config_file, cfg.path).read_bytes().splitlines()
        source = ScriptSource(name=name, codes=lines)
        source.close()
        return source
    raise UnknownBackend(f"{name}: scanner backend {cfg.backend!r} is not available in this build")


def printer(cfg: PrinterConfig, name: str, config_file: Path, width: int) -> Printer:
    if cfg.backend in ("sim", "file"):
        out = None if cfg.out_dir is None else resolve_path(config_file, cfg.out_dir)
        kwargs = {} if cfg.profile is None else {"profile": cfg.profile}
        return SimPrinter(out_dir=out, width=width, name=name, **kwargs)
    raise UnknownBackend(f"{name}: printer backend {cfg.backend!r} is not available in this build")


def local_clock(timezone: str) -> Callable[[], datetime]:
    """Wall time in the site's zone, so that journal times and deadline dates are local."""
    zone = ZoneInfo(timezone)
    return lambda: datetime.now(zone)


def build_runtime(config: Config, config_file: Path, store: Store) -> Runtime:
    """Every station's drivers from config; the engine over the store; the rack's lights."""
    docs = Documents(site=config.device.site, device_id=config.device.id, lang=config.device.language)
    engine = Engine(
        store,
        device_id=config.device.id,
        pickup_key=bytes.fromhex(config.security.pickup_key),
        docs=docs,
        policy=Policy(return_window_days=config.returns.window_days),
        clock=local_clock(config.device.timezone),
    )
    stations = []
    for st in config.stations:
        for part in (st.status_light, st.buzzer):
            if part.backend != "sim":
                raise UnknownBackend(
                    f"{st.name}: signal backend {part.backend!r} is not available in this build"
                )
        sources = [scanner(s, f"{st.name}/scanner{i}", config_file) for i, s in enumerate(st.scanners)]
        stations.append(
            StationIO(
                st.name,
                sources=sources,
                printer=printer(st.printer, f"{st.name}/printer", config_file, config.print.width),
                status_light=SimStatusLight(),
                buzzer=SimBuzzer(),
                screen=SimScreen(),
            )
        )
    if config.lights.backend != "sim":
        raise UnknownBackend(f"lights backend {config.lights.backend!r} is not available in this build")
    return Runtime(engine, stations=stations, rack=SimCellLights(), lang=config.device.language)
