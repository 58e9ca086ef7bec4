"""What the clerk reads during an issue: what is ready and what is not (and why), damaged parcels
flagged, the receipt listing what stayed behind, a refusal that says what to do, a resumed issue."""

from __future__ import annotations

import json
import re
from pathlib import Path

from device.engine import Engine, Result
from device.store.db import Store
from device.store.queries import StoreQueries
from tests.support.factory import KEY, M, P, StepClock, load, new_engine, new_store, scan, standard_manifest
from tests.support.stock import stock
from workflows import issue
from workflows.inputs import Command
from workflows.issue_model import State
from workflows.messages import Msg
from workflows.outcome import Level
from workflows.parcel import ParcelState


def text_of(result: Result, lang: str = "ru") -> str:
    return " / ".join(m.render(lang) for m in (result.feedback.msg, *result.feedback.details))


def receipt_text(store: Store) -> str:
    doc = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'receipt' ORDER BY id DESC"))
    lines = []
    for block in doc["blocks"]:
        if block["t"] == "text":
            lines.append(block["text"])
        elif block["t"] == "cols":
            lines.append(f"{block['left']} {block['right']}".strip())
    return "\n".join(lines)


def test_the_start_says_what_is_ready_and_why_the_rest_is_not(engine: Engine, store: Store) -> None:
    stock(engine, unplaced={"22222222-0001-1"})
    r = scan(engine, "222222", keyed=True)
    assert r.feedback.msg == Msg(
        "iss_found_part",
        {
            "order": "22222222",
            "customer": "Иван П.",
            "count": 1,
            "total": 2,
            "cell_count": 1,
            "cells": "A-03-1",
        },
    )
    assert r.feedback.details == (
        Msg("iss_not_ready", {"parcel": "22222222-0001-1", "why": Msg("iss_why_accepted")}),
    )
    assert text_of(r) == (
        "Заказ 22222222, Иван П.: готово 1 из 2, ячейка A-03-1 / "
        "22222222-0001-1: принято, но ещё не в ячейке — разместите его, потом выдавайте"
    )
    r = scan(engine, "22222222-0002-1")
    assert r.feedback.msg.key == "iss_taken_all"
    scan(engine, Command.DONE)
    text = receipt_text(store)
    assert "Не выдано (1):" in text
    assert "  22222222-0001-1\n    поступило, ещё не разложено" in text


def test_a_parcel_kept_for_a_later_visit_is_on_the_receipt_with_its_last_day(
    stocked: Engine, store: Store
) -> None:
    scan(stocked, "222222", keyed=True)
    scan(stocked, "22222222-0001-1", Command.DONE)
    text = receipt_text(store)
    assert "Выдано (1):" in text and "Не выдано (1):" in text
    assert "  22222222-0002-1\n    хранится на пункте до 2026-11-28" in text


def test_a_parcel_damaged_at_acceptance_is_flagged_on_screen_and_on_the_receipt(
    engine: Engine, store: Store
) -> None:
    scan(engine, "BOX00000001", "11111111-0001-1", "22222222-0001-1", "22222222-0002-1")
    scan(engine, Command.DAMAGED, "33333333-0001-1", "44444444-0001-1", Command.DONE)
    scan(engine, Command.START_PLACEMENT, "33333333-0001-1", "C-A-02-1", Command.DONE)
    r = scan(engine, "33333333*3333", keyed=True)
    assert Msg("iss_damaged", {"parcel": "33333333-0001-1"}) in r.feedback.details
    r = scan(engine, "33333333-0001-1")
    assert r.feedback.level is Level.WARN
    assert r.feedback.details == (Msg("iss_damaged_take", {"parcel": "33333333-0001-1"}),)
    scan(engine, Command.PAID_CASH, Command.DONE)
    assert "33333333-0001-1 1\u00a0234,50 ₽\n    повреждено при приёмке" in receipt_text(store)


def test_every_reason_a_parcel_cannot_go_is_in_words(tmp_path: Path) -> None:
    from workflows.issue_words import why_not
    from workflows.parcel import Size
    from workflows.views import ParcelView

    for parcel_state in ParcelState:
        parcel = ParcelView(
            "X",
            "O",
            None,
            None,
            Size.S,
            parcel_state,
            None,
            0,
            False,
            False,
            False,
            None,
            return_reason="deadline",
        )
        text = why_not(parcel).render("ru")
        assert text and not re.search(r"[a-z_]{4,}", text), (parcel_state, text)
    assert "истёк срок хранения" in why_not(
        ParcelView(
            "X",
            "O",
            None,
            None,
            Size.S,
            ParcelState.TO_RETURN,
            None,
            0,
            False,
            False,
            False,
            None,
            return_reason="deadline",
        )
    ).render("ru")


# -- every refusal says what to do next ----------------------------------------------------------

NEXT = (
    "отсканируйте",
    "введите",
    "верните",
    "попросите",
    "подождите",
    "закончите",
    "скажите",
    "сверьте",
    "примите",
    "не выдавайте",
    "разместите",
    "отмените",
    "отложите",
    "«Отмена»",
    "«Готово»",
)
IDENTIFIERS = {s.value for s in ParcelState} | {s.value for s in State} | {"refused_by_customer", "issue"}


def test_every_refusal_of_the_issue_says_what_to_do_next(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    load(store, M("S2", [P("22222222-0003-1", "22222222")], codes={"22222222": "222222"}))
    engine = new_engine(store)
    stock(engine)
    refusals: list[Result] = []

    def run(*codes: str | Command, keyed: bool = False) -> None:
        for code in codes:
            r = scan(engine, code, keyed=keyed)
            if r.feedback.level is Level.ERROR:
                refusals.append(r)

    run(Command.START_ISSUE, Command.PAID_CASH, "C-A-01-1", "11111111-0001-1", "NOBODY-KNOWS", "PVZQR:nope")
    run("999999", "22222222*000000", keyed=True)
    run(Command.CANCEL, "11111111", keyed=True)  # shown by its number
    run(Command.ID_CHECKED, Command.REFUSE_ITEM, Command.CANCEL)
    run("22222222*222222", keyed=True)
    run("C-A-01-1", "NOBODY-KNOWS-1234", "11111111-0001-1", "22222222-0003-1", Command.DAMAGED, Command.DONE)
    run(Command.REFUSE_ITEM, "22222222-0001-1", "22222222-0001-1", Command.CANCEL, Command.CANCEL)
    run("44444444*4444", "44444444-0001-1", Command.CANCEL, keyed=True)
    run("33333333*3333", "33333333-0001-1", Command.DONE, Command.CANCEL, keyed=True)
    for i in range(6):
        run(f"{800000 + i}", keyed=True)
    keys = {r.feedback.msg.key for r in refusals}
    assert {
        "iss_command_not_now",
        "iss_cell_in_find",
        "iss_parcel_in_find",
        "iss_unknown_find",
        "iss_qr_unknown",
        "iss_wrong_code",
        "iss_id_no_release",
        "iss_cell_not_now",
        "iss_unknown_parcel",
        "iss_other_order",
        "iss_parcel_not_ready",
        "iss_was_refused",
        "iss_id_check_required",
        "iss_payment_required",
        "iss_codes_paused",
        "iss_codes_locked",
    } <= keys, keys
    for r in refusals:
        text = text_of(r)
        assert any(step.lower() in text.lower() for step in NEXT), f"{r.feedback.msg.key}: {text}"
        words = set(re.findall(r"[a-z_]+", text))
        assert not words & IDENTIFIERS, f"{r.feedback.msg.key}: {text}"


# -- a restart that resumes an issue says what was in progress -----------------------------------


def test_a_resumed_issue_says_which_order_and_what_is_already_taken(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    engine = new_engine(store)
    stock(engine)
    scan(engine, "22222222*222222", keyed=True)
    scan(engine, "22222222-0001-1")
    clock = engine.clock
    assert isinstance(clock, StepClock)
    store.close()

    again = Store.open(tmp_path / "pvz.db")
    resumed = new_engine(again, signed_in=(), clock=StepClock(clock.now)).sessions()["s1"]
    q = StoreQueries(again.conn, pickup_key=KEY)
    assert issue.describe(resumed, q) == Msg(
        "iss_resume_taken",
        {
            "order": "22222222",
            "customer": "Иван П.",
            "taken": 1,
            "count": 2,
            "parcels": "22222222-0001-1",
            "next": Msg("iss_prompt_take", {"count": 1}),
        },
    )
    assert issue.describe(resumed, q).render("ru") == (
        "Выдача заказа 22222222, Иван П.: взято 1 из 2 (22222222-0001-1). "
        "Возьмите из подсвеченных ячеек и отсканируйте ещё 1 отправление"
    )
    again.close()


def test_every_issue_state_has_words_for_a_restart(stocked: Engine) -> None:
    seen = {}
    for codes in ([Command.START_ISSUE], ["11111111"], ["22222222*222222"]):
        scan(stocked, Command.CANCEL)
        r = scan(stocked, *codes, keyed=True)
        assert r.session is not None
        seen[r.session.state] = issue.describe(r.session, StoreQueries(stocked.store.conn, pickup_key=KEY))
    assert seen == {
        State.FIND: Msg("iss_find"),
        State.PROOF: Msg("iss_resume_proof", {"order": "11111111"}),
        State.COLLECTING: Msg(
            "iss_resume_none",
            {
                "order": "22222222",
                "customer": "Иван П.",
                "count": 2,
                "next": Msg("iss_prompt_take", {"count": 2}),
            },
        ),
    }
