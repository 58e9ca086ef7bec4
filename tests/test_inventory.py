"""Inventory count: cells blink until counted, and the count corrects the store."""

from __future__ import annotations

import json

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import scan, state
from workflows.inputs import Command
from workflows.outcome import Level, Light


def test_uncounted_cells_blink_and_the_current_one_is_steady(stocked: Engine) -> None:
    r = scan(stocked, Command.START_INVENTORY)
    assert r.session is not None and r.session.state.value == "wait_cell"
    assert set(r.session.lights) == {"A-01-1", "A-01-2", "A-02-1", "A-02-2", "A-03-1", "B-01-1", "R-01-1"}
    assert set(r.session.lights.values()) == {Light.COUNT}
    r = scan(stocked, "C-A-01-1")
    assert r.session is not None and r.session.lights["A-01-1"] is Light.COUNTING
    r = scan(stocked, "C-A-01-2")
    assert r.session is not None and "A-01-1" not in r.session.lights
    assert r.session.lights["A-01-2"] is Light.COUNTING


def test_a_count_finds_misplaced_missing_and_unknown_and_corrects_the_store(
    stocked: Engine, store: Store
) -> None:
    scan(stocked, Command.START_INVENTORY)
    scan(stocked, "C-A-01-1", "11111111-0001-1")  # found where the store says
    scan(stocked, "C-A-03-1", "22222222-0001-1")  # 22222222-0002-1 is not there: missing
    scan(stocked, "C-A-02-2", "33333333-0001-1", "NOT-OURS-12345")  # misplaced (store: A-02-1), unknown code
    scan(stocked, "C-A-02-1")  # counted, empty
    r = scan(stocked, Command.DONE)
    assert r.session is None and r.feedback.level is Level.WARN
    assert r.feedback.msg.params == {"found": 2, "misplaced": 1, "missing": 1, "unknown": 1}
    assert state(store, "33333333-0001-1") == ("stored", "A-02-2")
    assert state(store, "22222222-0002-1") == ("missing", None)
    assert state(store, "44444444-0001-1") == ("stored", "B-01-1")  # in a cell not counted: untouched
    report = json.loads(store.scalar("SELECT data FROM inventory_reports"))
    assert report["misplaced"] == [
        {"parcel": "33333333-0001-1", "was": "A-02-1", "found": "A-02-2", "state": "stored"}
    ]
    assert report["missing"] == [{"parcel": "22222222-0002-1", "cell": "A-03-1"}]
    assert report["unknown"] == [{"code": "NOT-OURS-12345", "state": None}]
    assert report["cells_not_counted"] == ["B-01-1"]
    kinds = {r[0] for r in store.conn.execute("SELECT kind FROM journal")}
    assert {"inventory_corrected", "inventory_missing", "inventory_report"} <= kinds
    doc = store.scalar("SELECT document FROM print_jobs WHERE kind = 'inventory_report'")
    assert "33333333-0001-1" in doc and "NOT-OURS-12345" in doc


def test_a_parcel_found_after_being_missing_is_stored_again(stocked: Engine, store: Store) -> None:
    scan(stocked, Command.START_INVENTORY, "C-A-01-1", Command.DONE)  # 11111111-0001-1 not found
    assert state(store, "11111111-0001-1") == ("missing", None)
    scan(stocked, Command.START_INVENTORY, "C-A-01-2", "11111111-0001-1", Command.DONE)
    assert state(store, "11111111-0001-1") == ("stored", "A-01-2")


def test_refusals_and_duplicates(stocked: Engine, store: Store) -> None:
    scan(stocked, Command.START_INVENTORY)
    assert scan(stocked, "11111111-0001-1").feedback.msg.key == "inv_cell_first"
    assert scan(stocked, Command.PAID).feedback.msg.key == "command_not_now"
    scan(stocked, "C-A-01-1", "11111111-0001-1")
    assert scan(stocked, "11111111-0001-1").feedback.msg.key == "duplicate_scan"
    scan(stocked, "XX-00001234")
    assert scan(stocked, "XX-00001234").feedback.msg.key == "duplicate_scan"
    elsewhere = scan(stocked, Command.START_INVENTORY, station="a").feedback.msg
    assert (elsewhere.key, elsewhere.params) == ("inv_elsewhere", {"station": "s1"})


def test_cancel_abandons_the_count_without_changes(stocked: Engine, store: Store) -> None:
    scan(stocked, Command.START_INVENTORY, "C-A-03-1")
    before = [tuple(r) for r in store.conn.execute("SELECT * FROM parcels ORDER BY id")]
    r = scan(stocked, Command.CANCEL)
    assert r.session is None and r.feedback.msg.key == "inv_abandoned"
    assert [tuple(r) for r in store.conn.execute("SELECT * FROM parcels ORDER BY id")] == before


def test_an_interrupted_count_resumes_after_a_restart(stocked: Engine, store: Store) -> None:
    from tests.support.factory import new_engine

    scan(stocked, Command.START_INVENTORY, "C-A-03-1", "22222222-0001-1")
    again = new_engine(store, signed_in=())
    session = again.session("s1")
    assert session is not None and session.workflow.name == "inventory"
    assert session.data.counted == {"A-03-1": ("22222222-0001-1",)}
    r = scan(again, "22222222-0002-1", Command.DONE)
    assert r.feedback.msg.params["found"] == 2
