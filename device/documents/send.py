"""The documents of a customer's send: the shipping label stuck on the parcel and the sender's receipt."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import QR, Align, Barcode, Block, Document, Feed, Rule, Text


def _facts(docs: DocContext, data: Mapping[str, Any]) -> list[Block]:
    length, width, height = (int(s) for s in data["sides_cm"])
    return [
        Text(docs.t("doc_send_to", point=str(data["to"])), bold=True),
        Text(docs.t("doc_send_sender", sender=str(data["sender"]))),
        Text(docs.t("doc_send_weight", weight=int(data["weight_g"]))),
        Text(docs.t("doc_send_sides", length=length, width=width, height=height)),
    ]


def send_label(docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
    """Stuck on the parcel: the shipment's Code128 for the sorting line, its QR for a phone, where it goes."""
    shipment = str(data["parcel"])
    blocks: list[Block] = [
        Text(shipment, bold=True, align=Align.CENTER),
        *_facts(docs, data),
        Feed(),
        Barcode(shipment),
        QR(shipment),
    ]
    return Document("send_label", docs.t("doc_send_label"), tuple(blocks))


def send_receipt(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """The sender's proof the point took the parcel: the shipment, what was measured, when and where."""
    shipment = str(data["parcel"])
    blocks = docs.header(stamp)
    blocks += [Text(shipment, bold=True), *_facts(docs, data), Rule(), Text(docs.t("doc_send_keep"))]
    return Document("send_receipt", docs.t("doc_send_receipt"), tuple(blocks))
