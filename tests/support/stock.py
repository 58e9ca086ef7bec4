"""A store with parcels in every state that matters to deadlines, built through the real paths."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from device.engine import Engine
from device.intake.manifest import decode_manifest, import_manifest
from device.store.db import Store
from device.store.journal import Stamp
from tests.support.factory import DEVICE, T0, M, P, new_engine, new_store, scan, standard_manifest, state
from workflows.inputs import Command

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


def stock(path: Path) -> tuple[Store, Engine]:
    """Accept supply S1, store four of its parcels, issue one; supply S2 stays expected."""
    store = new_store(path)
    load_with_deadlines(store, standard_manifest())
    load_with_deadlines(store, M("S2", [P("55555555-0001-1", "55555555")]))
    engine = new_engine(store)
    scan(engine, "BOX00000001", "11111111-0001-1", "22222222-0001-1", "22222222-0002-1")
    scan(engine, "33333333-0001-1", "44444444-0001-1", Command.DONE)
    scan(engine, "11111111-0001-1", "C-A-01-1", "22222222-0002-1", "C-A-03-1")
    scan(engine, "33333333-0001-1", "C-A-02-1", "44444444-0001-1", "C-B-01-1", Command.DONE)
    scan(engine, "11111111", keyed=True)
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
