"""The label stuck on a parcel whose barcode no manifest lists: a local barcode that scans back to it."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import Align, Barcode, Document, Feed, Text
from workflows.tickets import LABEL_PREFIX


def ticket_label(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """The ticket's number, the parcel's own barcode, what to do, and the local Code128."""
    ticket = str(data["ticket"])
    row = conn.execute("SELECT id, parcel FROM tickets WHERE ticket_id = ?", (ticket,)).fetchone()
    # The device's own number of the ticket: short enough for a Code128 on 58 mm paper.
    local = f"{LABEL_PREFIX}{row[0]:05d}"
    blocks = docs.header(stamp)
    blocks += [
        Text(docs.t("doc_ticket", ticket=ticket), bold=True),
        Text(docs.t("doc_ticket_barcode", barcode=str(row[1] or ""))),
        Text(docs.t("doc_ticket_stick")),
        Feed(),
        Barcode(local),
        Text(local, bold=True, align=Align.CENTER),
    ]
    return Document("ticket_label", docs.t("doc_ticket_label"), tuple(blocks))
