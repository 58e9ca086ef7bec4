"""Placement cell-first: a cell scanned with nothing in hand opens it, and every parcel scanned goes in.

Also the figure for the note: the scans it takes to put ten parcels into one cell either way.
"""

from __future__ import annotations

import json
from pathlib import Path

from device.engine import Engine
from device.intake.rack import CellSpec
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.base import Beep, Color, Pattern
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from tests.support.factory import M, P, cells, dump, new_engine, new_store, scan, standard_manifest, state
from tests.support.stock import accept_all
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level, Light
from workflows.parcel import Size

N = 10
BIG_ORDER = [f"5555555{i % 10}-00{i:02d}-1" for i in range(1, N + 1)]


def _big_order_store(path: Path) -> tuple[Store, Engine]:
    """One customer's ten small parcels, accepted; a shelf A-01-1 with room for ten, and two small cells."""
    rack = [
        CellSpec(address="A-01-1", size=Size.M, capacity=N, channel=0),
        CellSpec(address="A-02-1", size=Size.S, channel=1),
        CellSpec(address="A-02-2", size=Size.S, channel=2),
    ]
    store = new_store(path, M("S9", [P(b, "55555555") for b in BIG_ORDER]), rack=rack)
    engine = new_engine(store)
    scan(engine, *BIG_ORDER, Command.DONE)
    return store, engine


def _count(engine: Engine, *codes: str | Command) -> int:
    """Scan each code as a clerk would; none may be refused. Returns how many scans it took."""
    for code in codes:
        r = scan(engine, code)
        assert r.feedback.level is not Level.ERROR, (code, r.feedback.msg)
    return len(codes)


def test_ten_parcels_into_one_cell_take_n_plus_one_scans_cell_first_against_2n_parcel_first(
    tmp_path: Path,
) -> None:
    store, engine = _big_order_store(tmp_path / "parcel_first.db")
    pairs = [code for barcode in BIG_ORDER for code in (barcode, "C-A-01-1")]
    parcel_first = _count(engine, Command.START_PLACEMENT, *pairs, Command.DONE)
    assert {state(store, b) for b in BIG_ORDER} == {("stored", "A-01-1")}

    store, engine = _big_order_store(tmp_path / "cell_first.db")
    cell_first = _count(engine, Command.START_PLACEMENT, "C-A-01-1", *BIG_ORDER[:-1])
    last = scan(engine, BIG_ORDER[-1])
    ended = scan(engine, Command.DONE)
    cell_first += 2
    assert {state(store, b) for b in BIG_ORDER} == {("stored", "A-01-1")}

    # start and done included: 2N + 2 before, N + 1 + 2 now
    assert (parcel_first, cell_first) == (2 * N + 2, N + 1 + 2) == (22, 13)
    assert last.feedback.msg.key == "pl_put_full"  # the tenth fills the shelf: it closes by itself
    assert ended.feedback.msg == Msg("pl_ended", {"placed": N, "cells": 1})
    assert ended.feedback.msg.render("ru") == "Размещение завершено: размещено 10 отправлений в 1 ячейку"


def test_a_cell_scanned_first_opens_it_lit_and_each_parcel_scanned_goes_in(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    r = scan(engine, Command.START_PLACEMENT, "C-A-03-1")  # L, room for two
    assert r.session is not None and r.session.state.value == "fill_cell"
    assert dict(r.session.lights) == {"A-03-1": Light.SUGGESTED}
    assert r.feedback.msg == Msg("pl_cell_open", {"cell": "A-03-1", "free": 2})
    assert r.feedback.msg.render("ru").endswith("(свободно 2 места). «Отмена» — закрыть ячейку")
    r = scan(engine, "22222222-0001-1")
    assert r.feedback.level is Level.OK
    assert r.feedback.msg == Msg(
        "pl_put", {"parcel": "22222222-0001-1", "cell": "A-03-1", "occupied": 1, "capacity": 2}
    )
    assert state(store, "22222222-0001-1") == ("stored", "A-03-1")
    assert r.session is not None and r.session.state.value == "fill_cell"
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'placed'").fetchone()
    assert (ev["parcel"], ev["from_state"], ev["to_state"], ev["cell"]) == (
        "22222222-0001-1",
        "accepted",
        "stored",
        "A-03-1",
    )
    assert json.loads(ev["data"]) == {"cell_first": True}
    # the second fills the cell: it closes, its light goes out, the clerk is told to go on
    r = scan(engine, "22222222-0002-1")
    assert r.feedback.msg == Msg("pl_put_full", {"parcel": "22222222-0002-1", "cell": "A-03-1"})
    assert r.session is not None and r.session.state.value == "wait_parcel" and not r.session.lights
    assert state(store, "22222222-0002-1") == ("stored", "A-03-1")


def test_a_full_cell_is_refused_when_opened_and_another_is_named(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "11111111-0001-1", "C-A-01-1")
    before = dump(store)
    r = scan(engine, "C-A-01-1")
    assert r.feedback.level is Level.ERROR
    assert r.feedback.msg == Msg(
        "pl_cell_full", {"cell": "A-01-1", "next": Msg("pl_open_other", {"cell": "A-01-2"})}
    )
    assert (
        r.feedback.msg.render("ru") == "Ячейка A-01-1 заполнена: отсканируйте другую ячейку, например A-01-2"
    )
    assert r.session is not None and r.session.state.value == "wait_parcel"
    assert dump(store) == before


def test_a_parcel_too_big_for_the_open_cell_gets_its_own_lit_cell_then_the_open_cell_comes_back(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "C-A-01-1")  # S
    r = scan(engine, "44444444-0001-1")  # L: not here
    assert r.feedback.level is Level.WARN
    assert r.feedback.msg.key == "pl_too_big"
    assert r.feedback.msg.params["next"] == Msg("pl_put_in", {"cell": "A-03-1"})
    assert r.feedback.details == (Msg("pl_then_back", {"cell": "A-01-1"}),)
    assert r.session is not None and r.session.state.value == "wait_cell"
    assert dict(r.session.lights) == {"A-03-1": Light.SUGGESTED}
    assert state(store, "44444444-0001-1") == ("accepted", None)
    r = scan(engine, "C-A-03-1")
    assert r.feedback.msg.key == "pl_placed"
    assert r.feedback.details == (Msg("pl_back_to_cell", {"cell": "A-01-1"}),)
    assert r.session is not None and r.session.state.value == "fill_cell"
    assert dict(r.session.lights) == {"A-01-1": Light.SUGGESTED}
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.msg.key == "pl_put_full"
    assert state(store, "11111111-0001-1") == ("stored", "A-01-1")


def test_cancel_for_the_odd_parcel_goes_back_to_the_open_cell_and_says_it_waits(engine: Engine) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "C-A-01-1", "44444444-0001-1")
    r = scan(engine, Command.CANCEL)
    assert r.feedback.msg == Msg("pl_left_waiting", {"parcel": "44444444-0001-1", "count": 1})
    assert r.feedback.details == (Msg("pl_back_to_cell", {"cell": "A-01-1"}),)
    assert r.session is not None and r.session.state.value == "fill_cell"
    assert r.session.data.waiting == ("44444444-0001-1",)


def test_cancel_closes_the_open_cell_and_done_at_an_open_cell_ends(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "C-A-03-1", "22222222-0001-1")
    r = scan(engine, Command.CANCEL)
    assert r.feedback.msg == Msg("pl_cell_closed", {"cell": "A-03-1", "occupied": 1, "capacity": 2})
    assert r.session is not None and r.session.state.value == "wait_parcel" and not r.session.lights
    r = scan(engine, "33333333-0001-1")  # parcel-first again, from the same session
    assert r.feedback.msg.key == "pl_suggest" and r.session is not None
    assert r.session.state.value == "wait_cell"
    scan(engine, "C-A-02-1", "C-B-01-1")
    r = scan(engine, Command.DONE)
    assert r.session is None
    assert r.feedback.msg == Msg("pl_ended", {"placed": 2, "cells": 2})


def test_a_stored_parcel_scanned_at_an_open_cell_moves_into_it(stocked: Engine, store: Store) -> None:
    r = scan(stocked, Command.START_PLACEMENT, "C-B-01-1")  # XL, holds 44444444-0001-1
    assert r.feedback.msg == Msg("pl_cell_open", {"cell": "B-01-1", "free": 2})
    r = scan(stocked, "11111111-0001-1")  # stored in A-01-1
    assert r.feedback.msg == Msg(
        "pl_put", {"parcel": "11111111-0001-1", "cell": "B-01-1", "occupied": 2, "capacity": 3}
    )
    assert state(store, "11111111-0001-1") == ("stored", "B-01-1")
    ev = store.conn.execute("SELECT * FROM journal WHERE kind = 'moved'").fetchone()
    assert (ev["from_state"], ev["to_state"], ev["cell"]) == ("stored", "stored", "B-01-1")
    assert json.loads(ev["data"]) == {"from_cell": "A-01-1"}
    before = dump(store)
    r = scan(stocked, "11111111-0001-1")
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "pl_same_cell"
    # a stored parcel that may not go into the open cell keeps its own, and the clerk hears why
    scan(stocked, "C-A-01-1")  # S, empty now
    r = scan(stocked, "44444444-0001-1")  # L
    assert r.feedback.level is Level.ERROR
    assert r.feedback.msg.render("ru") == (
        "44444444-0001-1 (L) не помещается в A-01-1 (S): 44444444-0001-1 остаётся в ячейке B-01-1"
    )
    assert dump(store)["parcels"] == before["parcels"]
    assert scan(stocked, Command.DONE).feedback.msg == Msg("pl_ended_nothing")


def test_a_parcel_whose_order_is_shelved_elsewhere_goes_in_with_a_warning(
    engine: Engine, store: Store
) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "22222222-0002-1", "C-A-02-1")
    r = scan(engine, "C-A-03-1", "22222222-0001-1")
    assert r.feedback.level is Level.WARN and r.feedback.msg.key == "pl_put"
    assert r.feedback.details == (Msg("pl_order_apart", {"order": "22222222", "cell": "A-02-1"}),)
    assert state(store, "22222222-0001-1") == ("stored", "A-03-1")
    data = store.scalar("SELECT data FROM journal WHERE kind = 'placed' AND parcel = '22222222-0001-1'")
    assert json.loads(data) == {"cell_first": True, "order_cell": "A-02-1"}


def test_at_an_open_cell_stray_input_is_refused_with_what_to_do_next(engine: Engine, store: Store) -> None:
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT, "C-A-03-1")
    before = dump(store)
    fill = Msg("pl_next_fill", {"cell": "A-03-1"})
    assert scan(engine, "nonsense").feedback.msg == Msg("pl_unknown_code", {"code": "nonsense", "next": fill})
    r = scan(engine, Command.REFUSE_ITEM)
    assert r.feedback.msg == Msg("pl_command_not_now", {"command": Msg("cmd_REFUSE_ITEM"), "next": fill})
    r = scan(engine, "C-A-03-1")  # the open cell again
    assert r.feedback.level is Level.INFO and r.feedback.msg.key == "pl_cell_already_open"
    assert dump(store) == before


def test_a_cell_of_a_zone_that_holds_no_parcels_cannot_be_opened(tmp_path: Path) -> None:
    rack = [*cells(), CellSpec(address="X-01-1", size=Size.XL, capacity=5, channel=9, zone="counter")]
    store = new_store(tmp_path / "zones.db", standard_manifest(), rack=rack)
    engine = new_engine(store)
    accept_all(engine)
    r = scan(engine, Command.START_PLACEMENT, "C-X-01-1")
    assert r.feedback.level is Level.ERROR
    assert r.feedback.msg == Msg("pl_cell_not_for_parcels", {"cell": "X-01-1", "next": Msg("pl_next_parcel")})
    assert r.session is not None and r.session.state.value == "wait_parcel"
    store.close()


def test_at_the_counter_the_open_cell_stays_lit_and_the_odd_parcel_has_its_own_light_across_a_restart(
    tmp_path: Path,
) -> None:
    """The runtime with simulated drivers: what the clerk sees on the rack, the light tower and the screen."""
    path = tmp_path / "pvz.db"
    store = new_store(path, standard_manifest())
    engine = new_engine(store)
    accept_all(engine)
    rack = SimCellLights()
    tower = SimStatusLight()
    buzzer = SimBuzzer()
    screen = SimScreen()
    io = StationIO("s1", status_light=tower, buzzer=buzzer, screen=screen)
    rt = Runtime(engine, stations=[io], rack=rack)
    rt.start()
    rt.process("s1", Command.START_PLACEMENT.barcode)
    rt.process("s1", "C-A-01-1")  # S, channel 0
    assert rack.lit() == {0: Pattern.STEADY}
    assert screen.title.startswith("Ячейка A-01-1: сканируйте каждое отправление")
    rt.process("s1", "22222222-0002-1")  # M: does not fit; its own cell lights instead
    assert rack.lit() == {2: Pattern.STEADY}  # A-02-1
    assert (tower.color, buzzer.last) == (Color.AMBER, Beep.WARN)
    assert screen.title == (
        "22222222-0002-1 (M) не помещается в A-01-1 (S): положите в ячейку A-02-1 и отсканируйте её"
    )
    assert screen.lines == ["Потом снова откроется ячейка A-01-1"]

    store.close()
    store = Store.open(path, owner=True)
    rack = SimCellLights()
    rt = Runtime(new_engine(store), stations=[StationIO("s1", screen=screen)], rack=rack)
    rt.start()
    assert rack.lit() == {2: Pattern.STEADY}
    rt.process("s1", "C-A-02-1")
    assert rack.lit() == {0: Pattern.STEADY}  # the open cell again
    assert screen.lines == ["Ячейка A-01-1 снова открыта: сканируйте отправления для неё"]
    rt.process("s1", "11111111-0001-1")
    assert rack.lit() == {}
    assert screen.title == (
        "11111111-0001-1 → A-01-1; ячейка заполнена — отсканируйте следующую ячейку или отправление"
    )
    assert state(store, "22222222-0002-1") == ("stored", "A-02-1")
    assert state(store, "11111111-0001-1") == ("stored", "A-01-1")
    store.close()
