"""The outbound hand-over's rows: bags opened and handed over."""

from __future__ import annotations

import sqlite3

from device.store.journal import Stamp, append
from workflows.outcome import BagTo


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

