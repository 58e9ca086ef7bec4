"""Alerts at the hub: each rule (central/alert_rules.py) checked against every device's health
(central/health.py, from the statuses and telemetry in the central store), raised once it has held for the
rule's duration and cleared when it no longer holds, both with their times in the store. Since
when each condition has held is in the store too, so a hub restart does not reset a duration.

The health is read from the store, not from the statuses this hub happened to receive, so every
hub of a shared-subscription group sees the whole fleet; the store keeps at most one open alert
per device and rule, so two hubs raising the same alert store it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from central.alert_rules import Rule
from central.health import derive
from central.store_api import EVERY, CentralStore

log = logging.getLogger("pvz.central.alerts")


def utc_now() -> datetime:
    return datetime.now(UTC)


class AlertEngine:
    """Checks the rules; when each (device, rule) condition began to hold is kept in the store, so
    a restarted hub and every hub of a group count a rule's minutes from the same moment. The
    clock is a parameter so a test moves it by minutes without waiting them."""

    def __init__(
        self, rules: list[Rule], store: CentralStore, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.rules = rules
        self.store = store
        self.clock = clock
        self.counters = dict.fromkeys(("alerts_raised", "alerts_cleared"), 0)

    def health(self, now: datetime | None = None) -> dict[str, dict[str, Any]]:
        """Every device's health fields, with its site, from its latest stored status; ages are
        counted to `now` (the engine's clock by default)."""
        now = now or self.clock()
        out: dict[str, dict[str, Any]] = {}
        telemetry = self.store.telemetry()
        for device, status in self.store.statuses().items():
            body, skew = telemetry.get(device, ({}, None))
            out[device] = {"site": str(status.get("site") or ""), **derive(status, body, skew, now=now)}
        return out

    def check(self) -> None:
        """Raise what has held long enough, clear what no longer holds; record the conditions that
        began and ended (a device gone from the store ends its conditions too)."""
        now = self.clock()
        open_now = {(a["device"], a["rule"]) for a in self.store.alerts(open_only=True, limit=EVERY)}
        since = self.store.alert_conditions()
        holding: set[tuple[str, str]] = set()
        for device, health in self.health(now).items():
            for rule in self.rules:
                key = (device, rule.name)
                if not rule.holds(health, now):
                    if key in open_now and self.store.clear_alert(device, rule.name, now):
                        self.counters["alerts_cleared"] += 1
                        log.info("alert %s cleared on %s", rule.name, device)
                    continue
                holding.add(key)
                began = since.get(key, now)
                if key in open_now or now - began < timedelta(minutes=rule.for_minutes):
                    continue
                detail = {"field": rule.field, "value": health[rule.field], "since": began.isoformat()}
                if self.store.raise_alert(health["site"], device, rule.name, now, detail):
                    self.counters["alerts_raised"] += 1
                    log.warning("alert %s raised on %s: %s", rule.name, device, detail)
        begun = sorted(holding - since.keys())
        ended = sorted(since.keys() - holding)
        names = {rule.name for rule in self.rules}
        if begun or ended or any(rule not in names for _, rule in since):
            self.store.track_conditions(begun, ended, now, sorted(names))
