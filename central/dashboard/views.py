"""What the dashboard shows, built from the central store: devices with their health (the fields
the alert rules use, central/health.py), the open alerts, the versions in use, commands and their
answers, open tickets, and the staged rollouts not over. Each section is plain JSON with message keys and numbers, never words:
the page words them in the reader's language (central/dashboard/texts.py)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from central.health import derive
from central.release import progress
from central.rollout_plans import FINISHED
from central.rollout_widen import pairs
from central.store_api import EVERY, CentralStore
from sync.commands import EXPIRED, UNKNOWN_OUTCOME

CLOCK_WRONG_S = 120  # a clock further off than this is a problem (receipts, deadlines)
DISK_LOW_MB = 200
OUTBOX_OLD_S = 15 * 60  # an event unsent this long is worth a look (the example rule alerts at an hour)
REPLIES_SHOWN = 30
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Problems that need someone at the counter, worst first; the rest only inform.
SEVERE = (
    "offline",
    "store_damaged",
    "paper_out",
    "printers_not_ready",
    "hardware_problems",
    "config_rejected",
    "events_set_aside",
)


def problems(h: dict[str, Any], open_alerts: int) -> list[dict[str, Any]]:
    """A device's problems as message keys with their numbers, the most urgent first."""
    found: list[dict[str, Any]] = []

    def add(key: str, n: int | None = None) -> None:
        found.append({"key": f"p_{key}"} | ({} if n is None else {"n": n}))

    if not h["online"]:
        add("offline")
    if h["store_damaged"]:
        add("store_damaged")
    if h["paper_out"]:
        add("paper_out")
    elif not h["printers_ready"]:
        add("printers_not_ready")
    if h["hardware_problems"]:
        add("hardware_problems", h["hardware_problems"])
    if h["config_rejected"]:
        add("config_rejected")
    if h["events_set_aside"]:
        add("events_set_aside", h["events_set_aside"])
    if h["scanners_missing"]:
        add("scanners_missing", h["scanners_missing"])
    if h["clock_skew_s"] > CLOCK_WRONG_S:
        add("clock_wrong", h["clock_skew_s"])
    if h["disk_free_mb"] < DISK_LOW_MB:
        add("disk_low", h["disk_free_mb"])
    if open_alerts:
        add("alerts_open", open_alerts)
    if h["device_alerts"]:
        add("device_alerts", h["device_alerts"])
    if h["tickets_open"]:
        add("tickets_open", h["tickets_open"])
    if h["outbox_age_s"] >= OUTBOX_OLD_S:
        add("outbox_old", h["outbox_age_s"] // 60)
    if h["outbox_depth"]:
        add("outbox", h["outbox_depth"])
    return found


def attention(found: list[dict[str, Any]]) -> int:
    """How urgently a device needs someone: 2 for a severe problem, 1 for an alert or a warning."""
    keys = {p["key"][2:] for p in found}
    if keys & set(SEVERE):
        return 2
    return 1 if keys - {"outbox", "tickets_open"} else 0


def config_of(status: dict[str, Any]) -> dict[str, Any]:
    """The desired config the device reports (what `fleet config push` sent, and its answer)."""
    config = status.get("config")
    if not isinstance(config, dict):
        return {"key": "config_unknown"}  # an offline will says nothing of it
    if not isinstance(config.get("version"), int):
        return {"key": "config_none"}
    key = (
        "config_rejected"
        if config.get("reason") is not None or config.get("applied") is False
        else "config_applied"
    )
    return {"key": key, "version": config["version"]}


def devices(
    store: CentralStore, statuses: dict[str, dict[str, Any]], alerts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every device with a stored status, those needing attention first, then by site and id."""
    telemetry = store.telemetry()
    by_device = Counter(a["device"] for a in alerts)
    now = datetime.now(UTC)
    rows = []
    for device, status in statuses.items():
        body, skew = telemetry.get(device, (None, None))
        health = derive(status, body, skew, now=now)
        found = problems(health, by_device[device])
        rows.append(
            {
                "site": str(status.get("site") or ""),
                "device": device,
                "online": health["online"],
                "version": health["version"],
                "outbox": health["outbox_depth"],
                "config": config_of(status),
                "problems": found,
                "attention": attention(found),
            }
        )
    rows.sort(key=lambda r: (-r["attention"], -len(r["problems"]), r["site"], r["device"]))
    return rows


def versions(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """How many devices run each pvz version, the most common first."""
    counted = Counter(r["version"] or "?" for r in rows)
    return [{"version": v, "n": n} for v, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))]


def config_answer(status: dict[str, Any] | None, detail: dict[str, Any]) -> dict[str, Any]:
    """What the device's status says of one pushed config: applied, rejected (with the reason
    code, which the page words), or nothing yet."""
    report = (status or {}).get("config")
    if not isinstance(report, dict) or report.get("version") != detail.get("version"):
        return {"key": "cmd_waiting"}
    if report.get("applied") is True and report.get("hash") == detail.get("hash"):
        return {"key": "cmd_ok"}
    return {"key": "cmd_failed", "reason": str(report.get("reason") or "")}


def reply_answer(body: dict[str, Any] | None) -> dict[str, Any]:
    if body is None:
        return {"key": "cmd_waiting"}
    if body.get("ok") is True:
        return {"key": "cmd_ok"}
    return {"key": "cmd_failed", "reason": failure_reason(body)}


def failure_reason(body: dict[str, Any]) -> str:
    """A failed command's reason code from its answer (sync/commands.py): the words of `error`
    are the device's, for a log; the page says the code's own text, or just "failed"."""
    error, detail = str(body.get("error") or ""), body.get("detail")
    if error == EXPIRED:
        return "expired"
    if error == UNKNOWN_OUTCOME:
        return "outcome_unknown"
    if error.startswith("unknown command"):
        return "unknown_command"
    if isinstance(detail, str) and _CODE.match(detail):
        return detail  # an action's own reason code (e.g. door_cell_occupied)
    return ""


def commands(store: CentralStore, statuses: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest commands and config pushes, whoever sent them, each with its answer: a command's
    reply the hub kept, a config's outcome in the device's status."""
    replies = {r["command_id"]: r["body"] for r in store.replies(limit=REPLIES_SHOWN * 4)}
    rows = []
    for r in store.requests(limit=REPLIES_SHOWN):
        d = r["detail"]
        if r["kind"] == "config":
            what = {"key": "cfg_push", "version": d.get("version")}
            answer = config_answer(statuses.get(r["device"]), d)
        else:
            what = {"key": "cmd", "name": d.get("name")}
            answer = reply_answer(replies.get(r["request_id"]))
        rows.append(
            {
                "id": r["request_id"],
                "site": r["site"],
                "device": r["device"],
                "what": what,
                "by": r["operator"],
                "at": r["sent_at"],
                "answer": answer,
            }
        )
    return rows


def open_alerts(raw: list[dict[str, Any]], titles: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    """Open alerts, the latest raised first, each with its rule's title in both languages."""
    return [
        {
            "site": a["site"],
            "device": a["device"],
            "title": titles.get(a["rule"]) or readable(a["rule"]),
            "raised_at": a["raised_at"],
        }
        for a in raw
    ]


def readable(rule: str) -> tuple[str, str]:
    """An alert of a rule no longer in the rules file: its name as words, in both languages."""
    words = rule.replace("_", " ").replace("-", " ").strip() or "?"
    text = words[0].upper() + words[1:]
    return text, text


def tickets(store: CentralStore) -> list[dict[str, Any]]:
    return [
        {
            "id": t["ticket_id"],
            "site": t["site"],
            "device": t["device"],
            "kind": t["kind"],
            "parcel": t["parcel"] or t["order_id"],
            "opened_at": t["opened_at"],
        }
        for t in store.tickets("open")
    ]


def rollouts(store: CentralStore, statuses: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The staged rollouts that are not over (docs/rollout.md): running, paused by the operator,
    or stopped by their failures, each with how the release stands on its devices."""
    rows = []
    for plan in store.plans.all():
        if plan.state in FINISHED:
            continue
        found = {pair: statuses.get(pair[1], {}) for pair in pairs(plan.devices)}
        rows.append(
            {
                "id": plan.plan_id,
                "package": plan.package,
                "version": plan.version,
                "sites": plan.sites,
                "stage": plan.stage + 1,
                "stages": len(plan.stages),
                "percent": plan.stages[plan.stage],
                "devices": len(plan.devices),
                "state": plan.state,
                "progress": progress(pairs(plan.devices), found, plan.sha256),
            }
        )
    return rows


def snapshot(store: CentralStore, titles: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """Every section but the chart (which changes once a minute, central/dashboard/history.py)."""
    raw = store.alerts(open_only=True, limit=EVERY)
    statuses = store.statuses()
    rows = devices(store, statuses, raw)
    return {
        "devices": rows,
        "alerts": open_alerts(raw, titles),
        "versions": versions(rows),
        "commands": commands(store, statuses),
        "tickets": tickets(store),
        "rollouts": rollouts(store, statuses),
    }
