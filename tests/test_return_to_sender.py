"""Return to sender: the pick list, a bag, parcels picked into it, the hand-over act."""

from __future__ import annotations

import json

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, scan, state
from workflows.inputs import Command
from workflows.messages import state_name
from workflows.outcome import Level, Light


@pytest.fixture
def due(stocked: Engine, store: Store) -> Engine:
    """Two parcels refused at issue (order 22222222), so due back to the sender in cell A-03-1."""
    scan(stocked, "22222222*222222", keyed=True)
    scan(
        stocked, Command.REFUSE_ITEM, "22222222-0001-1", Command.REFUSE_ITEM, "22222222-0002-1", Command.DONE
    )
    assert state(store, "22222222-0001-1") == ("to_return", "A-03-1")
    return stocked


def test_pick_pack_and_hand_over(due: Engine, store: Store) -> None:
    r = scan(due, Command.START_RETURN_TO_SENDER)
    assert r.feedback.msg.key == "out_start" and r.feedback.msg.params == {"returns": 2, "outbound": 0}
    assert r.session is not None and dict(r.session.lights) == {"A-03-1": Light.PICK}
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'pick_list'") == 1
    r = scan(due, "RBAG00012345")
    assert r.feedback.msg.key == "rts_bag_open"
    assert store.scalar("SELECT state FROM outbound_bags WHERE barcode = 'RBAG00012345'") == "open"
    r = scan(due, "22222222-0001-1")
    assert r.feedback.msg.key == "rts_picked" and r.feedback.msg.params["left"] == 1
    assert r.session is not None and dict(r.session.lights) == {"A-03-1": Light.PICK}  # one still there
    assert state(store, "22222222-0001-1") == ("returning", None)
    r = scan(due, "22222222-0002-1")
    assert r.session is not None and not r.session.lights
    r = scan(due, Command.DONE)
    assert r.session is None and r.feedback.msg.key == "out_handed_over"
    for barcode in ("22222222-0001-1", "22222222-0002-1"):
        assert state(store, barcode) == ("returned", None)
    assert store.scalar("SELECT state FROM outbound_bags WHERE barcode = 'RBAG00012345'") == "handed_over"
    act = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'handover_act'"))
    text = json.dumps(act, ensure_ascii=False)
    assert "22222222-0001-1" in text and "22222222-0002-1" in text and "RBAG00012345" in text
    events = store.conn.execute(
        "SELECT kind, from_state, to_state FROM journal WHERE parcel = '22222222-0001-1'"
    )
    assert [tuple(e) for e in events][-2:] == [
        ("returning", "to_return", "returning"),
        ("returned", "returning", "returned"),
    ]


def test_a_parcel_not_due_is_refused(due: Engine, store: Store) -> None:
    scan(due, Command.START_RETURN_TO_SENDER, "RBAG00012345")
    before = dump(store)
    r = scan(due, "11111111-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "rts_not_due"
    assert r.feedback.msg.params["state"] == state_name("stored")
    assert dump(store) == before


def test_the_bag_comes_first_and_must_look_like_one(due: Engine, store: Store) -> None:
    scan(due, Command.START_RETURN_TO_SENDER)
    assert scan(due, "22222222-0001-1").feedback.msg.key == "rts_bag_first"
    assert scan(due, "bag").feedback.msg.key == "rts_not_a_bag"
    assert scan(due, Command.DONE).session is None


def test_duplicates_another_bag_and_empty_hand_over(due: Engine, store: Store) -> None:
    scan(due, Command.START_RETURN_TO_SENDER, "RBAG00012345")
    assert scan(due, Command.DONE).feedback.msg.key == "rts_empty_bag"
    scan(due, "22222222-0001-1")
    assert scan(due, "22222222-0001-1").feedback.msg.key == "duplicate_scan"
    assert scan(due, "RBAG00099999").feedback.msg.key == "rts_bag_open"  # the next bag
    assert scan(due, "nonsense").feedback.msg.key == "unknown_code"
    assert scan(due, Command.PAID).feedback.msg.key == "command_not_now"


def test_cancel_puts_picked_parcels_back_on_the_pick_list(due: Engine, store: Store) -> None:
    scan(due, Command.START_RETURN_TO_SENDER, "RBAG00012345", "22222222-0001-1")
    r = scan(due, Command.CANCEL)
    assert r.feedback.msg.key == "rts_cancelled" and r.feedback.msg.params["count"] == 1
    assert state(store, "22222222-0001-1") == ("to_return", None)
    assert store.scalar("SELECT bag FROM parcels WHERE barcode = '22222222-0001-1'") is None
    # the same open bag can be used again later
    scan(
        due,
        Command.START_RETURN_TO_SENDER,
        "RBAG00012345",
        "22222222-0001-1",
        "22222222-0002-1",
        Command.DONE,
    )
    assert state(store, "22222222-0001-1") == ("returned", None)
    assert scan(due, Command.START_RETURN_TO_SENDER).feedback.msg.key == "rts_nothing"


def test_a_handed_over_bag_cannot_be_reopened_and_a_parcel_in_another_bag_is_refused(
    due: Engine, store: Store
) -> None:
    scan(due, Command.START_RETURN_TO_SENDER, "RBAG00012345", "22222222-0001-1")
    scan(due, Command.START_RETURN_TO_SENDER, station="a")
    scan(due, "RBAG00077777", station="a")
    r = scan(due, "22222222-0001-1", station="a")
    assert r.feedback.msg.key == "rts_in_other_bag"
    assert scan(due, "RBAG00012345", station="a").feedback.msg.key == "claimed_elsewhere"
    scan(due, Command.DONE)
    scan(due, Command.CANCEL, station="a")
    scan(due, Command.START_RETURN_TO_SENDER, station="a")
    assert scan(due, "RBAG00012345", station="a").feedback.msg.key == "rts_bag_closed"
