"""The hub's exception queue: tickets as the devices opened them, an operator's resolution, and the
resolutions still to be sent back to their device as "ticket_resolution" messages."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import msgspec

from device.store.journal import Event

log = logging.getLogger("pvz.sync.hub")

SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    ticket_id      TEXT PRIMARY KEY,
    site           TEXT NOT NULL,
    device         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    parcel         TEXT,
    order_id       TEXT,
    station        TEXT,
    clerk          TEXT,
    camera         TEXT,
    evidence_from  TEXT NOT NULL,
    evidence_to    TEXT NOT NULL,
    detail         TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open',  -- open, answered (sent to the device), resolved
    resolution     TEXT,
    answered_at    TEXT,
    sent_at        TEXT,
    resolved_at    TEXT
);
CREATE INDEX IF NOT EXISTS tickets_unsent ON tickets (answered_at) WHERE sent_at IS NULL;
"""

STATES = ("open", "answered", "resolved")


class UnknownTicket(KeyError):
    """No ticket of that id at the hub (not opened, or its event not received yet)."""


class AlreadyResolved(ValueError):
    """The device has already recorded a resolution of that ticket."""


def record_events(conn: sqlite3.Connection, site: str, device: str, events: Iterable[Event[Any]]) -> None:
    """Keep the tickets a batch opens or resolves, inside the batch's transaction (a repeat changes nothing)."""
    for e in events:
        try:
            change = ticket_change(site, device, e)
            if change is None:
                continue
            if change[0] == "opened":
                conn.execute(
                    f"INSERT OR IGNORE INTO tickets ({OPENED_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                    change[1],
                )
            else:
                conn.execute(
                    "UPDATE tickets SET state = 'resolved', resolved_at = ?, resolution = ? WHERE ticket_id = ?",
                    change[1],
                )
        except sqlite3.IntegrityError as exc:
            log.warning("%s/%s: event seq %d: ticket not kept: %r", site, device, e.seq, exc)


OPENED_COLUMNS = (
    "ticket_id, site, device, kind, parcel, order_id, station, clerk, camera, evidence_from, evidence_to, "
    "detail, opened_at"
)


def ticket_change(site: str, device: str, e: Event[Any]) -> tuple[str, tuple[Any, ...]] | None:
    """What one event does to the tickets, for either store: ("opened", the OPENED_COLUMNS row),
    ("resolved", (resolved_at, resolution, ticket_id)), or None. A ticket the hub cannot read
    is logged and skipped: it must not hold up the device's events, which are kept."""
    if e.kind not in ("ticket_opened", "ticket_resolved"):
        return None
    try:
        d = json.loads(bytes(e.data))
        if e.kind == "ticket_resolved":
            return "resolved", (e.ts, d.get("resolution"), d["ticket_id"])
        row = (
            d["ticket_id"],
            site,
            device,
            d["kind"],
            e.parcel,
            d.get("order_id"),
            e.station,
            e.clerk,
            d.get("camera"),
            d["evidence_from"],
            d["evidence_to"],
            json.dumps(d.get("detail", {}), ensure_ascii=False, sort_keys=True),
            d["opened_at"],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("%s/%s: event seq %d: ticket not kept: %r", site, device, e.seq, exc)
        return None
    return "opened", row


def list_tickets(conn: sqlite3.Connection, *, state: str | None = None) -> list[dict[str, Any]]:
    where, args = ("WHERE state = ?", (state,)) if state else ("", ())
    cur = conn.execute(f"SELECT * FROM tickets {where} ORDER BY opened_at, ticket_id", args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) | {"detail": json.loads(r[11])} for r in cur.fetchall()]


def resolve(conn: sqlite3.Connection, ticket_id: str, text: str) -> None:
    """An operator's answer: kept, and sent to the device by the running hub (resend_due)."""
    row = conn.execute("SELECT state FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
    if row is None:
        raise UnknownTicket(ticket_id)
    if row[0] == "resolved":
        raise AlreadyResolved(ticket_id)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(
        "UPDATE tickets SET state = 'answered', resolution = ?, answered_at = ?, sent_at = NULL WHERE ticket_id = ?",
        (text, now, ticket_id),
    )


def unsent(conn: sqlite3.Connection) -> list[tuple[str, str, bytes]]:
    """(site, device, message) of every answer not yet published to its device's manifest topic."""
    rows = conn.execute(
        "SELECT site, device, ticket_id, resolution, answered_at FROM tickets "
        "WHERE state = 'answered' AND sent_at IS NULL ORDER BY answered_at"
    ).fetchall()
    return [(r[0], r[1], resolution_message(r[2], r[3], r[4])) for r in rows]


def resolution_message(ticket_id: str, text: str, answered_at: str) -> bytes:
    """The inbox envelope (sync/inbox.py ResolutionMessage); its id is the same for one answer."""
    version = int(datetime.fromisoformat(answered_at).timestamp())
    body = {"ticket": ticket_id, "text": text}
    message = {
        "id": f"t-{ticket_id}-{version}"[:64],
        "type": "ticket_resolution",
        "version": version,
        "body": body,
    }
    return msgspec.json.encode(message)


def now() -> str:
    """An operator's answer and its sending are stamped in UTC seconds, in both stores."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def mark_sent(conn: sqlite3.Connection, message: bytes) -> None:
    ticket = json.loads(message)["body"]["ticket"]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute("UPDATE tickets SET sent_at = ? WHERE ticket_id = ? AND state = 'answered'", (now, ticket))
