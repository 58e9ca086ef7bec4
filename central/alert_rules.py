"""The hub's alert rules, read from a TOML file (`pvz-central hub --alerts rules.toml`) and checked
whole at start: a bad file stops the hub with a reason code and the key's path, as a device config does.

A rule is a condition on one health field (central/health.py), the time it must hold, and
optionally the site's opening hours in its zone, outside which the rule does not hold.
"""

from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from central.health import FIELDS
from device.decode import convert, read_input
from device.exc import ConfigError

Op = Literal["==", "!=", ">", ">=", "<", "<="]
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WHAT = "invalid alert rules"


class Hours(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    zone: str
    open: str  # "HH:MM", local time of the zone
    close: str
    days: list[int] = msgspec.field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])  # ISO weekdays


class Rule(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: str
    field: str
    op: Op
    value: bool | int | str
    for_minutes: float = 0.0
    hours: Hours | None = None
    title_ru: str | None = None  # what the dashboard calls it; without one, its condition in words
    title_en: str | None = None

    def holds(self, health: dict[str, Any], now: datetime) -> bool:
        """The condition on the field, and, with opening hours, that the site is open at `now`."""
        if self.hours is not None and not is_open(self.hours, now):
            return False
        return OPS[self.op](health[self.field], self.value)


class RulesFile(msgspec.Struct, forbid_unknown_fields=True):
    rule: list[Rule] = msgspec.field(default_factory=list)


def is_open(hours: Hours, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(hours.zone))
    start, end = time.fromisoformat(hours.open), time.fromisoformat(hours.close)
    return local.isoweekday() in hours.days and start <= local.time().replace(tzinfo=None) < end


def _check(rules: list[Rule]) -> None:
    seen: set[str] = set()
    for i, r in enumerate(rules):
        at = f"$.rule[{i}]"
        if not r.name or r.name in seen:
            raise ConfigError.at(
                f"{at}.name",
                "duplicate" if r.name else "too_short",
                "each rule needs its own name",
                what=WHAT,
            )
        seen.add(r.name)
        kind = FIELDS.get(r.field)
        if kind is None:
            raise ConfigError.at(f"{at}.field", "bad_value", f"no health field {r.field!r}", what=WHAT)
        if type(r.value) is not kind:
            raise ConfigError.at(f"{at}.value", "wrong_type", f"{r.field} is a {kind.__name__}", what=WHAT)
        if kind is not int and r.op not in ("==", "!="):
            raise ConfigError.at(
                f"{at}.op", "bad_value", f"{r.field} is compared with == or != only", what=WHAT
            )
        if r.for_minutes < 0:
            raise ConfigError.at(f"{at}.for_minutes", "out_of_range", "a duration is not negative", what=WHAT)
        if r.hours is not None:
            _check_hours(r.hours, f"{at}.hours")


def _check_hours(h: Hours, at: str) -> None:
    try:
        ZoneInfo(h.zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError.at(f"{at}.zone", "bad_value", f"no time zone {h.zone!r}", what=WHAT) from exc
    for key in ("open", "close"):
        if not _HHMM.match(getattr(h, key)):
            raise ConfigError.at(f"{at}.{key}", "bad_format", "a time is HH:MM", what=WHAT)
    if h.open >= h.close:
        raise ConfigError.at(f"{at}.close", "out_of_range", "closing comes after opening", what=WHAT)
    if not h.days or any(d < 1 or d > 7 for d in h.days):
        raise ConfigError.at(f"{at}.days", "out_of_range", "days are ISO weekdays 1 (Monday) to 7", what=WHAT)


def parse_rules(text: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError.at("$", "not_toml", str(exc), what=WHAT) from exc
    rules = convert(data, RulesFile, error=ConfigError, what=WHAT).rule
    _check(rules)
    return rules


def load_rules(path: Path | str) -> list[Rule]:
    """The rules of a file; ConfigError (reason, path) for anything wrong in it."""
    raw = read_input(path, WHAT, ConfigError)
    try:
        return parse_rules(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError.at("$", "not_utf8", "not UTF-8", what=WHAT).within(str(path)) from exc
    except ConfigError as exc:
        raise exc.within(str(path)) from None
