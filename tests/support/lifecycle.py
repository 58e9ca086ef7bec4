"""Helpers that bring the standard test store to a point of the parcel's life."""

from __future__ import annotations

from device.engine import Engine
from tests.support.factory import scan
from workflows.inputs import Command

CELLS = {
    "11111111-0001-1": "C-A-01-1",
    "22222222-0001-1": "C-A-03-1",
    "22222222-0002-1": "C-A-03-1",
    "33333333-0001-1": "C-A-02-1",
    "44444444-0001-1": "C-B-01-1",
}


def stock(engine: Engine) -> None:
    """Every parcel of the standard manifest accepted and stored in known cells."""
    scan(engine, "BOX00000001", *CELLS, Command.DONE)
    scan(engine, Command.START_PLACEMENT)
    for parcel, cell in CELLS.items():
        scan(engine, parcel, cell)
    scan(engine, Command.DONE)


def issue_order_22(engine: Engine) -> None:
    scan(engine, "22222222", keyed=True)
    scan(engine, "22222222-0001-1", "22222222-0002-1", Command.DONE)
