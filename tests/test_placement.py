"""Placement parcel-first: suggestions, storing, off-suggestion cells, moves, refusals."""

from __future__ import annotations

from pathlib import Path

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import M, P, dump, load, scan, state
from tests.support.stock import accept_all, half_day
from workflows.inputs import Command
from workflows.messages import Msg, state_name
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


def test_a_full_cell_is_refused_and_the_lit_cell_is_named_instead(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1", "C-A-01-1")
    r = scan(engine, "22222222-0001-1")
    assert r.session is not None and r.session.data.suggested == "A-01-2"
    before = dump(store)
    r = scan(engine, "C-A-01-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "pl_cell_full"
    assert r.feedback.msg.params["next"] == Msg("pl_put_in", {"cell": "A-01-2"})
    assert (
        r.feedback.msg.render("ru") == "Ячейка A-01-1 заполнена: положите в ячейку A-01-2 и отсканируйте её"
    )
    assert dump(store) == before
    assert r.session is not None and r.session.state.value == "wait_cell"  # the clerk can try another cell


def test_a_parcel_too_big_for_the_cell_is_refused(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "44444444-0001-1")  # L
    before = dump(store)
    r = scan(engine, "C-A-01-2")  # S
    assert r.feedback.msg.key == "pl_too_big"
    assert r.feedback.msg.params["next"] == Msg("pl_put_in", {"cell": "A-03-1"})  # the lit L cell
    assert dump(store) == before


def test_no_free_fitting_cell_warns_and_any_cell_with_room_is_accepted(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "44444444-0001-1", "C-A-03-1")  # L cell now holds one (room for two)
    scan(engine, "33333333-0001-1", "C-B-01-1")  # XL cell now holds one
    scan(engine, Command.DONE)
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
    assert r.feedback.msg.key == "pl_same_cell" and r.feedback.level is Level.WARN
    assert dump(store)["parcels"] == before


def test_stray_input_at_a_placement_is_refused_with_what_to_do_next(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, Command.DONE)
    r = scan(engine, Command.START_PLACEMENT)
    assert r.session is not None and r.session.state.value == "wait_parcel"
    before = dump(store)
    r = scan(engine, "nonsense")
    assert r.feedback.msg == Msg("pl_unknown_code", {"code": "nonsense", "next": Msg("pl_next_parcel")})
    r = scan(engine, Command.PAID)
    assert r.feedback.msg == Msg(
        "pl_command_not_now", {"command": Msg("cmd_PAID_CASH"), "next": Msg("pl_next_parcel")}
    )
    assert r.feedback.msg.render("ru") == (
        "Команда «Оплата наличными» при размещении не нужна: отсканируйте отправление или ячейку"
    )
    scan(engine, "11111111-0001-1")
    r = scan(engine, Command.DAMAGED)
    assert r.feedback.msg.params["next"] == Msg("pl_next_cell", {"parcel": "11111111-0001-1"})
    assert dump(store)["parcels"] == before["parcels"]


def test_a_parcel_placement_cannot_take_is_refused_by_its_state_name_with_what_to_do(engine: Engine) -> None:
    r = scan(engine, Command.START_PLACEMENT, "11111111-0001-1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "pl_not_placeable"
    assert r.feedback.msg.params["state"] == state_name("expected")
    assert r.feedback.msg.params["next"] == Msg("pl_hint_accept")
    assert r.feedback.msg.render("ru") == (
        "11111111-0001-1 нельзя разместить, статус «ожидается»: сначала его нужно принять (приёмка), потом разместить"
    )


def test_a_second_parcel_before_the_first_ones_cell_says_the_first_was_not_placed(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1")
    r = scan(engine, "22222222-0002-1")
    # the parcel in hand now is the second: its cell is lit; the first is not dropped in silence
    assert r.session is not None and r.session.data.parcel == "22222222-0002-1"
    assert dict(r.session.lights) == {"A-02-1": Light.SUGGESTED}
    assert r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("pl_left_waiting", {"parcel": "11111111-0001-1", "count": 1})
    assert r.feedback.details == (Msg("pl_suggest", {"parcel": "22222222-0002-1", "cell": "A-02-1"}),)
    assert r.session.data.waiting == ("11111111-0001-1",)
    # once the second is stored the clerk is reminded of the first
    r = scan(engine, "C-A-02-1")
    assert r.feedback.msg.key == "pl_placed"
    assert r.feedback.details == (Msg("pl_still_waiting", {"count": 1, "parcel": "11111111-0001-1"}),)
    # scanning it again picks it up, and once stored it waits no more
    scan(engine, "11111111-0001-1")
    r = scan(engine, "C-A-01-1")
    assert r.session is not None and r.session.data.waiting == () and r.feedback.details == ()
    assert state(store, "11111111-0001-1") == ("stored", "A-01-1")


def test_scanning_the_same_parcel_twice_is_not_a_switch(engine: Engine) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1")
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.msg.key == "pl_suggest" and r.feedback.level is Level.OK
    assert r.session is not None and r.session.data.waiting == ()


def test_a_move_given_up_for_another_parcel_says_where_the_moved_one_still_is(engine: Engine) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1", "C-A-01-1", "11111111-0001-1")
    r = scan(engine, "22222222-0001-1")
    assert r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("pl_move_dropped", {"parcel": "11111111-0001-1", "cell": "A-01-1"})
    assert r.session is not None and r.session.data.waiting == ()  # a stored parcel is not waiting


def test_cancel_lets_the_parcel_go_with_a_word_then_done_ends(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, "11111111-0001-1")
    r = scan(engine, Command.CANCEL)
    assert r.session is not None and r.session.state.value == "wait_parcel" and not r.session.lights
    assert r.feedback.msg == Msg("pl_left_waiting", {"parcel": "11111111-0001-1", "count": 1})
    assert state(store, "11111111-0001-1")[0] == "accepted"
    r = scan(engine, Command.DONE)
    assert r.session is None and r.feedback.msg.key == "pl_ended_nothing"
    scan(engine, Command.START_PLACEMENT)
    assert scan(engine, Command.CANCEL).session is None


def test_two_stations_are_never_handed_the_same_parcel_or_cell(engine: Engine, store: Store) -> None:
    accept_all(engine)
    a = scan(engine, "11111111-0001-1", station="a")
    b = scan(engine, "11111111-0001-1", station="b")
    assert b.feedback.level is Level.ERROR and b.feedback.msg.key == "pl_claimed"
    # a second S parcel at station b is sent to another free cell than the one lit for station a
    assert b.feedback.msg.params["next"] == Msg("pl_next_parcel")
    scan(engine, Command.CANCEL, station="b")
    load(store, M("S2", [P("12121212-0001-1", "12121212")]))
    scan(engine, "12121212-0001-1", Command.DONE, station="b")
    b = scan(engine, "12121212-0001-1", station="b")
    assert a.session is not None and b.session is not None
    assert set(a.session.lights) != set(b.session.lights)


def test_a_customer_return_left_without_its_cell_goes_to_the_returns_zone(tmp_path: Path) -> None:
    store, engine = half_day(tmp_path / "returns.db")
    scan(engine, Command.START_RETURN, "RR-1", Command.CHECK_OK, Command.CHECK_OK, Command.CHECK_OK)
    assert state(store, "R-22222222-0002-1") == ("accepted", None)
    with store.transaction() as conn:  # its session lost (a store put back from a copy): the return waits
        conn.execute("DELETE FROM sessions WHERE station = 's1'")
        conn.execute("DELETE FROM claims WHERE station = 's1'")
    r = scan(engine, Command.START_PLACEMENT, "R-22222222-0002-1")
    assert r.feedback.msg == Msg("pl_suggest", {"parcel": "R-22222222-0002-1", "cell": "R-01-1"})
    assert r.session is not None and dict(r.session.lights) == {"R-01-1": Light.SUGGESTED}
    r = scan(engine, "C-A-03-1")  # an empty L cell of the main zone
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "pl_return_zone"
    assert r.feedback.msg.params["next"] == Msg("pl_put_in", {"cell": "R-01-1"})
    r = scan(engine, "C-R-01-1")
    assert r.feedback.msg.key == "pl_placed"
    assert state(store, "R-22222222-0002-1") == ("stored", "R-01-1")
    store.close()
