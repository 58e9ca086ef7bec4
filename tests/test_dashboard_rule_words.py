"""A rule without a title is named on the dashboard by its condition, in both languages, for every
health field a rule may name; never by its identifier."""

from __future__ import annotations

from typing import Any, cast

import pytest

from central.alert_rules import Rule
from central.dashboard.rule_words import FIELD_WORDS, FLAG_WORDS, condition
from central.dashboard.server import titles
from central.dashboard.texts import TEXTS
from central.health import FIELDS
from device.uplink.actions import DeviceActions


def test_every_health_field_has_words() -> None:
    assert set(FIELD_WORDS) | set(FLAG_WORDS) == set(FIELDS)
    assert not set(FIELD_WORDS) & set(FLAG_WORDS)
    assert {f for f, kind in FIELDS.items() if kind is bool} == set(FLAG_WORDS)


@pytest.mark.parametrize(
    ("op", "value", "ru", "en"),
    [
        ("==", False, "Нет связи 15 мин", "Offline 15 min"),
        ("!=", True, "Нет связи 15 мин", "Offline 15 min"),
        ("==", True, "На связи 15 мин", "Online 15 min"),
    ],
)
def test_a_flag_reads_as_what_it_says(op: str, value: bool, ru: str, en: str) -> None:
    rule = Rule(name="offline_long", field="online", op=op, value=value, for_minutes=15)  # type: ignore[arg-type]
    assert condition(rule) == (ru, en)


def test_a_number_reads_as_a_comparison() -> None:
    rule = Rule(name="outbox_stuck", field="outbox_age_s", op=">=", value=3600)
    assert condition(rule) == ("Возраст очереди, с ≥ 3600", "Outbox age, s ≥ 3600")


def test_a_title_from_the_file_wins_and_fills_the_other_language() -> None:
    only_ru = Rule(name="paper", field="paper_out", op="==", value=True, title_ru="Нет бумаги")
    assert titles(only_ru) == ("Нет бумаги", "Нет бумаги")
    untitled = Rule(name="tickets_waiting", field="tickets_open", op=">", value=0)
    ru, en = titles(untitled)
    assert "tickets_waiting" not in ru + en
    assert (ru, en) == ("Открытых обращений > 0", "Open tickets > 0")


def test_every_command_a_device_answers_has_a_name_on_the_page() -> None:
    """A command sent from the command line shows on the dashboard by its name in words, not by
    the identifier the device's action table knows it by."""
    known = set(DeviceActions(cast(Any, None)).table())
    named = {key.removeprefix("cmd_") for key in TEXTS if key.startswith("cmd_")}
    assert known <= named
