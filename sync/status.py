"""The retained status message (with its last-will twin) and periodic telemetry of one device."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from device import __version__
from device.config_schema import Config
from device.store.clock import utc_text
from device.store.db import Store
from device.store.tickets import counts as ticket_counts
from sync.outbox import Outbox
from sync.topics import Topics
from sync.transport import MqttLink, PublishProps
from workflows.parcel import ParcelState

log = logging.getLogger("pvz.sync.status")

TELEMETRY_S = 60.0  # how often telemetry goes out (QoS 0); the status is re-checked as often
STATUS_REFRESH_S = 900.0  # an unchanged status is republished this often, so `ts` shows it is alive
JSON = PublishProps(content_type="application/json", utf8=True)


def utc_now() -> datetime:
    return datetime.now(UTC)


def wire_time(moment: datetime) -> str:
    """A moment as every pvz payload spells it on the wire: UTC, seconds, `+00:00`.

    The device's clocks may be in the site's zone (the engine's clock is); the wire is not.
    A moment without an offset is taken as UTC, as the store reads one (device.store.clock).
    """
    return utc_text(moment)


def encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def identity(config: Config) -> dict[str, Any]:
    return {
        "device": config.device.id,
        "site": config.device.site,
        "role": config.device.role,
        "version": __version__,
    }


def offline_status(
    config: Config, *, reason: str = "connection lost", ts: datetime | None = None
) -> dict[str, Any]:
    """The last will (no time: it is written at connect) or the goodbye of a clean shutdown."""
    message: dict[str, Any] = {"online": False, **identity(config), "reason": reason}
    if ts is not None:
        message["ts"] = wire_time(ts)
    return message


def will(topics: Topics, config: Config) -> tuple[str, bytes, int, bool]:
    """For MqttLink(will=…): the broker publishes it, retained, when the connection dies without DISCONNECT."""
    return topics.status, encode(offline_status(config)), 1, True


def parcel_counts(store: Store) -> dict[str, int]:
    counts = {state.value: 0 for state in ParcelState}
    for state, n in store.conn.execute("SELECT state, count(*) FROM parcels GROUP BY state"):
        counts[str(state)] = int(n)
    return counts


def device_status(
    store: Store,
    config: Config,
    *,
    config_report: Mapping[str, Any] | None,
    now: datetime,
    health: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The retained status: online, software version, role, desired config outcome, counts, and
    (from a running device) its health: what `pvz-central fleet ls` shows without asking.

    `counts.outbox_oldest` is when the oldest unacked event was written, not its age: the age
    would change every second and republish the status at every check; the moment changes only
    when `outbox_depth` does too, so it adds no publish of its own. The hub derives the age."""
    outbox = Outbox(store)
    message: dict[str, Any] = {
        "online": True,
        **identity(config),
        "config": dict(config_report or {}),
        "counts": {
            "parcels": parcel_counts(store),
            "outbox_depth": outbox.depth(),
            "outbox_oldest": outbox.oldest_ts(),
            "tickets_open": ticket_counts(store.conn)["open"],
        },
        "ts": wire_time(now),
    }
    if health is not None:
        message["health"] = dict(health)
    return message


def device_health(runtime: Any, config_report: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Printers (state, paper), scanners connected of all, and the alerts a technician acts on.

    `runtime` is a device Runtime. Only what changes when something breaks is here, so the
    retained status is republished when it does (and not on every scan)."""
    state = runtime.status()
    printers: dict[str, dict[str, Any]] = {}
    alerts: list[str] = []
    connected = 0
    total = 0
    for name, st in sorted(state["stations"].items()):
        printer = st["printer"]
        if printer is not None:
            printers[name] = {"state": printer.get("state"), "paper": printer.get("paper")}
            # A printer that is absent or failing is among the hardware problems below.
            if printer.get("state") == "ready" and printer.get("paper") in ("out", "low"):
                alerts.append(f"printer {name}: paper {printer.get('paper')}")
        for source in st["sources"]:
            total += 1
            # A scripted source has no cable: it counts as connected.
            if source.get("connected", True):
                connected += 1
    # Each part that is not ready (an unplugged scanner, an absent printer), with its cause.
    alerts += [str(problem) for problem in state["hardware_problems"]]
    if config_report and config_report.get("reason") is not None:
        where = config_report.get("path") or "$"
        alerts.append(f"config {config_report.get('version')} rejected: {config_report['reason']} at {where}")
    return {
        "printers": printers,
        "scanners": {"connected": connected, "total": total},
        "alerts": alerts,
    }


def sync_counters(store: Store) -> dict[str, int]:
    return {
        str(r[0]): int(r[1])
        for r in store.conn.execute("SELECT name, value FROM sync_counters ORDER BY name")
    }


def bump(store: Store, name: str) -> None:
    """Add one to a sync counter (rejected commands, configs, messages): telemetry reports them."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO sync_counters (name, value) VALUES (?, 1) "
            "ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )


def telemetry(runtime: Any, store: Store, *, uptime_s: float, now: datetime) -> dict[str, Any]:
    """Queue depths, printers, scanners, disk, uptime and inbox counters; `runtime` is a device Runtime."""
    state = runtime.status()
    stations = state["stations"]
    failures = state["print"]["printers"]
    printers = {
        name: {
            "state": None if st["printer"] is None else st["printer"].get("state"),
            "failures": failures.get(name, {}).get("failures", 0),
            "last_error": failures.get(name, {}).get("last_error"),
        }
        for name, st in stations.items()
    }
    scanners = {
        name: [{"name": s.get("name"), "connected": s.get("connected")} for s in st["sources"]]
        for name, st in stations.items()
    }
    disk_dir = store.path.parent if store.path is not None else Path()
    disk = shutil.disk_usage(disk_dir)
    return {
        "ts": wire_time(now),
        "uptime_s": round(uptime_s, 1),
        "outbox_depth": Outbox(store).depth(),
        "print_queue": state["print"]["queued"],
        "printers": printers,
        "scanners": scanners,
        "disk_free_bytes": disk.free,
        "disk_total_bytes": disk.total,
        "counters": sync_counters(store),
        "hardware_problems": state["hardware_problems"],
        "store": state["store"],
        # A site's main device (docs/site.md): its remote stations, inputs decided, duplicates, refusals.
        "site": state.get("site"),
    }


class StatusReporter:
    """Publishes the retained status at every (re)connect and on change, telemetry every period."""

    def __init__(
        self,
        link: MqttLink,
        topics: Topics,
        *,
        status: Callable[[], dict[str, Any]],
        telemetry: Callable[[], dict[str, Any]] | None = None,
        period_s: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_published: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.link = link
        self.on_published = on_published  # after the broker acknowledged a status
        self.topics = topics
        self.status = status
        self.telemetry = telemetry
        self.period_s = period_s
        self.monotonic = monotonic
        self.sent = {"status": 0, "telemetry": 0}
        self._last: dict[str, Any] | None = None
        self._last_at = 0.0
        self._tasks: set[asyncio.Task[bool]] = set()
        link.on_connect(self._on_connect)

    def _on_connect(self, _session_present: bool) -> None:
        # The broker may have published our last will while we were away: say we are back.
        task = asyncio.get_running_loop().create_task(self.publish_status(force=True))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def publish_status(self, *, force: bool = False) -> bool:
        """Publish the status (retained, QoS 1) when it changed, is due for a refresh, or `force`."""
        message = self.status()
        unchanged = {k: v for k, v in message.items() if k != "ts"} == self._last
        if unchanged and not force and self.monotonic() - self._last_at < STATUS_REFRESH_S:
            return False
        self._last = {k: v for k, v in message.items() if k != "ts"}
        self._last_at = self.monotonic()
        await self.link.publish(self.topics.status, encode(message), 1, True, JSON)
        self.sent["status"] += 1
        if self.on_published is not None:
            self.on_published(message)
        return True

    async def publish_telemetry(self) -> None:
        if self.telemetry is None or not self.link.connected:
            return  # QoS 0 and stale by the next period: never queued through an outage
        await self.link.publish(self.topics.telemetry, encode(self.telemetry()), 0, False, JSON)
        self.sent["telemetry"] += 1

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Until `stop`: every period, telemetry and a status check. Errors are logged, never fatal."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.period_s or TELEMETRY_S)
            if stop.is_set():
                break
            try:
                await self.publish_telemetry()
                if self.link.connected:
                    await self.publish_status()
            except Exception:
                log.exception("status/telemetry publish failed")

    async def goodbye(self, config: Config, *, now: datetime | None = None) -> None:
        """Before a clean disconnect (which sends no will): the retained status says offline."""
        message = offline_status(config, reason="shutdown", ts=now or utc_now())
        await self.link.publish(self.topics.status, encode(message), 1, True, JSON)
