"""The outbound hand-over's rows: bags opened and handed over, a courier marked collected."""

from __future__ import annotations

import sqlite3

from device.store.journal import Stamp, append
from workflows.machine import WorkflowError
from workflows.outcome import BagTo, CourierCollected


def bag_to(conn: sqlite3.Connection, effect: BagTo, stamp: Stamp) -> None:
    barcode, state = effect.barcode, effect.state
    conn.execute(
        "INSERT INTO outbound_bags (barcode, state, station, opened_at) VALUES (?, 'open', ?, ?) "
        "ON CONFLICT (barcode) DO UPDATE SET state = excluded.state",
        (barcode, stamp.station, stamp.ts),
    )
    if state != "open":
        conn.execute(
            "UPDATE outbound_bags SET state = ?, handed_over_at = ? WHERE barcode = ?",
            (state, stamp.ts, barcode),
        )
    append(conn, stamp, f"bag_{state}", data={"bag": barcode})


def collected(conn: sqlite3.Connection, effect: CourierCollected, stamp: Stamp) -> None:
    """The courier took the bags: their code is no longer expected; the journal tells the hub."""
    cur = conn.execute(
        "UPDATE couriers SET state = 'collected', collected_at = ? WHERE code = ? AND state = 'expected'",
        (stamp.ts, effect.code),
    )
    if cur.rowcount != 1:
        raise WorkflowError(f"no expected courier {effect.code}")
    data = {"courier": effect.code, "bags": list(effect.bags), "parcels": effect.parcels}
    append(conn, stamp, "courier_collected", data=data)
