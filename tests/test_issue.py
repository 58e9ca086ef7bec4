"""Issue at the counter: finding the order, collecting, refusals, COD, ID check, receipts."""

from __future__ import annotations

import json

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, scan, state
from workflows.inputs import Command
from workflows.outcome import Level, Light


@pytest.mark.parametrize(
    ("code", "keyed"),
    [("22222222", True), ("22222222*222222", True), ("222222", True), ("PVZQR:qr-token-22", False)],
    ids=["order-number", "issue-code", "pickup-code", "qr"],
)
def test_find_the_order_every_way_and_light_its_cells(stocked: Engine, code: str, keyed: bool) -> None:
    r = scan(stocked, code, keyed=keyed)
    assert r.feedback.msg.key == "iss_found", r.feedback.msg
    assert r.session is not None
    assert (r.session.workflow.name, r.session.state.value) == ("issue", "collecting")
    assert dict(r.session.lights) == {"A-03-1": Light.TAKE}
    assert r.session.data.parcels == ("22222222-0001-1", "22222222-0002-1")


def test_wrong_pickup_codes_find_nothing(stocked: Engine, store: Store) -> None:
    before = dump(store)
    for code in ("22222222*999999", "999999", "PVZQR:forged", "12345678*1234"):
        r = scan(stocked, code, keyed=True)
        assert r.feedback.msg.key in ("iss_order_not_found", "unknown_code"), code
        assert r.session is None
    assert dump(store) == before


def test_full_issue_issues_every_parcel_and_prints_a_receipt(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222", keyed=True)
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
    scan(stocked, "22222222", keyed=True)
    before = dump(store)
    r = scan(stocked, "11111111-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "iss_other_order"
    assert r.feedback.msg.params["expected"] == "22222222"
    assert dump(store) == before


def test_partial_refusal_sends_refused_parcels_to_return_and_recomputes_cod(
    engine: Engine, store: Store
) -> None:
    from tests.support.factory import M, P, load

    load(
        store,
        M("S9", [P("90000000-0001-1", "90000000", cod=10000), P("90000000-0002-1", "90000000", cod=2550)]),
    )
    scan(engine, "90000000-0001-1", "90000000-0002-1", Command.DONE)
    scan(engine, "90000000-0001-1", "C-A-01-1", "90000000-0002-1", "C-A-01-2", Command.DONE)
    r = scan(engine, "90000000", keyed=True)
    assert [d.params for d in r.feedback.details if d.key == "iss_amount_due"] == [{"amount": 12550}]
    scan(engine, "90000000-0001-1")
    r = scan(engine, Command.REFUSE_ITEM)
    assert r.session is not None and r.session.state.value == "refuse_next"
    r = scan(engine, "90000000-0001-1")  # taken first, then refused after all
    assert r.feedback.msg.key == "iss_refused" and r.feedback.msg.params["amount"] == 2550
    assert scan(engine, "90000000-0001-1").feedback.msg.key == "iss_was_refused"
    scan(engine, "90000000-0002-1")
    assert scan(engine, Command.DONE).feedback.msg.key == "iss_payment_required"
    r = scan(engine, Command.PAID)
    assert r.feedback.msg.params["amount"] == 2550
    r = scan(engine, Command.DONE)
    assert r.feedback.msg.params == {"order": "90000000", "count": 1, "refused": 1, "amount": 2550}
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
    scan(stocked, Command.PAID, Command.DONE)
    assert state(store, "33333333-0001-1")[0] == "issued"
    assert (
        json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'issue_completed'"))["cod_kopecks"]
        == 123450
    )


def test_paid_without_anything_due_is_a_warning(stocked: Engine) -> None:
    scan(stocked, "11111111", keyed=True)
    assert scan(stocked, Command.PAID).feedback.msg.key == "iss_nothing_to_pay"


def test_age_restricted_parcels_need_the_id_check_command(stocked: Engine, store: Store) -> None:
    r = scan(stocked, "44444444", keyed=True)
    assert any(d.key == "iss_age_check" for d in r.feedback.details)
    before = dump(store)
    r = scan(stocked, "44444444-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "iss_id_check_required"
    assert dump(store) == before
    assert scan(stocked, Command.ID_CHECKED).feedback.msg.key == "iss_id_checked"
    scan(stocked, "44444444-0001-1", Command.DONE)
    assert state(store, "44444444-0001-1")[0] == "issued"


def test_id_check_when_not_needed_is_a_warning(stocked: Engine) -> None:
    scan(stocked, "11111111", keyed=True)
    assert scan(stocked, Command.ID_CHECKED).feedback.msg.key == "iss_id_not_needed"


def test_done_with_nothing_taken_is_refused_and_cancel_changes_nothing(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222", keyed=True)
    assert scan(stocked, Command.DONE).feedback.msg.key == "iss_nothing_taken"
    scan(stocked, "22222222-0001-1")
    before = dump(store)["parcels"]
    r = scan(stocked, Command.CANCEL)
    assert r.session is None and r.feedback.msg.key == "iss_cancelled"
    assert dump(store)["parcels"] == before
    assert store.scalar("SELECT count(*) FROM claims") == 0


def test_untaken_parcels_stay_stored_after_a_partial_pickup(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222", keyed=True)
    r = scan(stocked, "22222222-0001-1", Command.DONE)
    assert [d.key for d in r.feedback.details] == ["iss_remaining"]
    assert state(store, "22222222-0002-1") == ("stored", "A-03-1")
    r = scan(stocked, "22222222", keyed=True)  # the customer comes back for the rest
    assert r.session is not None and r.session.data.parcels == ("22222222-0002-1",)


def test_duplicate_take_and_refuse_cancel(stocked: Engine) -> None:
    scan(stocked, "22222222", keyed=True)
    scan(stocked, "22222222-0001-1")
    assert scan(stocked, "22222222-0001-1").feedback.msg.key == "duplicate_scan"
    scan(stocked, Command.REFUSE_ITEM)
    r = scan(stocked, Command.CANCEL)
    assert r.session is not None and r.session.state.value == "collecting"
    scan(stocked, Command.REFUSE_ITEM, "22222222-0002-1", Command.REFUSE_ITEM)
    assert scan(stocked, "22222222-0002-1").feedback.msg.key == "duplicate_scan"


def test_order_with_nothing_stored_is_refused_with_its_states(engine: Engine) -> None:
    r = scan(engine, "11111111", keyed=True)
    assert r.feedback.msg.key == "iss_nothing_to_issue" and r.feedback.msg.params["states"] == "expected"


def test_cell_label_and_unknown_code_during_issue_are_refused(stocked: Engine, store: Store) -> None:
    scan(stocked, Command.START_ISSUE)
    before = dump(store)
    assert scan(stocked, "C-A-01-1").feedback.msg.key == "cell_label_not_now"
    assert scan(stocked, "22222222", keyed=True).feedback.msg.key == "iss_found"
    assert scan(stocked, "C-A-03-1").feedback.msg.key == "cell_label_not_now"
    assert scan(stocked, "00000000-0000-0").feedback.msg.key == "unknown_code"
    assert scan(stocked, Command.DAMAGED).feedback.msg.key == "command_not_now"
    assert scan(stocked, Command.START_ACCEPTANCE).feedback.msg.key == "session_open"
    assert dump(store)["parcels"] == before["parcels"]


def test_a_parcel_not_ready_is_refused_during_issue(stocked: Engine, store: Store) -> None:
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("22222222-0003-1", "22222222")]))
    scan(stocked, "22222222", keyed=True)
    r = scan(stocked, "22222222-0003-1")
    assert r.feedback.msg.key == "iss_parcel_not_ready" and r.feedback.msg.params["state"] == "expected"


def test_find_state_cancel_and_commands(stocked: Engine) -> None:
    scan(stocked, Command.START_ISSUE)
    assert scan(stocked, Command.PAID).feedback.msg.key == "command_not_now"
    assert scan(stocked, Command.DONE).session is None
    scan(stocked, Command.START_ISSUE)
    assert scan(stocked, Command.CANCEL).session is None


def test_two_stations_cannot_issue_the_same_order(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222", keyed=True, station="a")
    r = scan(stocked, "22222222", keyed=True, station="b")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "claimed_elsewhere"
    assert r.feedback.msg.params["station"] == "a"
