"""Printed documents of the counter's own work: issue receipt, acceptance act, command card."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from workflows.inputs import Command
from workflows.messages import format_money


def receipt(docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
    order = str(data["order"])
    row = conn.execute("SELECT customer FROM orders WHERE id = ?", (order,)).fetchone()
    blocks = docs.header(stamp)
    blocks += [Text(docs.t("doc_order", order=order), bold=True)]
    if row is not None:
        blocks.append(Text(docs.t("doc_customer", customer=row[0])))
    cods = _cods(conn, [*data["taken"], *data["refused"]])
    blocks.append(Text(docs.t("doc_issued", count=len(data["taken"])), bold=True))
    blocks += [Columns(b, format_money(cods[b], docs.lang) if cods.get(b) else "") for b in data["taken"]]
    if data["refused"]:
        blocks.append(Text(docs.t("doc_refused", count=len(data["refused"])), bold=True))
        blocks += [Text(f"  {b}") for b in data["refused"]]
    blocks.append(Rule())
    paid = int(data["cod_kopecks"])
    if paid:
        blocks.append(Columns(docs.t("doc_paid"), format_money(paid, docs.lang)))
    else:
        blocks.append(Text(docs.t("doc_prepaid")))
    if data["remaining"]:
        blocks.append(Text(docs.t("doc_remaining", count=len(data["remaining"]))))
    blocks += [Feed(), Barcode(order), Text(docs.t("doc_thanks"), align=Align.CENTER)]
    return Document("receipt", docs.t("doc_receipt"), tuple(blocks))


def acceptance_act(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    supply = str(data["supply"])
    srow = conn.execute("SELECT carrier FROM supplies WHERE id = ?", (supply,)).fetchone()
    rows = conn.execute(
        "SELECT barcode, state, surplus, damaged FROM parcels WHERE supply_id = ? ORDER BY barcode",
        (supply,),
    ).fetchall()
    missing = [r["barcode"] for r in rows if r["state"] == "missing"]
    surplus = [r["barcode"] for r in rows if r["surplus"]]
    damaged = [r["barcode"] for r in rows if r["damaged"]]
    expected = sum(1 for r in rows if not r["surplus"])
    accepted = sum(1 for r in rows if r["state"] not in ("expected", "missing") and not r["surplus"])
    packages = conn.execute(
        "SELECT count(*), sum(state = 'accepted') FROM packages WHERE supply_id = ?", (supply,)
    ).fetchone()
    blocks = docs.header(stamp)
    blocks += [
        Text(docs.t("doc_supply", supply=supply, carrier=srow[0] if srow else "-"), bold=True),
        Text(docs.t("doc_counts", expected=expected, accepted=accepted)),
    ]
    if packages[0]:
        blocks.append(Text(docs.t("doc_packages", accepted=packages[1] or 0, total=packages[0])))
    for key, items in (("doc_missing", missing), ("doc_surplus", surplus), ("doc_damaged", damaged)):
        blocks.append(Text(docs.t(key, count=len(items)), bold=True))
        blocks += [Text(f"  {b}") for b in items]
    blocks += [Rule(), Text(docs.t("doc_sign_courier")), Feed(), Text(docs.t("doc_sign_clerk"))]
    blocks += [Feed(), Barcode(supply)]
    return Document("acceptance_act", docs.t("doc_acceptance_act"), tuple(blocks))


def command_card(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """The command card as a print job builds it; it reads nothing from the job or the store."""
    return card(docs)


def card(docs: DocContext) -> Document:
    """Every command barcode with its name, so a headless counter can be driven by scans."""
    blocks: list[Block] = [
        Text(docs.t("doc_point", site=docs.site, device=docs.device_id), align=Align.CENTER),
        Rule(),
    ]
    for command in Command:
        blocks += [Text(docs.t(f"cmd_{command.name}"), bold=True), Barcode(command.barcode), Feed()]
    return Document("command_card", docs.t("doc_command_card"), tuple(blocks))


def _cods(conn: sqlite3.Connection, barcodes: list[str]) -> dict[str, int]:
    if not barcodes:
        return {}
    marks = ",".join("?" * len(barcodes))
    rows = conn.execute(f"SELECT barcode, cod_kopecks FROM parcels WHERE barcode IN ({marks})", barcodes)
    return {r[0]: r[1] for r in rows}
