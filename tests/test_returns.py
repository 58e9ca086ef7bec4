"""Customer returns: what may come back, the checklist, the label, the returns zone."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import dump, scan, state
from tests.support.stock import issue_order_22
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level, Light


@pytest.fixture
def issued(stocked: Engine) -> Engine:
    issue_order_22(stocked)
    return stocked


def test_a_full_return_with_all_checks_passed(issued: Engine, store: Store) -> None:
    r = scan(issued, Command.START_RETURN, "22222222-0001-1")
    assert r.feedback.msg.key == "ret_found"
    assert r.session is not None and r.session.state.value == "check_condition"
    r = scan(issued, Command.CHECK_OK)
    assert r.session is not None and r.session.state.value == "check_complete"
    r = scan(issued, Command.CHECK_OK)  # no request: nothing to match, the label prints
    assert r.feedback.msg.key == "ret_label" and r.feedback.msg.params["cell"] == "R-01-1"
    assert r.session is not None and r.session.state.value == "place"
    assert dict(r.session.lights) == {"R-01-1": Light.SUGGESTED}
    assert state(store, "R-22222222-0001-1") == ("accepted", None)
    label = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'return_label'"))
    assert any(b.get("data") == "R-22222222-0001-1" for b in label["blocks"])
    r = scan(issued, "C-R-01-1")
    assert r.session is None and r.feedback.msg.key == "ret_stored"
    assert state(store, "R-22222222-0001-1") == ("to_return", "R-01-1")
    row = store.conn.execute(
        "SELECT kind, return_reason, returned_from FROM parcels WHERE barcode = 'R-22222222-0001-1'"
    ).fetchone()
    assert tuple(row) == ("customer_return", "customer_return", "22222222-0001-1")
    assert state(store, "22222222-0001-1") == ("issued", None)  # the original stays issued
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM journal WHERE parcel = 'R-22222222-0001-1'")]
    assert kinds == ["customer_return", "return_stored"]


def test_a_failed_check_is_recorded_with_its_reason(issued: Engine, store: Store) -> None:
    scan(issued, Command.START_RETURN, "22222222", Command.CHECK_FAIL)
    r = scan(issued, Command.CHECK_OK)
    assert r.session is not None and r.session.data.checks == {"condition": False, "completeness": True}
    scan(issued, "C-R-01-1")
    data = json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'customer_return'"))
    assert data["checks"] == {"condition": False, "completeness": True}
    assert data["returned_from"] == ["22222222-0001-1", "22222222-0002-1"]
    label = store.scalar("SELECT document FROM print_jobs WHERE kind = 'return_label'")
    assert "НЕТ" in label


def test_a_return_request_adds_the_match_check_and_is_used_once(issued: Engine, store: Store) -> None:
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO return_requests (id, order_id, parcels, reason, received_at) VALUES "
            "('RR-1', '22222222', '[\"22222222-0002-1\"]', 'не подошёл размер', 't')"
        )
    scan(issued, Command.START_RETURN, "RR-1", Command.CHECK_OK, Command.CHECK_OK)
    r = scan(issued, Command.CHECK_FAIL)
    assert r.session is not None and r.session.state.value == "place"
    assert r.session.data.checks == {"condition": True, "completeness": True, "matches_request": False}
    scan(issued, "C-R-01-1")
    assert store.scalar("SELECT used_by IS NOT NULL FROM return_requests WHERE id = 'RR-1'") == 1
    r = scan(issued, Command.START_RETURN, "RR-1")
    assert r.feedback.msg.key == "ret_request_used"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("11111111-0001-1", "ret_not_issued"),  # stored, never issued
        ("99999999-0001-1", "ret_never_issued_here"),
        ("11111111", "ret_never_issued_here"),  # an order with nothing issued
        ("RR-404", "ret_never_issued_here"),
    ],
)
def test_returns_of_things_not_issued_here_are_refused(
    issued: Engine, store: Store, code: str, reason: str
) -> None:
    scan(issued, Command.START_RETURN)
    before = dump(store)
    r = scan(issued, code)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == reason
    assert dump(store) == before


def test_a_return_outside_the_window_is_refused_with_the_date(issued: Engine, store: Store) -> None:
    clock = issued.clock
    clock.now += timedelta(days=15)  # type: ignore[attr-defined]
    scan(issued, Command.START_RETURN)
    before = dump(store)
    r = scan(issued, "22222222-0001-1")
    assert r.feedback.msg.key == "ret_window_passed"
    assert r.feedback.msg.params["until"] == "2026-12-05"
    assert dump(store) == before


def test_a_parcel_cannot_be_returned_twice(issued: Engine, store: Store) -> None:
    scan(issued, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, Command.CHECK_OK, "C-R-01-1")
    r = scan(issued, Command.START_RETURN, "22222222-0001-1")
    assert (
        r.feedback.msg.key == "ret_already_returned" and r.feedback.msg.params["ret"] == "R-22222222-0001-1"
    )


def test_cancel_after_checks_refuses_the_return_and_keeps_the_remarks(issued: Engine, store: Store) -> None:
    scan(issued, Command.START_RETURN, "22222222-0001-1", Command.CHECK_FAIL)
    r = scan(issued, Command.CANCEL)
    assert r.session is None and r.feedback.msg.key == "ret_refused"
    note = json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'return_refused'"))
    assert note["checks"] == {"condition": False}
    assert store.scalar("SELECT count(*) FROM parcels WHERE kind = 'customer_return'") == 0


def test_the_label_must_go_into_a_returns_cell(issued: Engine, store: Store) -> None:
    scan(issued, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, Command.CHECK_OK)
    for code in ("C-A-01-2", Command.CANCEL, Command.DONE):
        r = scan(issued, code)
        assert r.feedback.level is Level.ERROR
        assert r.session is not None and r.session.state.value == "place"
    assert state(issued.store, "R-22222222-0001-1")[0] == "accepted"


def test_find_state_commands(issued: Engine) -> None:
    scan(issued, Command.START_RETURN)
    assert scan(issued, Command.CHECK_OK).feedback.msg.key == "command_not_now"
    assert scan(issued, Command.DONE).session is None
    scan(issued, Command.START_RETURN, "22222222-0001-1")
    refused = scan(issued, "C-R-01-1").feedback.msg  # a code during the checklist: answer the check first
    assert (refused.key, refused.params["check"]) == ("ret_answer_check", Msg("check_condition"))
