"""On restart an open session resumes where it was: acceptance, placement, issue, the print queue.

Each test works through one Store/Engine pair, closes both, and goes on with new objects
on the same file, as a restarted daemon would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from device.engine import Engine
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.base import Pattern
from drivers.lights.sim_lights import SimCellLights
from drivers.printer.sim_printer import SimPrinter
from tests.support.factory import new_engine, new_store, scan, standard_manifest, state
from workflows.inputs import Command
from workflows.outcome import Light

BOX = "BOX00000001"
Opener = Callable[[], tuple[Store, Engine]]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "pvz.db"
    new_store(path, standard_manifest()).close()
    return path


@pytest.fixture
def open_store(db: Path) -> Iterator[Opener]:
    """Open the store file with fresh Store and Engine objects; everything is closed at the end."""
    opened: list[Store] = []

    def opener() -> tuple[Store, Engine]:
        store = Store.open(db, owner=True)
        opened.append(store)
        return store, new_engine(store)

    yield opener
    for store in opened:
        store.close()


def restart(store: Store, open_store: Opener) -> tuple[Store, Engine]:
    store.close()
    return open_store()


def channel(store: Store, address: str) -> int:
    value = store.scalar("SELECT channel FROM cells WHERE address = ?", (address,))
    assert value is not None, address
    return int(value)


def runtime(engine: Engine, rack: SimCellLights, printer: SimPrinter | None = None) -> Runtime:
    return Runtime(engine, stations=[StationIO("s1", printer=printer)], rack=rack)


def test_a_half_done_acceptance_resumes_and_closes_with_the_right_missing_count(open_store: Opener) -> None:
    store, engine = open_store()
    scan(engine, BOX, "11111111-0001-1", "22222222-0001-1")

    store, engine = restart(store, open_store)
    session = engine.session("s1")
    assert session is not None
    assert (session.workflow.name, session.state.value) == ("acceptance", "scanning")
    assert session.data.supply == "S1"
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "accepting"

    r = scan(engine, "22222222-0002-1")
    assert r.feedback.msg.key == "acc_parcel_accepted"
    assert r.session is not None and r.session.data.supply == "S1"
    assert state(store, "22222222-0002-1") == ("accepted", None)
    assert store.scalar("SELECT supply_id FROM parcels WHERE barcode = '22222222-0002-1'") == "S1"
    # what was scanned before the restart still counts: a repeat is a duplicate, not a new event
    assert scan(engine, "11111111-0001-1").feedback.msg.key == "duplicate_scan"

    r = scan(engine, Command.DONE)
    assert r.session is not None and r.feedback.msg.key == "acc_confirm_close"
    # the question survives a restart: DONE again closes with the missing parcels
    store, engine = restart(store, open_store)
    session = engine.session("s1")
    assert session is not None and session.state.value == "confirm_close"
    r = scan(engine, Command.DONE)
    assert r.session is None and r.feedback.msg.key == "acc_closed"
    assert r.feedback.msg.params["missing"] == 2
    missing = {str(d.params["parcel"]) for d in r.feedback.details}
    assert missing == {"33333333-0001-1", "44444444-0001-1"}
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "closed"
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'accepted'") == 3


def test_a_placement_waiting_for_a_cell_lights_the_suggested_cell_again(open_store: Opener) -> None:
    store, engine = open_store()
    scan(engine, BOX, "11111111-0001-1", "22222222-0001-1", "22222222-0002-1")
    scan(engine, "33333333-0001-1", "44444444-0001-1", Command.DONE)
    r = scan(engine, "11111111-0001-1")
    assert r.session is not None and dict(r.session.lights) == {"A-01-1": Light.SUGGESTED}

    store, engine = restart(store, open_store)
    rack = SimCellLights()
    rack.show(channel(store, "B-01-1"), Pattern.BLINK)  # a stale light from before the restart
    rt = runtime(engine, rack)
    rt.start()
    assert rack.lit() == {channel(store, "A-01-1"): Pattern.STEADY}
    session = engine.session("s1")
    assert session is not None and (session.workflow.name, session.state.value) == ("placement", "wait_cell")
    assert session.data.parcel == "11111111-0001-1"

    r = rt.process("s1", "C-A-01-1")
    assert r.feedback.msg.key == "pl_placed"
    assert state(store, "11111111-0001-1") == ("stored", "A-01-1")
    assert rack.lit() == {}


def test_an_issue_with_one_parcel_taken_resumes_with_only_the_remaining_cell_lit(
    open_store: Opener,
) -> None:
    store, engine = open_store()
    scan(engine, BOX, "11111111-0001-1", "22222222-0001-1", "22222222-0002-1")
    scan(engine, "33333333-0001-1", "44444444-0001-1", Command.DONE)
    scan(engine, "22222222-0001-1", "C-A-03-1", "22222222-0002-1", "C-A-02-1", Command.DONE)
    r = scan(engine, "22222222*222222", keyed=True)
    assert r.session is not None
    assert dict(r.session.lights) == {"A-03-1": Light.TAKE, "A-02-1": Light.TAKE}
    r = scan(engine, "22222222-0001-1")
    assert r.feedback.msg.key == "iss_taken"

    store, engine = restart(store, open_store)
    session = engine.session("s1")
    assert session is not None and (session.workflow.name, session.state.value) == ("issue", "collecting")
    assert session.data.taken == ("22222222-0001-1",)
    assert session.claims == ("order:22222222",)
    # taking is only recorded in the session until DONE
    assert state(store, "22222222-0001-1") == ("stored", "A-03-1")

    rack = SimCellLights()
    rt = runtime(engine, rack)
    rt.start()
    assert rack.lit() == {channel(store, "A-02-1"): Pattern.BLINK}

    assert scan(engine, "22222222-0001-1").feedback.msg.key == "iss_already_taken"
    r = rt.process("s1", "22222222-0002-1")
    assert r.feedback.msg.key == "iss_taken_all"
    assert rack.lit() == {}
    r = rt.process("s1", Command.DONE.barcode)
    assert r.session is None and r.feedback.msg.key == "iss_done"
    assert r.feedback.msg.params["count"] == 2
    assert state(store, "22222222-0001-1") == ("issued", None)
    assert state(store, "22222222-0002-1") == ("issued", None)
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'receipt'") == 1


def test_a_print_job_queued_while_the_printer_failed_is_printed_after_restart(open_store: Opener) -> None:
    store, engine = open_store()
    broken = SimPrinter()
    broken.set_fault("paper out")
    rt = runtime(engine, SimCellLights(), broken)
    rt.start()
    for code in (BOX, "11111111-0001-1", Command.DONE.barcode, Command.DONE.barcode):
        rt.process("s1", code)
    job = store.conn.execute("SELECT id, kind, state, attempts, last_error FROM print_jobs").fetchone()
    assert (job["kind"], job["state"]) == ("acceptance_act", "queued")
    assert job["attempts"] >= 1 and "paper out" in job["last_error"]
    assert broken.printed == ()

    store, engine = restart(store, open_store)
    printer = SimPrinter()
    rt = runtime(engine, SimCellLights(), printer)
    rt.start()
    assert [p.doc.kind for p in printer.printed] == ["acceptance_act"]
    assert "S1" in printer.printed[0].text
    row = store.conn.execute("SELECT state, printed_at FROM print_jobs WHERE id = ?", (job["id"],)).fetchone()
    assert row["state"] == "printed" and row["printed_at"] is not None
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE state = 'queued'") == 0

    # a second start does not print it again
    runtime(engine, SimCellLights(), printer).start()
    assert len(printer.printed) == 1


def test_without_open_sessions_a_restart_lights_nothing(open_store: Opener) -> None:
    store, engine = open_store()
    scan(engine, BOX, Command.DONE, Command.DONE)
    store, engine = restart(store, open_store)
    assert engine.sessions() == {}
    rack = SimCellLights()
    rack.show(0, Pattern.STEADY)
    runtime(engine, rack).start()
    assert rack.lit() == {}
    assert rack.history[-1] == (rack.history[-1][0], 0, Pattern.OFF)


def test_every_light_meaning_has_a_pattern_on_the_rack() -> None:
    from device.rack_lights import LIGHT_PATTERN
    from workflows.outcome import Light

    assert set(LIGHT_PATTERN) == set(Light)
