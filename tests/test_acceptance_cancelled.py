"""A cancelled order's parcel at acceptance goes straight back: to_return, set aside, never shelved."""

from __future__ import annotations

import json
from pathlib import Path

from device.engine import Engine
from device.intake.order_updates import CANCEL_REASON
from device.intake.updates import apply_updates, decode_updates
from device.store.db import Store
from device.store.journal import Stamp
from tests.support.factory import (
    DEVICE,
    T0,
    cells,
    dump,
    new_engine,
    new_store,
    scan,
    standard_manifest,
    state,
)
from workflows.acceptance import CANCELLED
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level, Light

CANCELLED_PARCEL = "33333333-0001-1"  # order 33333333, loose, size S


def cancel(store: Store, order: str) -> None:
    """Central cancels the order before the parcel arrives, through the real updates import."""
    raw = json.dumps({"version": 1, "updates": [{"type": "cancel_order", "order": order}]}).encode()
    apply_updates(store, decode_updates(raw), stamp=Stamp(DEVICE, T0.isoformat()))


def test_the_reason_is_the_one_central_cancellation_gives() -> None:
    assert CANCELLED == CANCEL_REASON


def test_a_cancelled_orders_parcel_goes_to_return_and_its_returns_cell_is_lit(
    engine: Engine, store: Store
) -> None:
    cancel(store, "33333333")
    scan(engine, "BOX00000001")
    r = scan(engine, CANCELLED_PARCEL)

    assert r.feedback.level is Level.WARN  # a clear warning, not OK
    assert r.feedback.msg.key == "acc_cancelled_to_cell"
    assert (r.feedback.msg.params["order"], r.feedback.msg.params["cell"]) == ("33333333", "R-01-1")
    assert r.feedback.msg.render("ru").startswith(
        "Заказ 33333333 отменён: не размещайте 33333333-0001-1 — положите его в ячейку возвратов R-01-1"
    )
    assert r.session is not None and r.session.lights == {"R-01-1": Light.SUGGESTED}
    row = store.conn.execute(
        "SELECT state, return_reason, cell_id FROM parcels WHERE barcode = ?", (CANCELLED_PARCEL,)
    ).fetchone()
    assert tuple(row) == ("to_return", "cancelled", None)
    moves = store.conn.execute(
        "SELECT kind, from_state, to_state, data FROM journal WHERE parcel = ? ORDER BY seq",
        (CANCELLED_PARCEL,),
    ).fetchall()
    assert [tuple(m)[:3] for m in moves] == [
        ("accepted", "expected", "accepted"),
        ("cancelled", "accepted", "to_return"),
    ]
    assert json.loads(moves[1]["data"]) == {"order": "33333333", "reason": "cancelled"}

    # a main cell is not where it goes; the returns cell is
    before = dump(store)
    refused = scan(engine, "C-A-01-1")
    assert refused.feedback.msg.key == "acc_set_aside_not_returns" and dump(store) == before
    r = scan(engine, "C-R-01-1")
    assert r.feedback.msg == Msg("acc_set_aside_done", {"parcel": CANCELLED_PARCEL, "cell": "R-01-1"})
    assert r.session is not None and r.session.lights == {} and r.session.data.set_aside is None
    assert state(store, CANCELLED_PARCEL) == ("to_return", "R-01-1")
    assert (
        store.scalar("SELECT return_reason FROM parcels WHERE barcode = ?", (CANCELLED_PARCEL,))
        == "cancelled"
    )

    # it counts as arrived for the act, and placement will not shelve it
    scan(engine, "11111111-0001-1", "22222222-0001-1", "22222222-0002-1", "44444444-0001-1")
    assert scan(engine, Command.DONE).feedback.msg.params["missing"] == 0
    r = scan(engine, Command.START_PLACEMENT, CANCELLED_PARCEL)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "pl_not_placeable"
    scan(engine, Command.DONE)
    # it is on the return-to-sender pick list, in its returns cell
    r = scan(engine, Command.START_RETURN_TO_SENDER)
    assert r.session is not None and r.session.lights == {"R-01-1": Light.PICK}


def test_scanning_on_leaves_it_to_return_without_a_cell(engine: Engine, store: Store) -> None:
    cancel(store, "33333333")
    scan(engine, "BOX00000001", CANCELLED_PARCEL)
    r = scan(engine, "11111111-0001-1")  # the clerk set it aside somewhere and went on
    assert r.feedback.msg.key == "acc_parcel_accepted"
    assert r.session is not None and r.session.lights == {} and r.session.data.set_aside is None
    assert state(store, CANCELLED_PARCEL) == ("to_return", None)
    before = dump(store)
    assert scan(engine, "C-R-01-1").feedback.msg.key == "acc_cell_not_now"
    assert dump(store) == before


def test_without_room_in_the_returns_zone_the_clerk_is_told_to_set_it_aside(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest(), rack=cells()[:-1])  # no returns cell
    engine = new_engine(store)
    cancel(store, "33333333")
    r = scan(engine, "BOX00000001", CANCELLED_PARCEL)
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "acc_cancelled_set_aside"
    assert r.feedback.msg.render("en").startswith(
        "Order 33333333 is cancelled: do not place 33333333-0001-1, set it aside in the returns zone"
    )
    assert r.session is not None and r.session.lights == {}
    assert state(store, CANCELLED_PARCEL) == ("to_return", None)
    store.close()


def test_a_cancelled_orders_parcel_that_comes_late_goes_back_too(engine: Engine, store: Store) -> None:
    scan(engine, "BOX00000001", "11111111-0001-1", Command.DONE, Command.DONE)
    cancel(store, "33333333")
    assert state(store, CANCELLED_PARCEL) == ("missing", None)
    r = scan(engine, CANCELLED_PARCEL)  # at an idle station
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "acc_cancelled_set_aside"
    assert r.session is None
    kinds = [
        r[0]
        for r in store.conn.execute(
            "SELECT kind FROM journal WHERE parcel = ? ORDER BY seq", (CANCELLED_PARCEL,)
        )
    ]
    assert kinds[-2:] == ["accepted_late", "cancelled"]
    assert state(store, CANCELLED_PARCEL) == ("to_return", None)
