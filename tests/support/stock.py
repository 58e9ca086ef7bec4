"""Stores brought to a known point through the real engine: stocked, half a day done, the deadline day."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, date, datetime
from pathlib import Path

from device.engine import Engine
from device.intake.manifest import decode_manifest, import_manifest
from device.store.db import Store
from device.store.journal import Stamp
from tests.support.factory import (
    DEVICE,
    STATIONS,
    T0,
    M,
    P,
    new_engine,
    new_store,
    scan,
    standard_manifest,
    state,
)
from workflows.inputs import Command

CELLS = {  # where stock() puts each parcel of the standard manifest
    "11111111-0001-1": "C-A-01-1",
    "22222222-0001-1": "C-A-03-1",
    "22222222-0002-1": "C-A-03-1",
    "33333333-0001-1": "C-A-02-1",
    "44444444-0001-1": "C-B-01-1",
}


def accept_all(engine: Engine) -> None:
    """Supply S1 accepted at s1: its box and every parcel, none missing."""
    scan(engine, "BOX00000001", *CELLS, Command.DONE)


def stock(engine: Engine, *, unplaced: Collection[str] = ()) -> None:
    """Every parcel of the standard manifest accepted, and stored in its cell of CELLS but `unplaced`."""
    accept_all(engine)
    scan(engine, Command.START_PLACEMENT)
    for parcel, cell in CELLS.items():
        if parcel not in unplaced:
            scan(engine, parcel, cell)
    scan(engine, Command.DONE)


def issue_order_22(engine: Engine) -> None:
    scan(engine, "22222222*222222", keyed=True)
    scan(engine, "22222222-0001-1", "22222222-0002-1", Command.DONE)


def half_day(path: Path, *, signed_in: tuple[str, ...] = STATIONS) -> tuple[Store, Engine]:
    """Stocked, order 22222222 issued, and a return request RR-1 waiting for 22222222-0002-1."""
    store = new_store(path, standard_manifest())
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO return_requests (id, order_id, parcels, reason, received_at) "
            "VALUES ('RR-1', '22222222', '[\"22222222-0002-1\"]', 'size', 't')"
        )
    engine = new_engine(store, signed_in=signed_in)
    stock(engine)
    issue_order_22(engine)
    return store, engine


# -- the deadline day: parcels in every state that matters to deadlines, on TODAY ----------------

TODAY = date(2026, 11, 25)
DEADLINES = {
    "11111111-0001-1": "2026-11-20",  # issued: never swept
    "22222222-0001-1": "2026-11-20",  # accepted, never placed: swept without a cell
    "22222222-0002-1": "2026-11-25",  # stored in A-03-1, last day today: stays
    "33333333-0001-1": "2026-11-24",  # stored in A-02-1: swept, keeps its cell
    "44444444-0001-1": "2026-11-28",  # stored in B-01-1, in time
    "55555555-0001-1": "2026-11-01",  # expected (supply S2 not accepted yet): never swept
}
OVERDUE = ["22222222-0001-1", "33333333-0001-1"]  # earliest deadline first


def load_with_deadlines(store: Store, manifest: M) -> None:
    raw = manifest.to_json()
    for parcel in raw["parcels"]:
        parcel["deadline"] = DEADLINES[parcel["barcode"]]
    import_manifest(store, decode_manifest(json.dumps(raw).encode()), now=T0.isoformat())


def deadline_day(path: Path) -> tuple[Store, Engine]:
    """Supply S1 stocked but 22222222-0001-1, order 11111111 issued; supply S2 stays expected."""
    store = new_store(path)
    load_with_deadlines(store, standard_manifest())
    load_with_deadlines(store, M("S2", [P("55555555-0001-1", "55555555")]))
    engine = new_engine(store)
    stock(engine, unplaced={"22222222-0001-1"})
    scan(engine, "11111111*1111", keyed=True)
    scan(engine, "11111111-0001-1", Command.DONE)
    expected = {
        "11111111-0001-1": ("issued", None),
        "22222222-0001-1": ("accepted", None),
        "22222222-0002-1": ("stored", "A-03-1"),
        "33333333-0001-1": ("stored", "A-02-1"),
        "44444444-0001-1": ("stored", "B-01-1"),
        "55555555-0001-1": ("expected", None),
    }
    assert {b: state(store, b) for b in expected} == expected
    assert engine.sessions() == {}
    return store, engine


def device_stamp(day: date = TODAY) -> Stamp:
    """The device's own act on that day: no station, no clerk."""
    return Stamp(DEVICE, datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC).isoformat())
