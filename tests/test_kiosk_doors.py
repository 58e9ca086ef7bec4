"""The kiosk decides from its doors' sensors: a door that never opened leaves the order as it was,
one shut empty issues its parcels, one shut full or unseen leaves them the customer's, one left open
raises an alert and keeps its state. Only lit cells and unseen doors are timed out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from device.engine import Engine
from device.intake.order_updates import CancelOrder, cancel_order
from device.store.db import Store
from device.store.journal import Stamp
from tests.support import kiosk
from tests.support.factory import DEVICE, T0, state
from tests.support.kiosk import KIOSK, Clock, at_kiosk, door, kiosk_site, tick
from workflows.inputs import Command, DoorEvent, DoorReport
from workflows.kiosk_model import DoorStep, State
from workflows.messages import Msg
from workflows.outcome import Level

E = DoorEvent
PARCEL_15 = "50000002-0001-1"
TWO = ("50000008-0001-1", "50000008-0002-1")


@pytest.fixture
def site(tmp_path: Path) -> tuple[Store, Engine, Clock]:
    return kiosk_site(tmp_path / "kiosk.db")


def alerts(store: Store) -> list[str]:
    rows = store.conn.execute("SELECT data FROM journal WHERE kind = 'alert' ORDER BY seq")
    return [json.loads(r[0])["alert"] for r in rows]


def notes(store: Store, kind: str) -> list[dict[str, object]]:
    rows = store.conn.execute("SELECT data FROM journal WHERE kind = ? ORDER BY seq", (kind,))
    return [json.loads(r[0]) for r in rows]


def kiosk_commands(store: Store) -> list[str]:
    rows = store.conn.execute("SELECT purpose FROM door_commands WHERE station = ? ORDER BY id", (KIOSK,))
    return [p for (p,) in rows]


def receipts(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM print_jobs WHERE kind = 'receipt'").fetchone()[0])


@pytest.mark.parametrize("event", [E.JAMMED, E.FAILED, E.EXPIRED, E.REFUSED, E.INTERRUPTED])
def test_a_door_that_never_opened_leaves_the_order_as_it_was_and_sends_the_customer_to_the_counter(
    site: tuple[Store, Engine, Clock], event: DoorEvent
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    r = door(engine, 15, event)
    assert r.session is None and r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("ksk_done_none")
    assert r.feedback.details == (Msg("ksk_door_failed", {"door": "15"}), Msg("ksk_go_to_counter"))
    assert state(store, PARCEL_15) == ("stored", "L-15")
    assert alerts(store) == [f"door_{event.value}"]
    assert receipts(store) == 0
    # the order is as it was: its code opens it again (after a power cut, say)
    r = at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    assert r.session is not None and r.session.data.parcels == (PARCEL_15,)


def test_a_mixed_order_whose_door_jams_still_issues_its_shelf_parcel(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.MIXED])
    r = door(engine, 14, E.JAMMED)
    assert r.session is not None and r.feedback.msg == Msg("ksk_door_failed", {"door": "14"})
    r = at_kiosk(engine, "50000001-0002-1", keyed=False)
    assert r.session is None and r.feedback.msg == Msg("ksk_done", {"count": 1})
    assert r.feedback.details == (Msg("ksk_go_to_counter"),)
    assert state(store, "50000001-0001-1") == ("stored", "L-14")
    assert receipts(store) == 1


def test_a_door_shut_with_the_parcel_inside_leaves_it_stored(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    door(engine, 15, E.OPENED)
    r = door(engine, 15, E.CLOSED_FULL)
    assert r.session is None and r.feedback.msg == Msg("ksk_done_none")
    assert r.feedback.details == (Msg("ksk_not_taken", {"door": "15"}),)
    assert state(store, PARCEL_15) == ("stored", "L-15")
    assert notes(store, "kiosk_not_taken") == [{"order": kiosk.LOCKED, "cell": "L-15", "door": 15, "left": 1}]
    assert notes(store, "kiosk_nothing_taken") == [{"order": kiosk.LOCKED, "remaining": [PARCEL_15]}]


def test_a_door_without_an_occupancy_sensor_issues_only_what_was_scanned(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.TWO])
    door(engine, 18, E.OPENED)
    r = at_kiosk(engine, TWO[0], keyed=False)
    assert r.feedback.msg == Msg("ksk_scanned", {"left": 1}) and state(store, TWO[0]) == ("issued", None)
    r = door(engine, 18, E.CLOSED)
    assert r.session is None
    assert r.feedback.msg == Msg("ksk_done", {"count": 1})
    assert r.feedback.details == (Msg("ksk_not_known", {"door": "18"}), Msg("ksk_left", {"left": 1}))
    assert state(store, TWO[1]) == ("stored", "L-18")
    assert notes(store, "kiosk_not_known") == [{"order": kiosk.TWO, "cell": "L-18", "door": 18, "left": 1}]
    assert receipts(store) == 1


def test_a_door_without_an_occupancy_sensor_with_every_parcel_scanned_is_taken(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.TWO])
    door(engine, 18, E.ALREADY_OPEN)
    at_kiosk(engine, *TWO, keyed=False)
    r = door(engine, 18, E.CLOSED)
    assert r.session is None and r.feedback.level is Level.OK
    assert r.feedback.msg == Msg("ksk_done", {"count": 2}) and r.feedback.details == ()
    assert [state(store, b) for b in TWO] == [("issued", None), ("issued", None)]


def test_a_door_left_open_raises_an_alert_keeps_its_state_and_is_never_timed_out(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    door(engine, 15, E.OPENED)
    r = door(engine, 15, E.LEFT_OPEN)
    assert r.feedback.msg == Msg("ksk_close_door", {"door": "15"}) and r.feedback.level is Level.WARN
    assert r.session is not None and r.session.data.doors[0].step is DoorStep.LEFT_OPEN
    assert alerts(store) == ["door_left_open"]
    r = at_kiosk(engine, Command.DONE, keyed=False)
    assert r.feedback.msg == Msg("ksk_close_first", {"door": "15"}) and r.session is not None
    clock.tick(kiosk.RULES.idle_s * 10)
    r = tick(engine)
    assert not r.changed and r.session is not None
    assert state(store, PARCEL_15) == ("stored", "L-15")
    r = door(engine, 15, E.CLOSED_EMPTY)
    assert r.session is None and r.feedback.msg == Msg("ksk_done", {"count": 1})
    assert state(store, PARCEL_15) == ("issued", None)


def test_an_unverified_door_offers_open_again_once(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    r = door(engine, 15, E.NOT_VERIFIED)
    assert r.feedback.msg == Msg("ksk_door_unverified", {"door": "15"})
    # the screen shows no scanned code for a door's report; the technician's log names the event
    assert (r.text, r.label, r.event) == (None, "", "door 15 not_verified")
    assert r.session is not None and r.session.state is State.TAKING
    r = at_kiosk(engine, Command.REOPEN, keyed=False)
    assert r.feedback.msg == Msg("ksk_reopening", {"door": "15"})
    assert r.session is not None and r.session.state is State.OPENING and r.session.data.reopened
    assert kiosk_commands(store) == ["issue", "reopen"]
    r = door(engine, 15, E.NOT_VERIFIED)
    assert r.feedback.msg == Msg("ksk_door_unverified_again", {"door": "15"})
    r = at_kiosk(engine, Command.REOPEN, keyed=False)
    assert r.feedback.msg.key == "ksk_reopen_not_now"
    assert kiosk_commands(store) == ["issue", "reopen"]
    # the customer scans the parcel from the door nobody can see: taken
    r = at_kiosk(engine, PARCEL_15, keyed=False)
    assert r.session is None and r.feedback.msg == Msg("ksk_done", {"count": 1})
    assert state(store, PARCEL_15) == ("issued", None) and receipts(store) == 1


def test_an_idle_customer_is_timed_out_and_what_was_not_taken_stays(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    at_kiosk(engine, kiosk.CODES[kiosk.SHELVED])
    at_kiosk(engine, "50000009-0001-1", keyed=False)
    clock.tick(kiosk.RULES.idle_s - 1)
    r = tick(engine)
    assert not r.changed and r.session is not None
    clock.tick(1)
    r = tick(engine)
    assert r.session is None and r.feedback.msg == Msg("ksk_timed_out")
    assert r.feedback.details == (Msg("ksk_done", {"count": 1}), Msg("ksk_left", {"left": 1}))
    assert state(store, "50000009-0002-1") == ("stored", "S-01")
    assert notes(store, "kiosk_timed_out") == [
        {"order": kiosk.SHELVED, "cell": "S-01", "door": None, "left": 1}
    ]
    assert receipts(store) == 1
    # an idle kiosk's tick changes nothing
    assert not tick(engine).changed


def test_a_tick_times_out_the_shelf_but_waits_for_an_open_door(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, clock = site
    at_kiosk(engine, kiosk.CODES[kiosk.MIXED])
    door(engine, 14, E.OPENED)
    clock.tick(kiosk.RULES.idle_s)
    r = tick(engine)
    assert r.session is not None and r.feedback.msg == Msg("ksk_timed_out")
    assert [d.step for d in r.session.data.doors] == [DoorStep.OPEN, DoorStep.NOT_TAKEN]
    assert dict(r.session.lights) == {}
    r = door(engine, 14, E.CLOSED_EMPTY)
    assert r.session is None and r.feedback.msg == Msg("ksk_done", {"count": 1})
    assert state(store, "50000001-0002-1") == ("stored", "S-01")


def test_an_opening_nobody_commanded_is_an_alert_and_moves_nothing(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    r = engine.handle_event(KIOSK, DoorReport(16, "L-16", E.OPENED_UNASKED))
    assert r.feedback.msg == Msg("ksk_door_unasked", {"door": 16}) and r.session is None
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    r = engine.handle_event(KIOSK, DoorReport(16, "L-16", E.OPENED_UNASKED))
    assert r.session is not None and r.session.data.doors[0].step is DoorStep.COMMANDED
    assert alerts(store) == ["door_opened_unasked", "door_opened_unasked"]
    assert state(store, "50000003-0001-1") == ("stored", "L-16")
    # at a counter too, and the clerk's session is left alone
    r = engine.handle_event(kiosk.COUNTER, DoorReport(16, "L-16", E.OPENED_UNASKED))
    assert r.feedback.level is Level.WARN and alerts(store)[-1] == "door_opened_unasked"
    clerks = {c for (c,) in store.conn.execute("SELECT clerk FROM journal WHERE kind = 'alert'")}
    assert len(clerks) == 2 and None in clerks


def test_a_report_about_a_door_already_settled_is_journalled_and_changes_nothing(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.MIXED])
    door(engine, 14, E.JAMMED)
    r = door(engine, 14, E.CLOSED_EMPTY)
    assert r.session is not None and r.session.data.doors[0].step is DoorStep.JAMMED
    assert state(store, "50000001-0001-1") == ("stored", "L-14")
    events = [d["event"] for d in notes(store, "door_report")]
    assert events == ["jammed", "closed_empty"]


def test_a_door_report_at_a_counter_with_a_clerks_session_is_journalled_and_leaves_it_alone(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    opened = engine.handle(kiosk.COUNTER, Command.START_ISSUE.barcode)
    assert opened.session is not None
    r = engine.handle_event(kiosk.COUNTER, DoorReport(15, "L-15", E.CLOSED_EMPTY))
    assert r.session == opened.session and r.feedback.msg == Msg("ksk_door_noted", {"door": 15})
    assert notes(store, "door_report")[-1]["event"] == "closed_empty"
    assert state(store, PARCEL_15) == ("stored", "L-15")


def test_a_commanded_door_nobody_reports_on_is_taken_as_never_opened_long_after_its_command_expired(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    clock.tick(kiosk.RULES.idle_s)  # the command expired long ago, but a customer may still be idle
    assert not tick(engine).changed
    clock.tick(kiosk.RULES.door_expiry_s)
    r = tick(engine)
    assert r.session is None and r.feedback.msg == Msg("ksk_timed_out")
    assert r.feedback.details == (
        Msg("ksk_done_none"),
        Msg("ksk_door_failed", {"door": "15"}),
        Msg("ksk_go_to_counter"),
    )
    assert alerts(store) == ["door_no_news"] and state(store, PARCEL_15) == ("stored", "L-15")


def test_an_order_cancelled_during_the_collection_is_not_issued_by_a_scan_and_a_taken_parcel_is_an_alert(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.MIXED])
    door(engine, 14, E.OPENED)
    with store.transaction() as conn:
        cancel_order(conn, CancelOrder(kiosk.MIXED), T0.isoformat(), Stamp(DEVICE, T0.isoformat()))
    r = at_kiosk(engine, "50000001-0002-1", keyed=False)
    assert r.feedback.msg.key == "ksk_put_back" and state(store, "50000001-0002-1") == ("to_return", "S-01")
    r = door(engine, 14, E.CLOSED_EMPTY)  # the customer took it all the same: a person must know
    assert r.session is not None and state(store, "50000001-0001-1") == ("to_return", "L-14")
    alert = store.conn.execute("SELECT parcel, data FROM journal WHERE kind = 'alert'").fetchall()
    assert [(p, json.loads(d)["alert"]) for p, d in alert] == [("50000001-0001-1", "kiosk_taken_not_stored")]
