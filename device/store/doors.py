"""Locker door commands and the doors' last known state (migration 0009).

A command row is written inside the deciding transaction (`record_open`); the door controller
then moves it through `sent` to its result in transactions of its own.
"""

from __future__ import annotations

import sqlite3

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
