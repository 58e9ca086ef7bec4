"""The exception queue's rows: a ticket opened with its journal event in the caller's transaction,
resolved by central's answer, and read back for the CLI and the screen."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from device.store.clock import utc_text
from device.store.journal import Stamp, append
from workflows.tickets import OpenTicket

_COLUMNS = (
    "ticket_id, kind, parcel, order_id, clerk, station, camera, evidence_from, evidence_to, detail, "
    "state, opened_at, resolved_at, resolution"
)


def open_ticket(conn: sqlite3.Connection, stamp: Stamp, effect: OpenTicket) -> str:
    """Insert the ticket and its ticket_opened event (the outbox); return its id.

    The id is the device's id and a number, so it is unique across the fleet and short enough to
    read out on the phone to support.
    """
    number = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM tickets").fetchone()[0]
    ticket_id = f"{stamp.device_id}-T{number:05d}"
    order = effect.order_id
    if order is None and effect.parcel is not None:
        found = conn.execute("SELECT order_id FROM parcels WHERE barcode = ?", (effect.parcel,)).fetchone()
        order = None if found is None else found[0]
    row = {
        "ticket_id": ticket_id,
        "kind": effect.kind.value,
        "parcel": effect.parcel,
        "order_id": order,
        "clerk": stamp.clerk,
        "station": stamp.station,
        "camera": effect.window.camera,
        "evidence_from": utc_text(effect.window.start),
        "evidence_to": utc_text(effect.window.end),
        "detail": dict(effect.detail),
        "opened_at": utc_text(datetime.fromisoformat(stamp.ts)),
    }
    conn.execute(
        "INSERT INTO tickets (id, ticket_id, kind, parcel, order_id, clerk, station, camera, evidence_from, "
        "evidence_to, detail, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            number,
            ticket_id,
            row["kind"],
            row["parcel"],
            row["order_id"],
            row["clerk"],
            row["station"],
            row["camera"],
            row["evidence_from"],
            row["evidence_to"],
            json.dumps(row["detail"], ensure_ascii=False, sort_keys=True),
            row["opened_at"],
        ),
    )
    data = {k: v for k, v in row.items() if k not in ("clerk", "station", "parcel")}
    append(conn, stamp, "ticket_opened", parcel=effect.parcel, data=data)
    return ticket_id


def resolve_ticket(conn: sqlite3.Connection, stamp: Stamp, ticket_id: str, text: str) -> bool:
    """Record central's resolution and journal ticket_resolved; False (nothing written) when the
    ticket is unknown or already resolved, so a repeated answer changes nothing."""
    cur = conn.execute(
        "UPDATE tickets SET state = 'resolved', resolved_at = ?, resolution = ? "
        "WHERE ticket_id = ? AND state = 'open'",
        (utc_text(datetime.fromisoformat(stamp.ts)), text, ticket_id),
    )
    if cur.rowcount != 1:
        return False
    parcel = conn.execute("SELECT parcel FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()[0]
    append(
        conn,
        stamp,
        "ticket_resolved",
        parcel=parcel,
        data={"ticket_id": ticket_id, "resolution": text},
    )
    return True


def list_tickets(conn: sqlite3.Connection, *, open_only: bool = False) -> list[dict[str, Any]]:
    """Tickets oldest first (the open ones alone with `open_only`)."""
    where = " WHERE state = 'open'" if open_only else ""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM tickets{where} ORDER BY id").fetchall()
    return [_row(r) for r in rows]


def get_ticket(conn: sqlite3.Connection, ticket_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
    return None if row is None else _row(row)


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Open and resolved tickets, for status and the demo's summary."""
    found = dict(conn.execute("SELECT state, count(*) FROM tickets GROUP BY state").fetchall())
    return {"opened": sum(found.values()), "open": found.get("open", 0), "resolved": found.get("resolved", 0)}


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    names = [c.strip() for c in _COLUMNS.split(",")]
    found = dict(zip(names, row, strict=True))
    found["detail"] = json.loads(found["detail"])
    return found
