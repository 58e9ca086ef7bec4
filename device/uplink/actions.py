"""The device's remote commands: ping, lights and print tests, config reload, log level, sync, diagnostics,
a technician's door open."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from device import __version__
from device.config import load_config
from device.config_schema import Config
from device.doors.service import service_open
from device.exc import ConfigError, DoorRefused
from device.hardware import LIGHTS_TEST_STEP_S
from device.runtime import Runtime
from device.store.journal import Stamp
from device.wiring import policy, sync_clerks
from drivers.base import Pattern
from drivers.exc import PrinterError
from sync import diagnostics
from sync.commands import Action, CommandFailed
from sync.desired_config import DesiredConfig
from sync.status import wire_time

log = logging.getLogger("pvz.sync.actions")

MAX_STEP_S = 2.0
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# What a changed config does without a restart; every other change waits for the next start.
LIVE = ("device.language", "device.address", "returns", "issue", "clerks")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class DeviceContext:
    """What the actions act on; the daemon fills it in (tests with simulated drivers)."""

    runtime: Runtime
    config: Config
    config_file: Path
    desired: DesiredConfig | None = None
    recent_log: diagnostics.RecentLog | None = None
    status: Callable[[], dict[str, Any]] | None = None
    sync_now: Callable[[], Awaitable[Any]] | None = None
    started: float = field(default_factory=time.monotonic)
    clock: Callable[[], datetime] = utc_now


def check_args(args: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in args:
        if key not in allowed:
            raise CommandFailed(f"unknown argument `{key}` (allowed: {', '.join(allowed) or 'none'})")


def changed_keys(old: Config, new: Config) -> list[str]:
    """Sections (and `device.*` keys) that differ between two configs."""
    a, b = msgspec.to_builtins(old), msgspec.to_builtins(new)
    keys = [f"device.{k}" for k in b["device"] if a["device"].get(k) != b["device"][k]]
    keys += [k for k in b if k != "device" and a.get(k) != b.get(k)]
    return sorted(keys)


class DeviceActions:
    """The allow-listed command table; each action takes the request's args and returns a JSON value."""

    def __init__(self, ctx: DeviceContext) -> None:
        self.ctx = ctx

    def table(self) -> dict[str, Action]:
        return {
            "ping": self.ping,
            "lights-test": self.lights_test,
            "print-test": self.print_test,
            "reload-config": self.reload_config,
            "set-log-level": self.set_log_level,
            "sync-now": self.sync_now,
            "diagnostics": self.diagnostics,
            "door-open": self.door_open,
        }

    async def ping(self, args: dict[str, Any]) -> dict[str, Any]:
        check_args(args, ())
        return {
            "pong": True,
            "device": self.ctx.config.device.id,
            "version": __version__,
            "time": wire_time(self.ctx.clock()),
            "uptime_s": round(time.monotonic() - self.ctx.started, 1),
        }

    async def lights_test(self, args: dict[str, Any]) -> dict[str, Any]:
        """Each cell light on for `step_s`, then off (as `pvz hw lights-test`); then the sessions' lights again."""
        check_args(args, ("step_s", "channels"))
        step = args.get("step_s", LIGHTS_TEST_STEP_S)
        if not isinstance(step, int | float) or isinstance(step, bool) or not 0 <= step <= MAX_STEP_S:
            raise CommandFailed(f"`step_s` must be a number of seconds from 0 to {MAX_STEP_S}")
        runtime = self.ctx.runtime
        channels = [
            int(r[0]) for r in runtime.engine.store.conn.execute("SELECT channel FROM cells ORDER BY channel")
        ]
        if "channels" in args:
            count = args["channels"]
            if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 4096:
                raise CommandFailed("`channels` must be a whole number from 1 to 4096")
            channels = list(range(count))
        # On the loop, not in a thread: the rack is the runtime's, and scans go on meanwhile.
        try:
            for channel in channels:
                runtime.rack.show(channel, Pattern.STEADY)
                await asyncio.sleep(float(step))
                runtime.rack.show(channel, Pattern.OFF)
        finally:
            runtime.redraw_lights()
        return {"channels": len(channels), "lights": runtime.rack.status()}

    async def print_test(self, args: dict[str, Any]) -> dict[str, Any]:
        """A test page on every station's printer (or `station`'s), as `pvz hw print-test` prints it."""
        check_args(args, ("station",))
        runtime = self.ctx.runtime
        wanted = args.get("station")
        if wanted is not None and wanted not in runtime.stations:
            raise CommandFailed(f"no station `{wanted}` (stations: {', '.join(sorted(runtime.stations))})")
        printed: dict[str, str] = {}
        failed: dict[str, str] = {}
        docs = runtime.engine.docs
        for name, io in runtime.stations.items():
            if io.printer is None or (wanted is not None and name != wanted):
                continue
            stamp = Stamp(self.ctx.config.device.id, self.ctx.clock().isoformat(timespec="seconds"), name)
            doc = docs.build("test_page", {"printer": io.printer.name}, runtime.engine.store.conn, stamp)
            try:
                await asyncio.to_thread(io.printer.print_document, doc)
                printed[name] = io.printer.name
            except PrinterError as exc:
                failed[name] = str(exc)
        if not printed:
            reason = "; ".join(f"{k}: {v}" for k, v in failed.items()) or "no printer configured"
            raise CommandFailed(f"no test page printed ({reason})")
        return {"printed": printed, "failed": failed}

    async def reload_config(self, args: dict[str, Any]) -> dict[str, Any]:
        """Read the base config (and the desired overlay) again; apply what can change without a restart."""
        check_args(args, ())
        try:
            if self.ctx.desired is not None:
                config, desired = self.ctx.desired.effective()
            else:
                config, desired = load_config(self.ctx.config_file), None
        except ConfigError as exc:
            raise CommandFailed(f"config not reloaded: {exc}") from None
        result = apply_live(self.ctx, config)
        result["desired_version"] = None if desired is None else desired.version
        result["desired_hash"] = None if desired is None else desired.hash
        return result

    async def set_log_level(self, args: dict[str, Any]) -> dict[str, Any]:
        check_args(args, ("level", "logger"))
        level = str(args.get("level", "")).upper()
        if level not in LEVELS:
            raise CommandFailed(f"`level` must be one of {', '.join(LEVELS)}")
        name = args.get("logger", "pvz")
        if not isinstance(name, str) or not (name == "pvz" or name.startswith("pvz.")):
            raise CommandFailed("`logger` must be `pvz` or a `pvz.` logger")
        logger = logging.getLogger(name)
        previous = logging.getLevelName(logger.getEffectiveLevel())
        logger.setLevel(level)
        log.warning("log level of %s set to %s remotely (was %s)", name, level, previous)
        return {"logger": name, "level": level, "previous": previous}

    async def sync_now(self, args: dict[str, Any]) -> Any:
        check_args(args, ())
        if self.ctx.sync_now is None:
            raise CommandFailed("sync is not running on this device")
        return await self.ctx.sync_now()

    async def diagnostics(self, args: dict[str, Any]) -> dict[str, Any]:
        """Write a bundle into the store's directory; answer its path, size, sha256 (and base64 if small)."""
        check_args(args, ())
        ctx = self.ctx
        now = ctx.clock()
        store = ctx.runtime.engine.store
        status = {
            "device": ctx.status() if ctx.status is not None else None,
            "runtime": ctx.runtime.status(),
        }
        extra = {} if ctx.desired is None else {"desired_config.json": ctx.desired.report()}
        lines = None if ctx.recent_log is None else list(ctx.recent_log.lines)
        files = diagnostics.collect(
            store=store, config=ctx.config, status=status, log_lines=lines, now=now, extra=extra
        )
        directory = (store.path.parent if store.path is not None else Path()) / "diagnostics"
        stem = f"pvz-diag-{ctx.config.device.id}-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"
        return await asyncio.to_thread(diagnostics.write_bundle, directory, stem, files)

    async def door_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """Open an empty cell's door for a technician (device/doors/service.py): refused with a reason
        code (`no_doors`, `not_a_door`, `door_cell_occupied`, `expired`, `refused`, `failed`)."""
        check_args(args, ("cell",))
        cell = args.get("cell")
        if not isinstance(cell, str) or not cell:
            raise CommandFailed("`cell` must be a cell's address")
        doors = self.ctx.runtime.doors
        if doors is None:
            raise CommandFailed("no_doors", "this device has no [doors]")
        try:
            return await service_open(doors, cell)
        except DoorRefused as exc:
            raise CommandFailed(exc.reason, str(exc)) from None


def apply_live(ctx: DeviceContext, config: Config) -> dict[str, Any]:
    """Language, return window and clerks' badges take effect now; other changes at the next start."""
    changed = changed_keys(ctx.config, config)
    runtime = ctx.runtime
    if "device.language" in changed:
        runtime.lang = config.device.language
        runtime.engine.docs.lang = config.device.language
    if "device.address" in changed:
        runtime.engine.docs.address = config.device.address
    if "returns" in changed or "issue" in changed:
        runtime.engine.policy = policy(config)
    if "clerks" in changed:
        sync_clerks(runtime.engine.store, config)
    ctx.config = config
    live = [k for k in changed if k in LIVE]
    if changed:
        log.info("config reloaded: live %s, at next start %s", live, [k for k in changed if k not in LIVE])
    return {"changed": changed, "live": live, "at_restart": [k for k in changed if k not in LIVE]}
