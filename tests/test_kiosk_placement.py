"""A clerk loading the locker: a parcel placed into a door cell commands its door open ("placement"),
parcel first or cell first, and one order stays behind each door."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support import kiosk
from tests.support.factory import CLERK, M, P, load, scan, state
from tests.support.kiosk import COUNTER, Clock, kiosk_site
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level

NEXT = "50000002-0002-1"  # a second parcel of the order behind door 15
STRANGER = "60000001-0001-1"  # another customer's parcel


@pytest.fixture
def site(tmp_path: Path) -> tuple[Store, Engine, Clock]:
    store, engine, clock = kiosk_site(tmp_path / "kiosk.db")
    codes = {kiosk.LOCKED: kiosk.CODES[kiosk.LOCKED]}
    load(store, M("K2", [P(NEXT, kiosk.LOCKED), P(STRANGER, "60000001")], codes=codes))
    scan(engine, "K2", NEXT, STRANGER, Command.DONE, station=COUNTER)
    return store, engine, clock


def placements(store: Store) -> list[tuple[str, str, int, str | None, str | None]]:
    rows = store.conn.execute(
        "SELECT c.station, c.cell, c.door, c.order_id, j.clerk FROM door_commands c "
        "JOIN journal j ON j.kind = 'door_commanded' AND json_extract(j.data, '$.command') = c.id "
        "WHERE c.purpose = 'placement' ORDER BY c.id"
    )
    return [tuple(r) for r in rows]


def test_stocking_the_locker_opened_each_door_once_its_parcel_was_recorded(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, _, _ = site
    assert placements(store) == [
        (COUNTER, "L-14", 14, kiosk.MIXED, CLERK),
        (COUNTER, "L-15", 15, kiosk.LOCKED, CLERK),
        (COUNTER, "L-16", 16, kiosk.COD, CLERK),
        (COUNTER, "L-18", 18, kiosk.TWO, CLERK),
        (COUNTER, "L-18", 18, kiosk.TWO, CLERK),
    ]


def test_parcel_first_into_a_door_opens_it_and_another_order_may_not_go_behind_it(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    before = placements(store)
    r = scan(engine, Command.START_PLACEMENT, STRANGER, "15", station=COUNTER)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "pl_door_other_order"
    assert r.feedback.msg.params["cell"] == "15"
    assert placements(store) == before and state(store, STRANGER) == ("accepted", None)
    r = scan(engine, NEXT, "15", station=COUNTER)
    assert r.feedback.details[0] == Msg("pl_door_opening", {"door": "15"})
    assert r.feedback.details[0].render("en") == "Door 15 is opening: put the parcel in and close it"
    assert placements(store)[-1] == (COUNTER, "L-15", 15, kiosk.LOCKED, CLERK)
    assert state(store, NEXT) == ("stored", "L-15")


def test_cell_first_into_a_door_opens_it_for_the_parcel(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    r = scan(engine, Command.START_PLACEMENT, "15", station=COUNTER)
    assert r.feedback.msg.key == "pl_cell_open"
    before = placements(store)
    r = scan(engine, NEXT, station=COUNTER)
    assert r.feedback.details == (Msg("pl_door_opening", {"door": "15"}),)
    assert placements(store) == [*before, (COUNTER, "L-15", 15, kiosk.LOCKED, CLERK)]
    assert state(store, NEXT) == ("stored", "L-15")
