"""The cell labels document: one label per cell, its address big, its scan barcode and its zone."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import Align, Barcode, Block, Document, Feed, Rule, Text
from workflows.messages import zone_name


def cell_labels(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Labels to stick on the rack, cut apart along the rules; data {"cells": [addresses]} or all cells."""
    wanted = [str(a) for a in data.get("cells") or []]
    rows = conn.execute("SELECT address, label, size, zone FROM cells ORDER BY address").fetchall()
    if wanted:
        by_address = {r["address"]: r for r in rows}
        rows = [by_address[a] for a in dict.fromkeys(wanted) if a in by_address]
    blocks: list[Block] = []
    for row in rows:
        blocks += [
            Text(row["address"], bold=True, double=True, align=Align.CENTER),
            Barcode(row["label"]),
            Text(docs.t("doc_cell_zone", zone=zone_name(row["zone"]), size=row["size"]), align=Align.CENTER),
            Feed(),
            Rule(),
        ]
    unknown = [a for a in dict.fromkeys(wanted) if a not in {r["address"] for r in rows}]
    if unknown:
        blocks.append(Text(docs.t("doc_cells_unknown", cells=", ".join(unknown)), bold=True))
    return Document("cell_labels", docs.t("doc_cell_labels"), tuple(blocks))
