"""The one writer of parcel state: each move checked against PARCEL, its row updated, its event journaled."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from device.store.journal import Entry, Stamp, append_all
from workflows.machine import WorkflowError
from workflows.outcome import Move
from workflows.parcel import IN_CELL, PARCEL, ParcelState

# A parcel taken out of its bag (back on the pick list, or back to waiting for the courier).
_OUT_OF_BAG = frozenset({ParcelState.TO_RETURN, ParcelState.OUTBOUND})

# Every parcel a batch moves, read in one statement (the deadline sweep moves tens of thousands).
_CURRENT_SQL = (
    "SELECT p.barcode, p.id, p.state, p.cell_id, c.address, p.return_reason, p.bag FROM parcels p "
    "LEFT JOIN cells c ON c.id = p.cell_id WHERE p.barcode IN (SELECT value FROM json_each(?))"
)


class MoveError(WorkflowError, RuntimeError):
    """A move the store cannot make: no such parcel or cell (a bug, or a store edited under us)."""


def move_parcels(conn: sqlite3.Connection, stamp: Stamp, moves: Iterable[Move]) -> int:
    """Make each move in order, inside the caller's transaction; return how many were made.

    A move is checked against PARCEL (IllegalTransition names both states) and changes:
    - the cell: none outside IN_CELL; else `move.cell`, or the cell the parcel is in now
      (stored needs one);
    - return_reason: cleared back on the shelf (stored), else `move.reason` if given;
    - bag: cleared when taken back out (to_return, outbound), else `move.bag` if given;
    - issued_at: the stamp's time when issued; updated_at always.
    Its journal event is `move.kind` from and to the states, with the parcel's cell after the
    move (or before, when it leaves the cells), and `move.data` plus `from_cell` when the
    parcel changed cells. Every move is checked before the first row is written; rows are
    then written in order, a run of the same shape in one statement. On any error the caller
    rolls back.
    """
    batch = list(moves)
    if not batch:
        return 0
    parcels = _read(conn, [m.parcel for m in batch])
    plan = _Plan(conn, stamp)
    for m in batch:
        parcel = parcels.get(m.parcel)
        if parcel is None:
            raise MoveError(f"no parcel {m.parcel}")
        plan.add(m, parcel)
    plan.write()
    return len(batch)


@dataclass(slots=True)
class _Parcel:
    """What a move reads and changes of one parcel row; kept up to date along a batch."""

    id: int
    state: ParcelState
    cell_id: int | None
    address: str | None
    return_reason: str | None
    bag: str | None


class _Plan:
    """Checked moves as row updates and journal entries, written once all of them are checked."""

    def __init__(self, conn: sqlite3.Connection, stamp: Stamp) -> None:
        self.conn = conn
        self.stamp = stamp
        self.cells: dict[str, int] = {}  # address -> id, looked up once per batch
        self.updates: list[tuple[str, tuple[Any, ...]]] = []
        self.events: list[Entry] = []

    def add(self, m: Move, parcel: _Parcel) -> None:
        """Check one move, add its row update and its event; `parcel` is then as after the move."""
        src = parcel.state
        to = m.to
        ts = self.stamp.ts
        PARCEL.check(src, to)
        cell_id, address = self._target_cell(m, parcel)
        reason = None if to is ParcelState.STORED else _given(m.reason, parcel.return_reason)
        bag = None if to in _OUT_OF_BAG else _given(m.bag, parcel.bag)
        # Only the columns that do change are set, so that a sweep leaving each parcel in its
        # cell wakes no cell trigger and touches no index of the cell or the bag.
        changed: list[tuple[str, Any]] = []
        if cell_id != parcel.cell_id:
            changed.append(("cell_id", cell_id))
        if reason != parcel.return_reason:
            changed.append(("return_reason", reason))
        if bag != parcel.bag:
            changed.append(("bag", bag))
        if to is ParcelState.ISSUED:
            changed.append(("issued_at", ts))
        sets = "".join(f"{column} = ?, " for column, _ in changed)
        params = (to.value, *(value for _, value in changed), ts, parcel.id)
        self.updates.append((f"UPDATE parcels SET state = ?, {sets}updated_at = ? WHERE id = ?", params))
        data = dict(m.data)
        if parcel.address and parcel.address != address:
            data["from_cell"] = parcel.address
        self.events.append(Entry(m.kind, m.parcel, src.value, to.value, address or parcel.address, data))
        parcel.state = to
        parcel.cell_id = cell_id
        parcel.address = address
        parcel.return_reason = reason
        parcel.bag = bag

    def write(self) -> None:
        """The row updates in order, a run of one shape as one statement; then the events."""
        for sql, run in groupby(self.updates, key=itemgetter(0)):
            self.conn.executemany(sql, [params for _, params in run])
        append_all(self.conn, self.stamp, self.events)

    def _target_cell(self, m: Move, parcel: _Parcel) -> tuple[int | None, str | None]:
        """The cell a parcel is in after the move: the named one, the one it is in, or none."""
        if m.to not in IN_CELL:
            return None, None
        address = m.cell or parcel.address
        if address is None:
            if m.to is ParcelState.STORED:
                raise MoveError(f"{m.parcel}: stored needs a cell")
            return None, None
        if address == parcel.address:
            return parcel.cell_id, address
        if address not in self.cells:
            row = self.conn.execute("SELECT id FROM cells WHERE address = ?", (address,)).fetchone()
            if row is None:
                raise MoveError(f"no cell {address!r} for {m.parcel}")
            self.cells[address] = int(row[0])
        return self.cells[address], address


def _given(value: str | None, current: str | None) -> str | None:
    return current if value is None else value


def _read(conn: sqlite3.Connection, barcodes: Sequence[str]) -> dict[str, _Parcel]:
    found: dict[str, _Parcel] = {}
    for barcode, pid, state, cell_id, address, reason, bag in conn.execute(
        _CURRENT_SQL, (json.dumps(barcodes),)
    ):
        found[barcode] = _Parcel(pid, ParcelState(state), cell_id, address, reason, bag)
    return found
