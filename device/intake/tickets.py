"""Central's answer to a ticket: the resolution a support operator wrote, recorded on the device.

It comes as an inbox message of type "ticket_resolution" (sync/inbox.py), so it is checked whole,
applied once, and its outcome recorded and published like a manifest's.
"""

from __future__ import annotations

import sqlite3
from typing import Annotated

import msgspec

from device.exc import ManifestError
from device.store.journal import Stamp
from device.store.tickets import resolve_ticket

TicketId = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"\A[!-~]+\Z")]
# What the clerk reads on the screen and in `pvz tickets show`: one paragraph of plain text.
ResolutionText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=500, pattern=r"\A[^\x00-\x1f\x7f-\x9f]+\Z")
]


class Resolution(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    ticket: TicketId
    text: ResolutionText


def apply_resolution(conn: sqlite3.Connection, body: Resolution, stamp: Stamp, *, root: str = "$") -> bool:
    """Resolve the ticket inside the caller's transaction; False when it was already resolved.

    A ticket this device never opened is refused with unknown_reference at `root`.ticket.
    """
    state = conn.execute("SELECT state FROM tickets WHERE ticket_id = ?", (body.ticket,)).fetchone()
    if state is None:
        raise ManifestError.at(
            f"{root}.ticket",
            "unknown_reference",
            f"no ticket {body.ticket} on this device",
            what="resolution",
        )
    return resolve_ticket(conn, stamp, body.ticket, body.text)
