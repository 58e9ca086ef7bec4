"""Every message key the code names has its Russian and English text, whatever was imported first."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from central.rollout_plans import STATES as PLAN_STATES
from device.documents.registry import BUILDERS
from device.documents.shift_report import WORK
from device.intake.deadlines import RETURN_REASON
from device.intake.order_updates import CANCEL_REASON
from device.reports.csv_export import CLERK_COLUMNS, SUPPLY_COLUMNS
from device.reports.stats import CHANNELS, RETURN_CHECK_FAILED, TICKET_KINDS
from device.screen.kiosk_view import LABELS as KIOSK_LABELS
from device.screen.kiosk_view import LANGS as KIOSK_LANGS
from device.screen.view import LABELS
from device.update.install import RESULTS as UPDATE_RESULTS
from device.update.release import REASONS as UPDATE_REASONS
from sync.site import REFUSALS
from workflows.inputs import Command
from workflows.issue import REFUSED_REASON
from workflows.issue_model import CARD, CASH
from workflows.kiosk_model import DoorStep
from workflows.messages import (
    CATALOG,
    LANGUAGES,
    PLURAL,
    Msg,
    plural,
    plural_names,
    return_reason_name,
    state_name,
    workflow_name,
)
from workflows.outcome import Light
from workflows.parcel import ParcelState
from workflows.registry import WORKFLOWS
from workflows.returns import CHECKS, CUSTOMER_RETURN
from workflows.tickets import TicketKind, TicketState
from workflows.views import ZONES

RETURN_REASONS = (RETURN_REASON, REFUSED_REASON, CUSTOMER_RETURN, CANCEL_REASON)

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflows", "device", "drivers", "sync", "central")

# Where a call takes a message key: function or method name -> positions the key may be at
# (`docs.t(key)` and `text.t(lang, key)` are both methods named t).
FUNCTIONS = {"Msg": (0,), "refuse": (1,), "warn": (1,), "t": (1,), "BadCode": (0,)}
METHODS = {"t": (0, 1), "say": (0,)}
# Keys built at run time, by their literal prefix: every key the family can produce.
FAMILIES: dict[str, set[str]] = {
    "check_": {f"check_{name}" for name in CHECKS.values()},
    "cmd_": {f"cmd_{command.name}" for command in Command},
    "ev_": {key for key in CATALOG if key.startswith("ev_")},  # known kinds, and ev_other for the rest
    "rep_col_": {f"rep_col_{name}" for name in (*CLERK_COLUMNS, *SUPPLY_COLUMNS, *WORK)},
    "rep_state_": {f"rep_state_{state.value}" for state in ParcelState},
    "rollouts_state_": {f"rollouts_state_{state}" for state in PLAN_STATES},
    "wf_": {f"wf_{workflow.name}" for workflow in WORKFLOWS},
    "why_": {f"why_{reason}" for reason in RETURN_REASONS} | {"why_unknown"},
    "zone_": {f"zone_{zone}" for zone in ZONES},
    "scr_": {f"scr_{name}" for name in LABELS},
    "kp_": {f"kp_{name}" for name in KIOSK_LABELS},
    "kp_step_": {f"kp_step_{step.value}" for step in DoorStep},
    "kp_lang_": {f"kp_lang_{lang}" for lang in KIOSK_LANGS},
    "scr_doc_": {f"scr_doc_{kind}" for kind in BUILDERS} | {"scr_doc_other"},
    "scr_print_": {f"scr_print_{state}" for state in ("queued", "printed", "failed")},
    "scr_light_": {f"scr_light_{light.value}" for light in Light},
    "scr_paid_": {f"scr_paid_{how}" for how in (CASH, CARD)},
    "scr_wf_": {f"scr_wf_{workflow.name}" for workflow in WORKFLOWS},
    "scr_parcel_": {f"scr_parcel_{status}" for status in ("waiting", "taken", "refused")},
    "stat_ch_": {f"stat_ch_{channel}" for channel in CHANNELS},
    "stat_tk_": {f"stat_tk_{kind}" for kind in TICKET_KINDS} | {"stat_tk_other"},
    "stat_why_": {f"stat_why_{RETURN_CHECK_FAILED}"},
    "stat_col_": {key for key in CATALOG if key.startswith("stat_col_")},  # the statistics' own columns
    "tk_kind_": {f"tk_kind_{kind.value}" for kind in TicketKind},
    "tk_state_": {f"tk_state_{state.value}" for state in TicketState},
    "site_refused_": {f"site_refused_{reason}" for reason in REFUSALS},
    "upd_result_": {f"upd_result_{result}" for result in UPDATE_RESULTS},
    "upd_why_": {f"upd_why_{reason}" for reason in UPDATE_REASONS},
    "fleet_upd_": {f"fleet_upd_{result}" for result in UPDATE_RESULTS},
}


def _sources() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _key_args(call: ast.Call) -> list[ast.expr]:
    positions: tuple[int, ...] = ()
    if isinstance(call.func, ast.Name):
        positions = FUNCTIONS.get(call.func.id, ())
    elif isinstance(call.func, ast.Attribute):
        positions = METHODS.get(call.func.attr, ())
    return [call.args[i] for i in positions if i < len(call.args)]


def _column_keys(call: ast.Call) -> list[str]:
    """The report's `_cols(lang, "ts", ...)` names columns whose headings are rep_col_ keys."""
    if not (isinstance(call.func, ast.Name) and call.func.id == "_cols"):
        return []
    return [
        f"rep_col_{a.value}"
        for a in call.args[1:]
        if isinstance(a, ast.Constant) and isinstance(a.value, str)
    ]


def _key_values(target: ast.expr, value: ast.expr) -> list[ast.expr]:
    """What lands in a variable named `key`: `key = ...`, `key, level = "...", Level.X`."""
    if isinstance(target, ast.Name):
        return [value] if target.id == "key" else []
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        pairs = zip(target.elts, value.elts, strict=False)
        return [key for name, item in pairs for key in _key_values(name, item)]
    return []


def _assigned_keys(node: ast.Assign | ast.For) -> list[ast.expr]:
    """Keys assigned to `key`, also by a loop over literal pairs: `for key, x in (("k", a), ...)`."""
    if isinstance(node, ast.Assign):
        return [v for target in node.targets for v in _key_values(target, node.value)]
    if isinstance(node.iter, ast.Tuple | ast.List):
        return [v for item in node.iter.elts for v in _key_values(node.target, item)]
    return []


def _strings(expr: ast.expr) -> Iterator[ast.Constant | ast.JoinedStr]:
    """String literals and f-strings in an expression (`"a" if late else "b"` gives both)."""
    if isinstance(expr, ast.JoinedStr) or (isinstance(expr, ast.Constant) and isinstance(expr.value, str)):
        yield expr
        return
    for child in ast.iter_child_nodes(expr):
        if isinstance(child, ast.expr):
            yield from _strings(child)


def _speaks(source: str) -> bool:
    """Only modules that make messages name keys in variables called `key`."""
    return "workflows.messages import" in source or "workflows.outcome import" in source


def used_keys() -> tuple[dict[str, str], dict[str, str]]:
    """Literal keys and f-string key prefixes in the code, each with where it was seen first."""
    literal: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                exprs = _key_args(node)
                for key in _column_keys(node):
                    literal.setdefault(key, f"{path.relative_to(ROOT)}:{node.lineno}")
            elif isinstance(node, ast.Assign | ast.For) and _speaks(source):
                exprs = _assigned_keys(node)
            else:
                continue
            for expr in exprs:
                for found in _strings(expr):
                    where = f"{path.relative_to(ROOT)}:{found.lineno}"
                    if isinstance(found, ast.Constant):
                        literal.setdefault(str(found.value), where)
                    else:
                        head = found.values[0] if found.values else None
                        prefix = head.value if isinstance(head, ast.Constant) else ""
                        prefixes.setdefault(str(prefix), where)
    return literal, prefixes


def test_the_scan_finds_the_keys_it_should() -> None:
    literal, prefixes = used_keys()
    for key in (
        "acc_opened",
        "iss_order_cancelled_now",
        "rts_picked",
        "hw_fault",
        "due_back",
        "doc_test_page",
    ):
        assert key in literal
    assert {"check_", "cmd_", "rep_col_", "rep_state_"} <= set(prefixes)
    assert len(literal) > 150


def test_every_key_named_in_the_code_has_a_text() -> None:
    literal, prefixes = used_keys()
    missing = {key: where for key, where in literal.items() if key not in CATALOG}
    assert not missing, f"message keys without text: {missing}"
    unknown = {prefix: where for prefix, where in prefixes.items() if prefix not in FAMILIES}
    assert not unknown, f"keys built at run time from an unlisted family (add it to FAMILIES): {unknown}"
    for prefix, keys in FAMILIES.items():
        assert keys, prefix
        assert keys <= CATALOG.keys(), f"{prefix}: no text for {sorted(keys - CATALOG.keys())}"


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_text_exists_in_both_languages_with_the_same_parameters(key: str) -> None:
    texts = CATALOG[key]
    assert len(texts) == len(LANGUAGES)
    fields = [plural_names(text) for text in texts]
    assert all(t.strip() for t in texts), key
    assert fields[0] == fields[1], f"{key}: Russian names {fields[0]}, English {fields[1]}"
    params: dict[str, str | int] = dict.fromkeys(fields[0], "x")
    params.update({m["name"]: 2 for text in texts for m in PLURAL.finditer(text)})
    for lang in LANGUAGES:
        assert Msg(key, params).render(lang)


def test_texts_do_not_depend_on_what_was_imported_first() -> None:
    """A fresh interpreter that imports only the message module knows every feature's texts."""
    probe = (
        "from workflows.messages import CATALOG, Msg; print(len(CATALOG)); Msg('ret_find'); Msg('hw_fault')"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    assert int(out.stdout) == len(CATALOG)


CELLS_RU = ("ячейка", "ячейки", "ячеек")
PLURALS_RU = {
    0: "ячеек",
    1: "ячейка",
    2: "ячейки",
    5: "ячеек",
    11: "ячеек",
    21: "ячейка",
    22: "ячейки",
    25: "ячеек",
}


@pytest.mark.parametrize(("count", "word"), sorted(PLURALS_RU.items()))
def test_russian_plurals_follow_the_language(count: int, word: str) -> None:
    assert plural(count, CELLS_RU, "ru") == word
    assert plural(count + 100, CELLS_RU, "ru") == word  # 111 is like 11, 121 like 21
    assert plural(count, ("cell", "cells"), "en") == ("cell" if count == 1 else "cells")


def test_a_template_agrees_its_words_with_the_number() -> None:
    shown = [Msg("inv_start", {"cells": n}).render("ru").split(".")[0] for n in (1, 3, 12, 64)]
    assert shown == [
        "Инвентаризация: 1 ячейка",
        "Инвентаризация: 3 ячейки",
        "Инвентаризация: 12 ячеек",
        "Инвентаризация: 64 ячейки",
    ]
    assert Msg("inv_cell", {"cell": "A-01-1", "left": 1}).render("en").endswith("(1 cell left)")
    assert PLURAL.sub("", "{count} {count|ячейка|ячейки|ячеек}") == "{count} "
    assert plural_names("{count} {count|ячейка|ячейки|ячеек} в {cells}") == {"count", "cells"}
    with pytest.raises(ValueError):
        plural(2, ("cell", "cells"), "ru")


def test_names_stand_in_for_identifiers() -> None:
    assert Msg("session_open", {"workflow": workflow_name("placement")}).render("ru") == (
        "Сначала завершите размещение («Готово») или отмените («Отмена»)"
    )
    assert state_name("missing").render("ru") == "не поступило"
    assert return_reason_name("deadline").render("en") == "storage period ended"
    assert return_reason_name("a reason from a newer central").render("ru") == "другая причина"
