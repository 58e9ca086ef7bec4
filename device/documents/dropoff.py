"""The act of a seller's drop-off: what the point received, for the seller and the clerk to sign.

Printed twice at DONE (workflows/dropoff.py): each copy says whose it is, so the two never mix.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import Barcode, Columns, Document, Feed, Rule, Text


def dropoff_act(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Seller, date, point; each shipment received (with its label), missing and surplus; signatures."""
    dropoff = str(data["dropoff"])
    copy, copies = int(data.get("copy", 1)), int(data.get("copies", 1))
    row = conn.execute("SELECT seller_name FROM dropoffs WHERE id = ?", (dropoff,)).fetchone()
    rows = conn.execute(
        "SELECT barcode, posting, state, surplus FROM parcels WHERE dropoff = ? ORDER BY barcode", (dropoff,)
    ).fetchall()
    listed = [r for r in rows if not r["surplus"]]
    received = [r for r in listed if r["state"] not in ("expected", "missing")]
    missing = [r for r in listed if r["state"] == "missing"]
    surplus = [r for r in rows if r["surplus"]]
    whose = docs.t("doc_copy_seller" if copy == 1 else "doc_copy_point")
    blocks = docs.header(stamp)
    blocks += [
        Text(docs.t("doc_copy_of", copy=copy, copies=copies, whose=whose)),
        Text(docs.t("doc_dropoff", dropoff=dropoff), bold=True),
        Text(docs.t("doc_seller", seller=row[0] if row else "-")),
        Text(docs.t("doc_dropoff_counts", expected=len(listed), received=len(received))),
    ]
    for key, items in (("doc_received", received), ("doc_missing", missing), ("doc_surplus", surplus)):
        blocks.append(Text(docs.t(key, count=len(items)), bold=True))
        blocks += [Columns(f"  {r['barcode']}", r["posting"] or "") for r in items]
    blocks += [Rule(), Text(docs.t("doc_sign_seller")), Feed(), Text(docs.t("doc_sign_clerk"))]
    blocks += [Feed(), Barcode(dropoff)]
    return Document("dropoff_act", docs.t("doc_dropoff_act"), tuple(blocks))
