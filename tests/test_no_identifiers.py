"""No identifier from the code in anything a person reads: screens, feedback, paper, reports, the demo.

A whole messy day through the runtime with simulated drivers, and the demo day, run in both
languages; every screen frame, feedback message, printed document, report and line of the
demo's timeline is searched for the code's own names. The forbidden names come from the enums
and constants (parcel states, workflows and their session states, return reasons, lights,
levels, commands, zones, checks, document kinds) and from what the day wrote in the store
(journal kinds and data keys, parcel kinds, bag, supply and package states), so the set grows
with the code. Russian text may hold no Latin identifier at all; English text may use the
words ("accepted", "placement") but no snake_case name, and neither language a Python literal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from device.demo.day import run_demo
from device.documents.registry import BUILDERS
from device.intake.deadlines import RETURN_REASON
from device.intake.order_updates import CANCEL_REASON
from device.store.db import Store
from tests.support.seen import Seen, messy_day
from workflows.inputs import Command
from workflows.issue import REFUSED_REASON
from workflows.machine import END, START
from workflows.outcome import Level, Light
from workflows.parcel import ParcelState
from workflows.registry import WORKFLOWS
from workflows.returns import CHECKS, CUSTOMER_RETURN
from workflows.views import ZONES

MSK = timezone(timedelta(hours=3))
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
PYTHON = {"None", "True", "False"}

# A barcode or a QR code as the text rendering of paper shows it: a code to scan, not words.
PRINTED_CODE = re.compile(r"^(\|\|\| .* \|\|\||\[QR\] .*)$")


def code_names() -> set[str]:
    """Every name the code gives a value: what a person must never read as it is."""
    names = {s.value for s in ParcelState}
    for workflow in WORKFLOWS:
        names.add(workflow.name)
        names |= {state.value for state in workflow.states}
    names |= {RETURN_REASON, REFUSED_REASON, CUSTOMER_RETURN, CANCEL_REASON}
    names |= {light.value for light in Light} | {level.value for level in Level}
    names |= set(CHECKS.values()) | set(ZONES) | set(BUILDERS) | {START, END}
    return names


def stored_names(path: Path) -> set[str]:
    """The names the day wrote in the store: journal kinds and data keys, parcel kinds, row states."""
    with Store.open(path) as store:
        conn = store.conn
        names = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM journal")}
        for (data,) in conn.execute("SELECT data FROM journal"):
            names |= set(json.loads(data))
        for sql in (
            "SELECT DISTINCT kind FROM parcels",
            "SELECT DISTINCT state FROM outbound_bags",
            "SELECT DISTINCT status FROM supplies",
            "SELECT DISTINCT state FROM packages",
        ):
            names |= {r[0] for r in conn.execute(sql) if r[0]}
    return names


def commands() -> set[str]:
    return {c.value for c in Command} | {c.name for c in Command}


def leaks(lang: str, line: str, names: set[str]) -> list[str]:
    """The identifiers in one line a person reads."""
    found = []
    for token in TOKEN.findall(line):
        if (
            token in PYTHON
            or SNAKE.fullmatch(token)
            or (lang == "ru" and (token in names or token in commands()))
        ):
            found.append(token)
    return found


def found_leaks(seen: Seen, names: set[str]) -> list[tuple[str, str, str]]:
    bad = []
    for where, line in seen.lines():
        text = line.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]  # a screen's title
        if PRINTED_CODE.match(text):
            continue
        bad += [(where, token, text) for token in leaks(seen.lang, text, names)]
    return bad


def _report(bad: Iterable[tuple[str, str, str]]) -> str:
    return "\n".join(f"{where}: {token!r} in {text!r}" for where, token, text in bad)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_messy_day_shows_and_prints_no_identifier(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "pvz.db"
    seen = messy_day(path, lang, MSK)
    names = code_names() | stored_names(path)
    assert {"wait_parcel", "to_return", "customer_return", "handed_over", "placement"} <= names
    kinds = {where for where, _ in seen.texts}
    for kind in (
        "receipt",
        "acceptance_act",
        "return_label",
        "pick_list",
        "handover_act",
        "inventory_report",
    ):
        assert f"printed {kind}" in kinds, kind
    for kind in ("shift_report", "command_card", "cell_labels", "test_page"):
        assert f"printed {kind}" in kinds, kind
    assert any(w.startswith("report history") for w in kinds) and "screen" in kinds
    bad = found_leaks(seen, names)
    assert not bad, "identifiers a person would read:\n" + _report(bad)


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_demo_day_shows_and_prints_no_identifier(tmp_path: Path, lang: str) -> None:
    seen = Seen(lang)
    run_demo(tmp_path, seed=7, lang=lang, quiet=True, echo=seen.screen, on_result=seen.result)
    for doc in sorted((tmp_path / "receipts").glob("*.txt")):
        seen.printed(doc.stem.split("-", 1)[1], doc.read_text(encoding="utf-8"))
    names = code_names() | stored_names(tmp_path / "pvz.db")
    assert len(seen.feedback) > 300 and len(seen.texts) > 600
    bad = found_leaks(seen, names)
    assert not bad, "identifiers a person would read:\n" + _report(bad)


@pytest.mark.parametrize(
    ("lang", "line", "found"),
    [
        ("ru", "Сначала завершите: placement", ["placement"]),
        ("ru", "11111111-0001-1: статус missing", ["missing"]),
        ("ru", "Команда DONE сейчас недоступна (wait_parcel)", ["DONE", "wait_parcel"]),
        ("ru", "A-01-1  22222222-0001-1  refused_by_customer", ["refused_by_customer"]),
        ("en", "Command DONE not available now (wait_parcel)", ["wait_parcel"]),
        ("en", "Order None, customer", ["None"]),
        ("en", "Accepted 11111111-0001-1 into placement", []),
        ("ru", "Пункт выдачи test-site, устройство pvz-test-0001, размер XL", []),
    ],
)
def test_the_search_finds_what_it_should(lang: str, line: str, found: list[str]) -> None:
    assert leaks(lang, line, code_names()) == found
