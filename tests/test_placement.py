"""Placement: suggestions, storing, off-suggestion cells, moves, refusals."""

from __future__ import annotations

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, scan, state
from tests.support.stock import accept_all
from workflows.inputs import Command
from workflows.outcome import Level, Light


def test_accepted_parcel_at_idle_starts_placement_with_the_smallest_free_fitting_cell_lit(
    engine: Engine,
) -> None:
    accept_all(engine)
    r = scan(engine, "11111111-0001-1")
    assert r.session is not None
    assert (r.session.workflow.name, r.session.state.value) == ("placement", "wait_cell")
    assert r.feedback.msg.key == "pl_suggest" and r.feedback.msg.params["cell"] == "A-01-1"
    assert dict(r.session.lights) == {"A-01-1": Light.SUGGESTED}


def test_scanning_the_suggested_cell_stores_the_parcel(engine: Engine, store: Store) -> None:
    accept_all(engine)
    r = scan(engine, "11111111-0001-1", "C-A-01-1")
    assert r.feedback.msg.key == "pl_placed"
    assert r.session is not None and r.session.state.value == "wait_parcel" and not r.session.lights
    assert state(store, "11111111-0001-1") == ("stored", "A-01-1")
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'placed'").fetchone()
    assert (ev["from_state"], ev["to_state"], ev["cell"]) == ("accepted", "stored", "A-01-1")


def test_a_cell_already_holding_the_same_order_is_suggested_first(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "22222222-0002-1")  # M: suggested A-02-1
    scan(engine, "C-A-03-1")  # the clerk puts it in the L cell (capacity 2) instead
    r = scan(engine, "22222222-0001-1")
    assert r.feedback.msg.params["cell"] == "A-03-1"


def test_another_cell_with_room_is_allowed_and_recorded(engine: Engine, store: Store) -> None:
    accept_all(engine)
    r = scan(engine, "11111111-0001-1", "C-A-02-2")
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "pl_placed_elsewhere"
    assert state(store, "11111111-0001-1") == ("stored", "A-02-2")
    data = store.scalar("SELECT data FROM journal WHERE kind = 'placed'")
    assert '"off_suggestion": true' in data and '"suggested": "A-01-1"' in data


def test_a_full_cell_is_refused(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1", "C-A-01-1")
    scan(engine, "22222222-0001-1")
    before = dump(store)
    r = scan(engine, "C-A-01-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "pl_cell_full"
    assert dump(store) == before
    assert r.session is not None and r.session.state.value == "wait_cell"  # the clerk can try another cell


def test_a_parcel_too_big_for_the_cell_is_refused(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "44444444-0001-1")  # L
    before = dump(store)
    r = scan(engine, "C-A-01-2")  # S
    assert r.feedback.msg.key == "pl_too_big"
    assert dump(store) == before


def test_no_free_fitting_cell_warns_and_any_cell_with_room_is_accepted(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "44444444-0001-1", "C-A-03-1")  # L cell now holds one (room for two)
    scan(engine, "33333333-0001-1", "C-B-01-1")  # XL cell now holds one
    scan(engine, Command.DONE)
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("66666666-0001-1", "66666666", size="XL")]))
    scan(engine, "66666666-0001-1", Command.DONE)
    r = scan(engine, "66666666-0001-1")
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "pl_no_suggestion"
    r = scan(engine, "C-B-01-1")
    assert state(store, "66666666-0001-1") == ("stored", "B-01-1")


def test_a_stored_parcel_can_be_moved_to_another_cell(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1", "C-A-01-1")
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.msg.key == "pl_move_from"
    assert r.session is not None and dict(r.session.lights) == {"A-01-1": Light.CURRENT}
    r = scan(engine, "C-A-01-2")
    assert r.feedback.msg.key == "pl_moved"
    assert state(store, "11111111-0001-1") == ("stored", "A-01-2")
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'moved'").fetchone()
    assert (ev["from_state"], ev["to_state"], ev["cell"]) == ("stored", "stored", "A-01-2")
    assert '"from_cell": "A-01-1"' in ev["data"]


def test_moving_into_the_same_cell_changes_nothing(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1", "C-A-01-1", "11111111-0001-1")
    before = dump(store)["parcels"]
    r = scan(engine, "C-A-01-1")
    assert r.feedback.msg.key == "pl_same_cell"
    assert dump(store)["parcels"] == before


def test_cell_before_parcel_and_unplaceable_parcels_are_refused(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, Command.DONE)
    r = scan(engine, Command.START_PLACEMENT)
    assert r.session is not None and r.session.state.value == "wait_parcel"
    before = dump(store)
    assert scan(engine, "C-A-01-1").feedback.msg.key == "pl_parcel_first"
    assert scan(engine, "nonsense").feedback.msg.key == "unknown_code"
    assert scan(engine, Command.PAID).feedback.msg.key == "command_not_now"
    assert dump(store) == before


def test_an_expected_parcel_cannot_be_placed(engine: Engine, store: Store) -> None:
    r = scan(engine, Command.START_PLACEMENT, "11111111-0001-1")
    assert r.feedback.msg.key == "pl_not_placeable" and r.feedback.msg.params["state"] == "expected"


def test_scanning_another_parcel_while_waiting_for_a_cell_switches_to_it(engine: Engine) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1")
    r = scan(engine, "22222222-0002-1")
    assert r.session is not None and r.session.data.parcel == "22222222-0002-1"
    assert dict(r.session.lights) == {"A-02-1": Light.SUGGESTED}


def test_cancel_drops_the_parcel_then_done_ends(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1")
    r = scan(engine, Command.CANCEL)
    assert r.session is not None and r.session.state.value == "wait_parcel" and not r.session.lights
    assert state(store, "11111111-0001-1")[0] == "accepted"
    assert scan(engine, Command.DONE).session is None
    scan(engine, Command.START_PLACEMENT)
    assert scan(engine, Command.CANCEL).session is None


def test_two_stations_are_never_handed_the_same_parcel_or_cell(engine: Engine, store: Store) -> None:
    accept_all(engine)
    a = scan(engine, "11111111-0001-1", station="a")
    b = scan(engine, "11111111-0001-1", station="b")
    assert b.feedback.level is Level.ERROR and b.feedback.msg.key == "claimed_elsewhere"
    # a second S parcel at station b is sent to another free cell than the one lit for station a
    scan(engine, Command.CANCEL, station="b")
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("12121212-0001-1", "12121212")]))
    scan(engine, "12121212-0001-1", Command.DONE, station="b")
    b = scan(engine, "12121212-0001-1", station="b")
    assert a.session is not None and b.session is not None
    assert set(a.session.lights) != set(b.session.lights)
