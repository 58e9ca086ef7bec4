"""Issue at the counter: finding the order, collecting, refusals, COD, ID check, receipts."""

from __future__ import annotations

import json

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, scan, state
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level, Light


@pytest.mark.parametrize(
    ("code", "keyed", "proof"),
    [
        ("22222222*222222", True, "code"),
        ("222222", True, "code"),
        ("PVZQR:qr-token-22", False, "qr"),
        ("22222222", True, "code"),  # the number shows the order, its code then releases it
    ],
    ids=["issue-code", "pickup-code", "qr", "number-then-code"],
)
def test_find_the_order_every_way_with_proof_and_light_its_cells(
    stocked: Engine, code: str, keyed: bool, proof: str
) -> None:
    r = scan(stocked, code, keyed=keyed)
    if code == "22222222":
        assert r.feedback.msg.key == "iss_shown"
        assert r.session is not None and r.session.state.value == "proof" and not r.session.lights
        r = scan(stocked, "222222", keyed=True)
    assert r.feedback.msg.key == "iss_found", r.feedback.msg
    assert r.feedback.msg.params == {
        "order": "22222222",
        "customer": "Иван П.",
        "count": 2,
        "cell_count": 1,
        "cells": "A-03-1",
    }
    assert r.session is not None
    assert (r.session.workflow.name, r.session.state.value) == ("issue", "collecting")
    assert dict(r.session.lights) == {"A-03-1": Light.TAKE}
    assert r.session.data.parcels == ("22222222-0001-1", "22222222-0002-1")
    assert r.session.data.proof == proof


def test_wrong_pickup_codes_open_nothing(stocked: Engine, store: Store) -> None:
    parcels = dump(store)["parcels"]
    expected = {
        "22222222*999999": "iss_wrong_code",
        "999999": "iss_wrong_code",
        "PVZQR:forged": "iss_qr_unknown",
        "12345678*1234": "iss_wrong_code",
    }
    for code, key in expected.items():
        r = scan(stocked, code, keyed=True)
        assert r.feedback.level is Level.ERROR and r.feedback.msg.key == key, code
        assert r.session is None
    assert dump(store)["parcels"] == parcels
    assert store.scalar("SELECT count(*) FROM claims") == 0


def test_full_issue_issues_every_parcel_and_prints_a_receipt(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    r = scan(stocked, "22222222-0001-1")
    assert r.feedback.msg.key == "iss_taken" and r.feedback.msg.params["left"] == 1
    assert r.session is not None and dict(r.session.lights) == {"A-03-1": Light.TAKE}  # one still there
    r = scan(stocked, "22222222-0002-1")
    assert r.feedback.msg.key == "iss_taken_all"
    assert r.session is not None and not r.session.lights
    r = scan(stocked, Command.DONE)
    assert r.session is None and r.feedback.msg.key == "iss_done"
    assert state(store, "22222222-0001-1") == ("issued", None)
    assert state(store, "22222222-0002-1") == ("issued", None)
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'issued' ORDER BY seq").fetchall()
    assert [(e["from_state"], e["to_state"], e["cell"]) for e in ev] == [("stored", "issued", "A-03-1")] * 2
    doc = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'receipt'"))
    text = json.dumps(doc, ensure_ascii=False)
    assert "22222222-0001-1" in text and "Чек выдачи заказа" in text


def test_a_parcel_of_another_order_is_refused_loudly(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    before = dump(store)
    r = scan(stocked, "11111111-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "iss_other_order"
    assert r.feedback.msg.params["expected"] == "22222222"
    assert dump(store) == before


def test_partial_refusal_sends_refused_parcels_to_return_and_recomputes_cod(
    engine: Engine, store: Store
) -> None:
    from tests.support.factory import M, P, load

    parcels = [P("90000000-0001-1", "90000000", cod=10000), P("90000000-0002-1", "90000000", cod=2550)]
    load(store, M("S9", parcels, codes={"90000000": "9090"}))
    scan(engine, "90000000-0001-1", "90000000-0002-1", Command.DONE)
    scan(engine, "90000000-0001-1", "C-A-01-1", "90000000-0002-1", "C-A-01-2", Command.DONE)
    r = scan(engine, "90000000*9090", keyed=True)
    assert [d.params for d in r.feedback.details if d.key == "iss_amount_due"] == [{"amount": 12550}]
    scan(engine, "90000000-0001-1")
    r = scan(engine, Command.REFUSE_ITEM)
    assert r.session is not None and r.session.state.value == "refuse_next"
    r = scan(engine, "90000000-0001-1")  # taken first, then refused after all
    assert r.feedback.msg.key == "iss_refused" and r.feedback.msg.params["amount"] == 2550
    assert scan(engine, "90000000-0001-1").feedback.msg.key == "iss_was_refused"
    r = scan(engine, "90000000-0002-1")
    assert r.feedback.msg.key == "iss_taken_all_pay" and r.feedback.msg.params["amount"] == 2550
    assert scan(engine, Command.DONE).feedback.msg.key == "iss_payment_required"
    r = scan(engine, Command.PAID_CARD)
    assert r.feedback.msg.key == "iss_paid_done" and r.feedback.msg.params["amount"] == 2550
    r = scan(engine, Command.DONE)
    assert r.feedback.msg.key == "iss_done_paid"
    assert {k: v for k, v in r.feedback.msg.params.items() if k != "method"} == {
        "order": "90000000",
        "count": 1,
        "amount": 2550,
    }
    assert [(d.key, d.params) for d in r.feedback.details] == [("iss_done_refused", {"count": 1})]
    assert state(store, "90000000-0001-1") == ("to_return", "A-01-1")  # back on its shelf until picked
    assert (
        store.scalar("SELECT return_reason FROM parcels WHERE barcode = '90000000-0001-1'")
        == "refused_by_customer"
    )
    assert state(store, "90000000-0002-1") == ("issued", None)
    refused = store.conn.execute(
        "SELECT from_state, to_state, cell FROM journal WHERE kind = 'refused'"
    ).fetchone()
    assert tuple(refused) == ("stored", "to_return", "A-01-1")


def test_cash_on_delivery_needs_payment_before_completion(stocked: Engine, store: Store) -> None:
    r = scan(stocked, "33333333*3333", keyed=True)
    assert any(d.key == "iss_amount_due" and d.params["amount"] == 123450 for d in r.feedback.details)
    scan(stocked, "33333333-0001-1")
    before = dump(store)
    r = scan(stocked, Command.DONE)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "iss_payment_required"
    assert dump(store) == before
    scan(stocked, Command.PAID_CASH, Command.DONE)
    assert state(store, "33333333-0001-1")[0] == "issued"
    completed = json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'issue_completed'"))
    assert (completed["cod_kopecks"], completed["payment"], completed["proof"]) == (123450, "cash", "code")


def test_paid_without_anything_due_is_a_warning_that_says_what_next(stocked: Engine) -> None:
    scan(stocked, "11111111*1111", keyed=True)
    r = scan(stocked, Command.PAID_CASH)
    assert r.feedback.msg.key == "iss_nothing_to_pay"
    assert r.feedback.msg.params["next"] == Msg("iss_prompt_take", {"count": 1})


def test_age_restricted_parcels_need_the_id_check_command(stocked: Engine, store: Store) -> None:
    r = scan(stocked, "44444444*4444", keyed=True)
    assert any(d.key == "iss_age_check" for d in r.feedback.details)
    before = dump(store)
    r = scan(stocked, "44444444-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "iss_id_check_required"
    assert dump(store) == before
    assert scan(stocked, Command.ID_CHECKED).feedback.msg.key == "iss_id_checked"
    scan(stocked, "44444444-0001-1", Command.DONE)
    assert state(store, "44444444-0001-1")[0] == "issued"


def test_id_check_when_not_needed_is_a_warning(stocked: Engine) -> None:
    scan(stocked, "11111111*1111", keyed=True)
    assert scan(stocked, Command.ID_CHECKED).feedback.msg.key == "iss_id_not_needed"


def test_done_with_nothing_taken_is_refused_and_cancel_changes_nothing(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    assert scan(stocked, Command.DONE).feedback.msg.key == "iss_nothing_taken"
    scan(stocked, "22222222-0001-1")
    before = dump(store)["parcels"]
    r = scan(stocked, Command.CANCEL)
    assert r.session is None and r.feedback.msg.key == "iss_cancelled_put_back"
    assert dump(store)["parcels"] == before
    assert store.scalar("SELECT count(*) FROM claims") == 0


def test_untaken_parcels_stay_stored_after_a_partial_pickup(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    r = scan(stocked, "22222222-0001-1", Command.DONE)
    assert [d.key for d in r.feedback.details] == ["iss_remaining"]
    assert state(store, "22222222-0002-1") == ("stored", "A-03-1")
    r = scan(stocked, "222222", keyed=True)  # the customer comes back for the rest
    assert r.session is not None and r.session.data.parcels == ("22222222-0002-1",)


def test_duplicate_take_and_refuse_cancel(stocked: Engine) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    scan(stocked, "22222222-0001-1")
    assert scan(stocked, "22222222-0001-1").feedback.msg.key == "iss_already_taken"
    scan(stocked, Command.REFUSE_ITEM)
    r = scan(stocked, Command.CANCEL)
    assert r.session is not None and r.session.state.value == "collecting"
    assert r.feedback.msg.key == "iss_refuse_off"
    scan(stocked, Command.REFUSE_ITEM, "22222222-0002-1", Command.REFUSE_ITEM)
    assert scan(stocked, "22222222-0002-1").feedback.msg.key == "iss_already_refused"


def test_order_with_nothing_stored_says_why_for_each_parcel(engine: Engine) -> None:
    r = scan(engine, "11111111*1111", keyed=True)
    assert r.feedback.msg.key == "iss_nothing_to_issue" and r.session is None
    assert r.feedback.details == (
        Msg("iss_not_ready", {"parcel": "11111111-0001-1", "why": Msg("iss_why_expected")}),
    )
    assert r.feedback.details[0].render("ru") == "11111111-0001-1: ещё не поступило на пункт"


def test_cell_label_and_unknown_code_during_issue_are_refused_with_what_to_do(
    stocked: Engine, store: Store
) -> None:
    scan(stocked, Command.START_ISSUE)
    before = dump(store)
    assert scan(stocked, "C-A-01-1").feedback.msg.key == "iss_cell_in_find"
    assert scan(stocked, "22222222-0001-1").feedback.msg.key == "iss_parcel_in_find"
    assert scan(stocked, "22222222*222222", keyed=True).feedback.msg.key == "iss_found"
    assert scan(stocked, "C-A-03-1").feedback.msg.key == "iss_cell_not_now"
    assert scan(stocked, "00000000-0000-0").feedback.msg.key == "iss_unknown_parcel"
    r = scan(stocked, Command.DAMAGED)
    assert r.feedback.msg == Msg(
        "iss_command_not_now",
        {"command": Msg("cmd_DAMAGED"), "next": Msg("iss_prompt_take", {"count": 2})},
    )
    assert r.feedback.msg.render("ru") == (
        "Команда «Повреждено» сейчас не нужна. "
        "Возьмите из подсвеченных ячеек и отсканируйте ещё 2 отправления"
    )
    assert scan(stocked, Command.START_ACCEPTANCE).feedback.msg.key == "session_open"
    assert dump(store)["parcels"] == before["parcels"]


def test_a_parcel_not_ready_is_refused_during_issue_with_the_reason_in_words(
    stocked: Engine, store: Store
) -> None:
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("22222222-0003-1", "22222222")], codes={"22222222": "222222"}))
    r = scan(stocked, "22222222*222222", keyed=True)
    assert r.feedback.msg.key == "iss_found_part" and r.feedback.msg.params["total"] == 3
    r = scan(stocked, "22222222-0003-1")
    assert r.feedback.msg == Msg(
        "iss_parcel_not_ready", {"parcel": "22222222-0003-1", "why": Msg("iss_why_expected")}
    )


def test_find_state_cancel_and_commands(stocked: Engine) -> None:
    scan(stocked, Command.START_ISSUE)
    r = scan(stocked, Command.PAID_CASH)
    assert r.feedback.msg == Msg(
        "iss_command_not_now", {"command": Msg("cmd_PAID_CASH"), "next": Msg("iss_find")}
    )
    assert scan(stocked, Command.DONE).session is None
    scan(stocked, Command.START_ISSUE)
    assert scan(stocked, Command.CANCEL).session is None


def test_two_stations_cannot_issue_the_same_order(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True, station="a")
    r = scan(stocked, "222222", keyed=True, station="b")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "iss_claimed"
    assert r.feedback.msg.params == {"order": "22222222", "station": "a"}
