"""The outbound hand-over: returns, drop-offs and sends bagged, the courier's code, the printed act."""

from __future__ import annotations

import json

import pytest

from device.engine import Engine
from device.store.db import Store
from drivers.document import Document
from tests.support.factory import dump, scan, state
from tests.support.outbound import add_outbound, courier_message
from tests.test_inbox import put
from tests.test_printer import decode_stream, escpos_bytes
from workflows.inputs import Command
from workflows.outcome import Level, Light

RETURNS = ("22222222-0001-1", "22222222-0002-1")
DROPOFFS = ("DRP-00000001", "DRP-00000002")
SEND = "SND-00000001"
RBAG, OBAG = "RBAG00012345", "OBAG00054321"
COURIER = "CR-00000042"


@pytest.fixture
def due(stocked: Engine, store: Store) -> Engine:
    """Two returns in A-03-1 (refused at issue), two sellers' drop-offs and a customer's send."""
    scan(stocked, "22222222*222222", keyed=True)
    scan(stocked, Command.REFUSE_ITEM, RETURNS[0], Command.REFUSE_ITEM, RETURNS[1], Command.DONE)
    for barcode in DROPOFFS:
        add_outbound(store, barcode, "dropoff")
    add_outbound(store, SEND, "send")
    return stocked


def expect(store: Store, *, parcels: tuple[str, ...] = (), bags: tuple[str, ...] = ()) -> None:
    message = courier_message(COURIER, mid="courier-1", parcels=parcels, bags=bags)
    assert put(store, message).outcome == "applied"


def domain(store: Store) -> dict[str, object]:
    """The store but the station's session (which remembers the courier shown)."""
    return {table: rows for table, rows in dump(store).items() if table != "sessions"}


def acts(store: Store) -> list[str]:
    return printed(store, "handover_act")


def printed(store: Store, kind: str) -> list[str]:
    """Each document of a kind as the printer gets it: python-escpos's bytes, decoded as the printer would."""
    rows = store.conn.execute("SELECT document FROM print_jobs WHERE kind = ? ORDER BY id", (kind,))
    return [decode_stream(escpos_bytes(Document.from_json(json.loads(r[0])))) for r in rows]


def test_returns_drop_offs_and_sends_leave_in_their_bags_with_the_expected_courier(
    due: Engine, store: Store
) -> None:
    expect(store, parcels=(*DROPOFFS, SEND), bags=(RBAG,))
    r = scan(due, Command.START_RETURN_TO_SENDER)  # the old card's PVZC-SENDBACK
    assert r.feedback.msg.key == "out_start" and r.feedback.msg.params == {"returns": 2, "outbound": 3}
    assert r.session is not None and dict(r.session.lights) == {"A-03-1": Light.PICK}
    (pick_list,) = printed(store, "pick_list")
    assert "Отгрузки и отправки, ждут курьера (3):" in pick_list and "Всего: 5" in pick_list
    assert pick_list.index("A-03-1") < pick_list.index(DROPOFFS[0]) < pick_list.index(SEND)
    scan(due, RBAG, RETURNS[0])
    before = dump(store)
    r = scan(due, DROPOFFS[0])
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "out_bag_for_returns"
    assert dump(store) == before
    assert scan(due, OBAG).feedback.msg.key == "rts_bag_open"  # the next bag
    assert scan(due, DROPOFFS[0]).feedback.msg.key == "rts_picked"
    assert state(store, DROPOFFS[0]) == ("dispatching", None)
    assert scan(due, DROPOFFS[0]).feedback.msg.key == "duplicate_scan"
    r = scan(due, RETURNS[1])
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "out_bag_for_outbound"
    scan(due, DROPOFFS[1], SEND, RBAG, RETURNS[1])  # back to the returns' bag for the last one
    r = scan(due, Command.DONE)
    assert r.feedback.msg.key == "out_scan_courier" and r.feedback.msg.params == {"bags": 2}
    r = scan(due, COURIER)
    assert r.session is None and r.feedback.msg.key == "out_handed_over"
    assert r.feedback.msg.params == {"bags": 2, "count": 5}
    for barcode in RETURNS:
        assert state(store, barcode) == ("returned", None)
    for barcode in (*DROPOFFS, SEND):
        assert state(store, barcode) == ("dispatched", None)
    events = store.conn.execute(
        "SELECT parcel, kind, from_state, to_state, data FROM journal WHERE kind IN ('returned', 'dispatched')"
    ).fetchall()
    assert sorted((e[0], e[1], e[2], e[3]) for e in events) == sorted(
        [(b, "returned", "returning", "returned") for b in RETURNS]
        + [(b, "dispatched", "dispatching", "dispatched") for b in (*DROPOFFS, SEND)]
    )
    assert store.scalar("SELECT count(*) FROM outbound_bags WHERE state = 'handed_over'") == 2
    assert store.scalar("SELECT state FROM couriers WHERE code = ?", (COURIER,)) == "collected"
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'courier_collected'") == 1
    point, courier = acts(store)
    assert "Экземпляр пункта выдачи" in point and "Экземпляр курьера" in courier
    for act in (point, courier):
        assert "Акт передачи курьеру" in act
        assert f"Мешок {RBAG}: 2 отправления" in act and f"Мешок {OBAG}: 3 отправления" in act
        assert act.index(RBAG) < act.index(RETURNS[0]) < act.index(OBAG) < act.index(DROPOFFS[0])
        for barcode in (*RETURNS, *DROPOFFS, SEND):
            assert barcode in act
        assert "отгрузка продавца" in act and "отправка клиента" in act and "отказ" in act.lower()
        assert "Всего: 5" in act
        assert "Курьер: Иван Курьеров, СДЭК" in act and f"Код курьера: {COURIER}" in act
        assert "Передал сотрудник ПВЗ: Анна С." in act and "Сотрудник ПВЗ: ____" in act
    # the courier has collected: the same code is nobody's now
    add_outbound(store, "DRP-00000003", "dropoff")
    scan(due, Command.START_RETURN_TO_SENDER, OBAG)
    assert scan(due, OBAG).feedback.msg.key == "rts_bag_closed"


def test_a_courier_nobody_expects_is_refused_and_nothing_changes(due: Engine, store: Store) -> None:
    expect(store, parcels=(SEND,))
    scan(due, Command.START_RETURN_TO_SENDER, OBAG, SEND, Command.DONE)
    before = dump(store)
    r = scan(due, "CR-99999999")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "out_courier_unknown"
    assert r.session is not None and r.session.state.value == "courier"
    assert dump(store) == before
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'handover_act'") == 0
    assert scan(due, COURIER).feedback.msg.key == "out_handed_over"


def test_a_courier_list_that_differs_is_shown_then_fixed_or_confirmed(due: Engine, store: Store) -> None:
    expect(store, parcels=(*DROPOFFS, "DRP-00000404"))
    scan(due, Command.START_RETURN_TO_SENDER, OBAG, DROPOFFS[0], SEND, Command.DONE)
    before = domain(store)
    r = scan(due, COURIER)
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "out_list_differs"
    assert [(d.key, d.params["count"]) for d in r.feedback.details] == [
        ("out_not_bagged", 2),
        ("out_not_expected", 1),
    ]
    assert r.feedback.details[0].params["codes"] == f"{DROPOFFS[1]}, DRP-00000404"
    assert r.feedback.details[1].params["codes"] == SEND
    assert r.session is not None and r.session.state.value == "confirm"
    assert domain(store) == before  # shown before anything is handed over or printed
    # the clerk fixes what can be fixed: the bag again, the forgotten drop-off into it
    assert scan(due, OBAG).feedback.msg.key == "rts_bag_open"
    scan(due, DROPOFFS[1], Command.DONE)
    r = scan(due, COURIER)
    assert [d.key for d in r.feedback.details] == ["out_not_bagged", "out_not_expected"]
    assert r.feedback.details[0].params["codes"] == "DRP-00000404"
    r = scan(due, Command.DONE)  # confirmed as it is
    assert r.feedback.msg.key == "out_handed_over" and r.feedback.msg.params["count"] == 3
    assert state(store, SEND) == ("dispatched", None)
    assert len(acts(store)) == 2


def test_cancel_takes_shipments_out_of_their_bags_to_wait_again(due: Engine, store: Store) -> None:
    scan(due, Command.START_RETURN_TO_SENDER, OBAG, DROPOFFS[0], RBAG, RETURNS[0])
    r = scan(due, Command.CANCEL)
    assert r.feedback.msg.key == "rts_cancelled" and r.feedback.msg.params["count"] == 2
    assert state(store, DROPOFFS[0]) == ("outbound", None)
    assert state(store, RETURNS[0]) == ("to_return", None)
    assert store.scalar("SELECT count(*) FROM parcels WHERE bag IS NOT NULL") == 0
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'unpicked'") == 2


def test_with_no_courier_expected_done_hands_over_as_before(due: Engine, store: Store) -> None:
    r = scan(due, Command.START_RETURN_TO_SENDER, OBAG, DROPOFFS[0], SEND, Command.DONE)
    assert r.feedback.msg.key == "out_handed_over" and r.feedback.msg.params == {"bags": 1, "count": 2}
    point, _ = acts(store)
    assert "Курьер: ____" in point and "Код курьера" not in point


def test_a_parcel_the_courier_does_not_expect_can_be_taken_out_before_the_hand_over(
    due: Engine, store: Store
) -> None:
    expect(store, parcels=(DROPOFFS[0],))
    scan(due, Command.START_RETURN_TO_SENDER, OBAG, DROPOFFS[0], SEND, Command.DONE)
    r = scan(due, COURIER)
    assert [d.key for d in r.feedback.details] == ["out_not_expected"]
    scan(due, OBAG)
    assert scan(due, Command.REFUSE_ITEM).feedback.msg.key == "out_take_out_which"
    before = dump(store)
    assert scan(due, DROPOFFS[1]).feedback.msg.key == "out_not_bagged_here"  # waiting, in no bag
    assert dump(store) == before
    r = scan(due, SEND)
    assert r.feedback.msg.key == "out_taken_out" and state(store, SEND) == ("outbound", None)
    assert store.scalar("SELECT bag FROM parcels WHERE barcode = ?", (SEND,)) is None
    r = scan(due, Command.DONE, COURIER)
    assert r.feedback.msg.key == "out_handed_over" and r.feedback.msg.params == {"bags": 1, "count": 1}
    assert state(store, SEND) == ("outbound", None) and state(store, DROPOFFS[0]) == ("dispatched", None)
