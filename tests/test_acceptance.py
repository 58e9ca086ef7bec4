"""Acceptance against the manifest: every transition and refusal, on a real store."""

from __future__ import annotations

import json

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, scan, state
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level

BOX = "BOX00000001"


def test_package_scan_at_idle_opens_the_supply_and_accepts_the_package(engine: Engine, store: Store) -> None:
    r = scan(engine, BOX)
    assert r.feedback.level is Level.OK
    assert r.feedback.msg.key == "acc_package_accepted"
    assert r.session is not None and r.session.workflow.name == "acceptance"
    assert r.session.state.value == "scanning"
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "accepting"
    assert store.scalar("SELECT state FROM packages WHERE barcode = ?", (BOX,)) == "accepted"


def test_expected_parcel_becomes_accepted_with_a_journal_event(engine: Engine, store: Store) -> None:
    r = scan(engine, Command.START_ACCEPTANCE, "S1", "11111111-0001-1")
    assert r.feedback.msg.key == "acc_parcel_accepted"
    assert state(store, "11111111-0001-1") == ("accepted", None)
    ev = store.conn.execute("SELECT * FROM journal WHERE parcel = '11111111-0001-1'").fetchone()
    assert (ev["kind"], ev["from_state"], ev["to_state"], ev["station"]) == (
        "accepted",
        "expected",
        "accepted",
        "s1",
    )
    assert ev["device_id"] == "pvz-test-0001"


def test_duplicate_scan_warns_and_has_no_second_effect(engine: Engine, store: Store) -> None:
    scan(engine, "11111111-0001-1")
    before = dump(store)
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "duplicate_scan"
    assert dump(store) == before
    r = scan(engine, BOX)
    scan(engine, BOX)
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'package_accepted'") == 1


def test_surplus_parcel_is_recorded_never_dropped(engine: Engine, store: Store) -> None:
    scan(engine, BOX)
    r = scan(engine, "99999999-0001-1")
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "acc_surplus"
    row = store.conn.execute(
        "SELECT state, surplus, supply_id FROM parcels WHERE barcode = '99999999-0001-1'"
    ).fetchone()
    assert tuple(row) == ("accepted", 1, "S1")
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'surplus'") == 1
    assert scan(engine, "99999999-0001-1").feedback.msg.key == "duplicate_scan"


def test_text_that_does_not_look_like_a_parcel_is_not_a_surplus(engine: Engine, store: Store) -> None:
    scan(engine, BOX)
    before = dump(store)
    r = scan(engine, "hello world")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "acc_not_a_label"
    assert dump(store) == before


def test_damaged_command_then_parcel_marks_it_damaged(engine: Engine, store: Store) -> None:
    scan(engine, BOX)
    r = scan(engine, Command.DAMAGED)
    assert r.session is not None and r.session.state.value == "damaged_next"
    r = scan(engine, "22222222-0001-1")
    assert r.feedback.msg.key == "acc_parcel_damaged"
    assert r.session is not None and r.session.state.value == "scanning"
    assert store.scalar("SELECT damaged FROM parcels WHERE barcode = '22222222-0001-1'") == 1
    assert state(store, "22222222-0001-1")[0] == "accepted"
    # an already accepted parcel can be marked damaged afterwards
    scan(engine, "11111111-0001-1", Command.DAMAGED, "11111111-0001-1")
    assert store.scalar("SELECT damaged FROM parcels WHERE barcode = '11111111-0001-1'") == 1
    # damaged also applies to a surplus
    scan(engine, Command.DAMAGED, "77777777-0001-1")
    assert store.scalar("SELECT damaged + surplus FROM parcels WHERE barcode = '77777777-0001-1'") == 2


def test_damaged_then_cancel_returns_to_scanning_without_change(engine: Engine, store: Store) -> None:
    scan(engine, BOX, Command.DAMAGED)
    before = dump(store)
    r = scan(engine, Command.CANCEL)
    assert r.session is not None and r.session.state.value == "scanning"
    assert dump(store)["parcels"] == before["parcels"]


def test_damaged_needs_a_parcel_not_a_package(engine: Engine) -> None:
    scan(engine, BOX, Command.DAMAGED)
    r = scan(engine, BOX)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "acc_damaged_needs_parcel"


def test_closing_lists_missing_parcels_and_prints_an_act(engine: Engine, store: Store) -> None:
    scan(engine, BOX, "11111111-0001-1", "22222222-0001-1", "88888888-0001-1", Command.DONE)
    r = scan(engine, Command.DONE)
    assert r.session is None
    assert r.feedback.msg.key == "acc_closed" and r.feedback.msg.params["missing"] == 3
    missing = {str(d.params["parcel"]) for d in r.feedback.details}
    assert missing == {"22222222-0002-1", "33333333-0001-1", "44444444-0001-1"}
    assert {state(store, b)[0] for b in missing} == {"missing"}
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "closed"
    # The surplus 88888888-0001-1 had its ticket's label printed when it was scanned.
    job = store.conn.execute("SELECT kind, document FROM print_jobs WHERE kind != 'ticket_label'").fetchone()
    assert job["kind"] == "acceptance_act"
    text = json.dumps(json.loads(job["document"]), ensure_ascii=False)
    for barcode in [*missing, "88888888-0001-1"]:
        assert barcode in text
    assert r.jobs == [2]  # job 1 is the label


def test_a_closed_supply_cannot_be_reopened_but_a_late_parcel_is_accepted(
    engine: Engine, store: Store
) -> None:
    scan(engine, BOX, Command.DONE, Command.DONE)
    r = scan(engine, Command.START_ACCEPTANCE, "S1")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "acc_supply_closed"
    scan(engine, Command.CANCEL)
    # a missing parcel that turns up is accepted late at an open acceptance of another supply
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("55555555-0001-1", "55555555")]))
    scan(engine, "S2")
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.msg.key == "acc_parcel_late"
    assert state(store, "11111111-0001-1")[0] == "accepted"


def test_cancel_pauses_the_acceptance_and_it_can_be_resumed(engine: Engine, store: Store) -> None:
    scan(engine, BOX, "11111111-0001-1")
    r = scan(engine, Command.CANCEL)
    assert r.session is None and r.feedback.msg.key == "acc_paused"
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "accepting"
    r = scan(engine, "22222222-0001-1")  # an expected parcel at an idle station resumes it
    assert r.session is not None and r.session.workflow.name == "acceptance"
    assert state(store, "22222222-0001-1")[0] == "accepted"


def test_choose_supply_state_refuses_codes_it_cannot_place(engine: Engine, store: Store) -> None:
    r = scan(engine, Command.START_ACCEPTANCE)
    assert r.session is not None and r.session.state.value == "choose_supply"
    before = dump(store)
    r = scan(engine, "NOPE-12345678")
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "acc_no_supply_for_code"
    assert dump(store) == before
    r = scan(engine, Command.DONE)  # leaving before choosing
    assert r.session is None and r.feedback.msg.key == "acc_left"
    scan(engine, Command.START_ACCEPTANCE)
    assert scan(engine, Command.CANCEL).session is None


def test_package_of_another_supply_is_refused(engine: Engine, store: Store) -> None:
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("55555555-0001-1", "55555555", package="BOX00000002")], packages=["BOX00000002"]))
    scan(engine, BOX)
    before = dump(store)
    r = scan(engine, "BOX00000002")
    assert r.feedback.msg.key == "acc_package_other_supply"
    assert dump(store) == before


def test_parcel_of_another_open_supply_is_accepted_and_named(engine: Engine, store: Store) -> None:
    from tests.support.factory import M, P, load

    load(store, M("S2", [P("55555555-0001-1", "55555555")]))
    scan(engine, BOX)
    r = scan(engine, "55555555-0001-1")
    assert r.feedback.msg.key == "acc_parcel_other_supply"
    progress = r.feedback.msg.params["progress"]
    assert isinstance(progress, Msg) and (progress.params["supply"], progress.params["done"]) == ("S2", 1)
    event = store.scalar("SELECT data FROM journal WHERE parcel = '55555555-0001-1'")
    assert json.loads(event) == {"supply": "S2", "during": "S1"}
    assert state(store, "55555555-0001-1")[0] == "accepted"


def test_commands_that_make_no_sense_are_refused_and_change_nothing(engine: Engine, store: Store) -> None:
    scan(engine, BOX)
    before = dump(store)
    for command in (Command.REFUSE_ITEM, Command.ID_CHECKED, Command.PAID, Command.START_ISSUE):
        r = scan(engine, command)
        assert r.feedback.level is Level.ERROR, command
    scan(engine, Command.START_ACCEPTANCE)  # a chooser scan at a chooser: still refused
    assert dump(store) == before
    scan(engine, Command.DAMAGED)
    assert scan(engine, Command.DAMAGED).feedback.level is Level.ERROR


def test_cell_label_during_acceptance_is_refused(engine: Engine, store: Store) -> None:
    scan(engine, BOX)
    before = dump(store)
    r = scan(engine, "C-A-01-1")
    assert r.feedback.msg.key == "acc_cell_not_now"
    assert dump(store) == before
