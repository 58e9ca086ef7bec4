"""The one writer of parcel state: what a move changes and journals, and that nobody else writes it."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from device.engine import Engine
from device.store.db import Store
from device.store.parcels import MoveError, move_parcels
from tests.support.factory import dump, state
from tests.support.stock import device_stamp
from workflows.machine import IllegalTransition
from workflows.outcome import Move
from workflows.parcel import ParcelState

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("device", "sync", "workflows", "central", "drivers")
WRITER = "device/store/parcels.py"
# The columns a move changes; a parcel's other columns (its deadline, damaged) are not its state.
MOVE_COLUMNS = frozenset({"state", "cell_id", "return_reason", "bag", "issued_at"})
_UPDATE = re.compile(r"\bupdate\s+(?:or\s+\w+\s+)?parcels\s+set\s+(.*?)(?:\bwhere\b|$)", re.I | re.S)


def _sql_texts(path: Path) -> Iterator[str]:
    """Every string literal of a module, f-strings' literal parts included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def parcel_state_writers() -> dict[str, set[str]]:
    """Product modules with an `UPDATE parcels SET` of a move column, and the columns."""
    found: dict[str, set[str]] = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            for text in _sql_texts(path):
                for match in _UPDATE.finditer(" ".join(text.split())):
                    columns = set(re.findall(r"(\w+)\s*=", match.group(1))) & MOVE_COLUMNS
                    if columns:
                        found.setdefault(path.relative_to(ROOT).as_posix(), set()).update(columns)
    return found


def test_only_the_writer_updates_parcel_state() -> None:
    writers = parcel_state_writers()
    assert WRITER in writers and "state" in writers[WRITER]  # the scan does see SQL
    assert set(writers) == {WRITER}, f"parcel state written outside {WRITER}: {writers}"


def _events(store: Store, parcel: str) -> list[tuple[object, ...]]:
    rows = store.conn.execute(
        "SELECT kind, from_state, to_state, cell, data FROM journal WHERE parcel = ? AND kind LIKE 't_%' "
        "ORDER BY seq",
        (parcel,),
    )
    return [(*tuple(r)[:4], json.loads(r["data"])) for r in rows]


def test_a_batch_moves_one_parcel_twice_in_order(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    stamp = device_stamp()
    moves = [
        Move("33333333-0001-1", ParcelState.STORED, "t_moved", cell="B-01-1"),
        Move("33333333-0001-1", ParcelState.TO_RETURN, "t_due", reason="test", data={"n": 1}),
        Move("33333333-0001-1", ParcelState.RETURNING, "t_picked", bag="BAG-1"),
    ]
    with store.transaction() as conn:
        assert move_parcels(conn, stamp, moves) == 3
    assert _events(store, "33333333-0001-1") == [
        ("t_moved", "stored", "stored", "B-01-1", {"from_cell": "A-02-1"}),
        ("t_due", "stored", "to_return", "B-01-1", {"n": 1}),
        ("t_picked", "to_return", "returning", "B-01-1", {"from_cell": "B-01-1"}),
    ]
    row = store.conn.execute(
        "SELECT state, cell_id, return_reason, bag, updated_at FROM parcels WHERE barcode = '33333333-0001-1'"
    ).fetchone()
    assert tuple(row) == ("returning", None, "test", "BAG-1", stamp.ts)
    occupied = dict(
        store.conn.execute("SELECT address, occupied FROM cells WHERE address IN ('A-02-1', 'B-01-1')")
    )
    assert occupied == {"A-02-1": 0, "B-01-1": 1}


def test_back_on_the_shelf_clears_the_reason_and_issue_stamps_the_time(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    stamp = device_stamp()
    with store.transaction() as conn:
        move_parcels(conn, stamp, [Move("44444444-0001-1", ParcelState.TO_RETURN, "t_due", reason="x")])
        move_parcels(conn, stamp, [Move("44444444-0001-1", ParcelState.STORED, "t_back")])  # stays in B-01-1
        move_parcels(conn, stamp, [Move("44444444-0001-1", ParcelState.ISSUED, "t_issued")])
    row = store.conn.execute(
        "SELECT state, cell_id, return_reason, issued_at FROM parcels WHERE barcode = '44444444-0001-1'"
    ).fetchone()
    assert tuple(row) == ("issued", None, None, stamp.ts)
    assert [e[:4] for e in _events(store, "44444444-0001-1")] == [
        ("t_due", "stored", "to_return", "B-01-1"),
        ("t_back", "to_return", "stored", "B-01-1"),
        ("t_issued", "stored", "issued", "B-01-1"),  # the cell it left
    ]


@pytest.mark.parametrize(
    ("move", "error", "message"),
    [
        (Move("NOPE-0000", ParcelState.STORED, "t", cell="A-01-1"), MoveError, "no parcel NOPE-0000"),
        (Move("22222222-0001-1", ParcelState.STORED, "t"), MoveError, "22222222-0001-1: stored needs a cell"),
        (Move("22222222-0001-1", ParcelState.STORED, "t", cell="Z-9"), MoveError, "no cell 'Z-9'"),
        (
            Move("11111111-0001-1", ParcelState.STORED, "t", cell="A-01-1"),
            IllegalTransition,
            "issued -> stored",
        ),
    ],
)
def test_a_move_that_does_not_fit_changes_nothing(
    deadline_day: tuple[Store, Engine], move: Move, error: type[Exception], message: str
) -> None:
    store, _ = deadline_day
    before = dump(store)
    first = Move("44444444-0001-1", ParcelState.TO_RETURN, "t_due")  # made, then rolled back
    with pytest.raises(error, match=message), store.transaction() as conn:
        move_parcels(conn, device_stamp(), [first, move])
    assert dump(store) == before
    assert state(store, "44444444-0001-1") == ("stored", "B-01-1")
