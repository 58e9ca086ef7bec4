"""What `pvz-central fleet ls` shows of one device's retained status: health columns, its last update
in words, last seen in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from device.update.install import RESULTS
from device.update.release import REASONS
from workflows.messages import DEFAULT_LANGUAGE, Msg

COLUMNS = (
    ("device", "DEVICE"),
    ("site", "SITE"),
    ("online", "ONLINE"),
    ("version", "VERSION"),
    ("update", "UPDATE"),
    ("config_version", "CONFIG"),
    ("printer", "PRINTER"),
    ("paper", "PAPER"),
    ("scanners", "SCANNERS"),
    ("outbox", "OUTBOX"),
    ("alerts", "ALERTS"),
    ("last_seen", "LAST SEEN (UTC)"),
)


def last_seen_utc(ts: Any) -> str | None:
    """A status time stamp as UTC, `YYYY-MM-DD HH:MM:SS`; one written without an offset is marked."""
    if not isinstance(ts, str):
        return None
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError:
        return f"{ts} (unreadable)"
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M:%S} (no zone)"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def _per_station(printers: dict[str, Any], field: str) -> str | None:
    """One printer: its value; several: `s1:ready,s2:paper out`."""
    values = {name: p.get(field) if isinstance(p, dict) else None for name, p in sorted(printers.items())}
    if not values:
        return None
    if len(values) == 1:
        only = next(iter(values.values()))
        return None if only is None else str(only)
    return ",".join(f"{name}:{'-' if v is None else v}" for name, v in values.items())


def update_words(release: Any, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """A device's last update (its status's `release`, device/update/install.py Outcome) as an
    operator reads it: the version and what became of it, with why; None when it reported none."""
    if not isinstance(release, dict) or release.get("result") not in RESULTS:
        return None
    unknown = Msg("upd_no_version")
    reason = release.get("reason")
    params: dict[str, str | int | Msg] = {
        "version": str(release.get("version") or "") or unknown,
        "running": str(release.get("running") or "") or unknown,
        "why": Msg(f"upd_why_{reason}") if reason in REASONS else Msg("fleet_upd_why_unknown"),
    }
    words = Msg(f"fleet_upd_{release['result']}", params).render(lang)
    aside = release.get("events_set_aside")
    if release.get("store_set_aside") and isinstance(aside, int):
        words += Msg("fleet_upd_store_set_aside", {"count": aside}).render(lang)
    return words


def row(site: str, device: str, status: dict[str, Any], lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    counts: dict[str, Any] = status["counts"] if isinstance(status.get("counts"), dict) else {}
    config: dict[str, Any] = status["config"] if isinstance(status.get("config"), dict) else {}
    health: dict[str, Any] = status["health"] if isinstance(status.get("health"), dict) else {}
    printers: dict[str, Any] = health["printers"] if isinstance(health.get("printers"), dict) else {}
    scanners: dict[str, Any] = health["scanners"] if isinstance(health.get("scanners"), dict) else {}
    alerts = health.get("alerts") if isinstance(health.get("alerts"), list) else None
    active: dict[str, Any] = config["active"] if isinstance(config.get("active"), dict) else {}
    online = status.get("online")
    return {
        "device": device,
        "site": site,
        "online": None if online is None else "yes" if online is True else "no",
        "version": status.get("version"),
        "update": update_words(status.get("release"), lang),
        "config_version": active.get("version", config.get("version")),  # in force; 0: the local file
        "printer": _per_station(printers, "state"),
        "paper": _per_station(printers, "paper"),
        "scanners": f"{scanners['connected']}/{scanners['total']}" if "total" in scanners else None,
        "outbox": counts.get("outbox_depth"),
        "alerts": None if alerts is None else "; ".join(str(a) for a in alerts) or "none",
        "last_seen": last_seen_utc(status.get("ts")),
        "last_seen_raw": status.get("ts"),
        "config_applied": config.get("applied"),
        "alert_list": alerts,
        "printers": printers,
        "release": status.get("release"),
    }


def table(rows: list[dict[str, Any]]) -> list[str]:
    """Aligned lines, a header first; a missing value is `-`."""
    cells = [[title for _, title in COLUMNS]]
    cells += [["-" if r.get(key) is None else str(r[key]) for key, _ in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells]
