"""Locker door commands and the doors' last known state (migration 0009).

A command row is written inside the deciding transaction (`record_open`); the door controller
then moves it through `sent` to its result in transactions of its own.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from device.store.clock import utc_text
from device.store.journal import Stamp
from workflows.outcome import OpenDoor

PURPOSES = frozenset({"issue", "reopen", "service", "placement"})


def record_open(conn: sqlite3.Connection, effect: OpenDoor, stamp: Stamp) -> int:
    """The command to open one door, pending until the controller fires it; its row id."""
    if effect.purpose not in PURPOSES:
        raise ValueError(f"unknown door command purpose {effect.purpose!r}")
    cur = conn.execute(
        "INSERT INTO door_commands (station, cell, door, order_id, purpose, state, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
        (
            stamp.station,
            effect.cell,
            effect.door,
            effect.order,
            effect.purpose,
            stamp.ts,
            utc_text(effect.expires_at),
        ),
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


# What the door controller (device/doors/) reads and writes, each in a transaction of its own.

LIVE = ("pending", "sent")  # not yet answered: at a start, in flight when the power went
RESULTS = frozenset(
    {"opened", "already_open", "jammed", "not_verified", "failed", "expired", "interrupted", "refused"}
)


@dataclass(frozen=True, slots=True)
class DoorCommand:
    """One row of door_commands, as the controller acts on it."""

    id: int
    station: str
    cell: str
    door: int
    order: str | None
    purpose: str
    state: str
    expires_at: str


_COMMAND = "SELECT id, station, cell, door, order_id, purpose, state, expires_at FROM door_commands"


def _command(row: sqlite3.Row | tuple[object, ...]) -> DoorCommand:
    cid, station, cell, door, order, purpose, state, expires = tuple(row)
    return DoorCommand(
        int(str(cid)),
        str(station),
        str(cell),
        int(str(door)),
        None if order is None else str(order),
        str(purpose),
        str(state),
        str(expires),
    )


def pending_commands(conn: sqlite3.Connection) -> list[DoorCommand]:
    """The commands decided and not yet fired, oldest first: the order they were decided in."""
    return [_command(r) for r in conn.execute(_COMMAND + " WHERE state = 'pending' ORDER BY id")]


def live_commands(conn: sqlite3.Connection) -> list[DoorCommand]:
    return [_command(r) for r in conn.execute(_COMMAND + " WHERE state IN ('pending', 'sent') ORDER BY id")]


def get_command(conn: sqlite3.Connection, command: int) -> DoorCommand | None:
    row = conn.execute(_COMMAND + " WHERE id = ?", (command,)).fetchone()
    return None if row is None else _command(row)


def mark_sent(conn: sqlite3.Connection, command: int, ts: str) -> bool:
    """pending → sent, before the lock fires; False if it was not pending (answered meanwhile)."""
    cur = conn.execute(
        "UPDATE door_commands SET state = 'sent', sent_at = ? WHERE id = ? AND state = 'pending'",
        (ts, command),
    )
    return cur.rowcount == 1


def finish_command(conn: sqlite3.Connection, command: int, state: str, ts: str) -> bool:
    """A live command's result; False if it was already answered (a result is written once)."""
    if state not in RESULTS:
        raise ValueError(f"unknown door command result {state!r}")
    cur = conn.execute(
        "UPDATE door_commands SET state = ?, done_at = ? WHERE id = ? AND state IN ('pending', 'sent')",
        (state, ts, command),
    )
    return cur.rowcount == 1


def other_parcels(conn: sqlite3.Connection, cell: str, order: str | None) -> int:
    """How many parcels lie in `cell` that are not of `order` (every parcel when `order` is None)."""
    row = conn.execute(
        "SELECT count(*) FROM parcels p JOIN cells c ON c.id = p.cell_id "
        "WHERE c.address = ? AND (? IS NULL OR p.order_id IS NOT ?)",
        (cell, order, order),
    ).fetchone()
    return int(row[0])


def door_cells(conn: sqlite3.Connection, zone: str) -> dict[int, str]:
    """The locker's cells by door: a cell of `zone` has the door numbered by its light channel."""
    return {
        int(r[0]): str(r[1])
        for r in conn.execute("SELECT channel, address FROM cells WHERE zone = ?", (zone,))
    }


def door_cell(conn: sqlite3.Connection, zone: str, door: int) -> str | None:
    """The address of the cell with door `door` (its channel, a unique key), if it is in `zone`."""
    row = conn.execute("SELECT address FROM cells WHERE channel = ? AND zone = ?", (door, zone)).fetchone()
    return None if row is None else str(row[0])


def parcels_by_cell(conn: sqlite3.Connection, zone: str) -> dict[str, int]:
    """How many parcels the store places in each cell of `zone`."""
    rows = conn.execute(
        "SELECT c.address, count(p.id) FROM cells c LEFT JOIN parcels p ON p.cell_id = c.id "
        "WHERE c.zone = ? GROUP BY c.address",
        (zone,),
    )
    return {str(r[0]): int(r[1]) for r in rows}


def door_states(conn: sqlite3.Connection) -> dict[int, str]:
    """What the store last knew of each door (a door never seen has no row: taken as closed)."""
    return {int(r[0]): str(r[1]) for r in conn.execute("SELECT door, state FROM doors")}


def set_door(conn: sqlite3.Connection, door: int, state: str, ts: str) -> None:
    """Remember a door's state; `since` moves only when the state changes."""
    conn.execute(
        "INSERT INTO doors (door, state, since) VALUES (?, ?, ?) "
        "ON CONFLICT (door) DO UPDATE SET state = excluded.state, since = excluded.since "
        "WHERE doors.state != excluded.state",
        (door, state, ts),
    )
