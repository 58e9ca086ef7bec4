"""A device's health as flat, named fields derived from its retained status and its latest
telemetry, so alert rules and operators compare one value each rather than walk nested shapes.

Derived from the status (sync/status.py device_status and device_health): online, version, config
version and whether it was rejected, outbox depth and age, open tickets, printers (all ready, any out of
paper), scanners connected of all, and the device's own alerts (hardware problems, paper low).
From the telemetry (sync/status.py telemetry): the store's integrity check, free disk, the clock's
skew against the hub's on arrival, and the count of hardware problems (doors and locks included).
From the last release's outcome: the events left in a store that a rollback set aside.
The outbox's age is derived here, against the hub's clock, from the moment the device reports
(`counts.outbox_oldest`, when its oldest unacked event was written): the status is republished on
change, and an age would change every second. The moment is on the device's clock, so it is moved
by the clock skew the telemetry measured; a device that predates the field reads as age 0.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

DISK_UNKNOWN_MB = 1 << 30  # before any telemetry: reads as plenty, so no disk rule fires on it

# Each field a rule may name, with its type (checked when the rules file is read).
FIELDS: dict[str, type] = {
    "online": bool,
    "version": str,
    "config_version": int,
    "config_rejected": bool,
    "outbox_depth": int,
    "outbox_age_s": int,
    "tickets_open": int,
    "printers_ready": bool,
    "paper_out": bool,
    "scanners_missing": int,
    "device_alerts": int,
    # From the telemetry (0 or False until the first one arrives).
    "store_damaged": bool,
    "disk_free_mb": int,
    "clock_skew_s": int,
    "hardware_problems": int,
    # From the status's last release (device/update): a rollback past a migration put the store's
    # backup back; this many events are only in the newer store set aside (docs/rollout.md).
    "events_set_aside": int,
}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _table(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def derive(
    status: dict[str, Any],
    telemetry: dict[str, Any] | None = None,
    clock_skew_s: float | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The health fields of one status; a part the status lacks (an offline will, an old device)
    reads as its harmless value, so only what the device reported can raise an alert. `now` is the
    hub's clock, for the outbox's age (0 without it)."""
    counts = _table(status, "counts")
    config = _table(status, "config")
    health = _table(status, "health")
    printers = _table(health, "printers")
    scanners = _table(health, "scanners")
    alerts = health.get("alerts")
    states = [p for p in printers.values() if isinstance(p, dict)]
    return {
        "online": status.get("online") is True,
        "version": str(status.get("version") or ""),
        "config_version": _int(config.get("version")),
        "config_rejected": config.get("reason") is not None,
        "outbox_depth": _int(counts.get("outbox_depth")),
        "outbox_age_s": outbox_age_s(counts, now, clock_skew_s),
        "tickets_open": _int(counts.get("tickets_open")),
        "printers_ready": all(p.get("state") == "ready" for p in states),
        "paper_out": any(p.get("paper") == "out" for p in states),
        "scanners_missing": max(0, _int(scanners.get("total")) - _int(scanners.get("connected"))),
        "device_alerts": len(alerts) if isinstance(alerts, list) else 0,
        "events_set_aside": _int(_table(status, "release").get("events_set_aside")),
        **_from_telemetry(telemetry or {}, clock_skew_s),
    }


def _from_telemetry(telemetry: dict[str, Any], clock_skew_s: float | None) -> dict[str, Any]:
    """The store's own integrity check, free disk, the clock's distance from the hub's (absolute,
    whole seconds), and the parts that are not ready (doors and locks among them)."""
    problems = telemetry.get("hardware_problems")
    free = _int(telemetry.get("disk_free_bytes"))
    return {
        "store_damaged": _table(telemetry, "store").get("integrity") == "damaged",
        "disk_free_mb": free // (1024 * 1024) if "disk_free_bytes" in telemetry else DISK_UNKNOWN_MB,
        "clock_skew_s": 0 if clock_skew_s is None else round(abs(clock_skew_s)),
        "hardware_problems": len(problems) if isinstance(problems, list) else 0,
    }


def outbox_age_s(counts: dict[str, Any], now: datetime | None, clock_skew_s: float | None) -> int:
    """Whole seconds since the oldest unacked event was written, on the hub's clock: the device's
    moment plus its skew (hub minus device). 0 for an empty outbox, a device without the field or
    a moment that cannot be read, and never negative."""
    oldest = counts.get("outbox_oldest")
    if now is None or _int(counts.get("outbox_depth")) == 0 or not isinstance(oldest, str):
        return 0
    try:
        written = datetime.fromisoformat(oldest)
    except ValueError:
        return 0
    if written.tzinfo is None:
        return 0  # the wire always carries an offset; a moment without one is not ours
    hub_written = written + timedelta(seconds=clock_skew_s or 0.0)
    return max(0, int((now - hub_written).total_seconds()))
