"""Printed documents of the counter's own work: issue receipt, acceptance act, command card."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from workflows.customer import masked_name, shown_phone
from workflows.inputs import Command
from workflows.issue_words import paid_how
from workflows.messages import format_money, return_reason_name
from workflows.parcel import ParcelState


def receipt(docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
    """What the customer takes away: what was handed over, refused and not handed over, and why;
    how it was paid, who handed it over and where. Not a fiscal receipt: it says so."""
    order = str(data["order"])
    row = conn.execute("SELECT customer, phone_tail FROM orders WHERE id = ?", (order,)).fetchone()
    blocks = docs.header(stamp)
    blocks += [Text(docs.t("doc_order", order=order), bold=True)]
    if row is not None:
        blocks.append(Text(docs.t("doc_customer", customer=masked_name(row["customer"]))))
        phone = shown_phone(row["phone_tail"])
        if phone is not None:
            blocks.append(Text(docs.t("doc_phone", phone=phone)))
    parcels = _parcels(conn, order)
    taken = [str(b) for b in data["taken"]]
    refused = [str(b) for b in data["refused"]]
    blocks.append(Text(docs.t("doc_issued", count=len(taken)), bold=True))
    for barcode in taken:
        p = parcels.get(barcode)
        cod = format_money(p["cod_kopecks"], docs.lang) if p is not None and p["cod_kopecks"] else ""
        blocks.append(Columns(barcode, cod))
        if p is not None and p["damaged"]:
            blocks.append(Text(_NOTE + docs.t("rcp_damaged")))
    if refused:
        blocks.append(Text(docs.t("doc_refused", count=len(refused)), bold=True))
        blocks += [Text(f"  {b}") for b in refused]
    # Everything else of the order the customer has not had: kept here, on its way, or going back.
    handed = set(taken) | set(refused)
    kept = [p for b, p in parcels.items() if b not in handed and p["state"] != ParcelState.ISSUED.value]
    if kept:
        blocks.append(Text(docs.t("rcp_not_handed", count=len(kept)), bold=True))
        for p in kept:
            blocks += [Text(f"  {p['barcode']}"), Text(_NOTE + _not_handed(docs, p))]
    blocks.append(Rule())
    paid = int(data["cod_kopecks"])
    if paid:
        how = paid_how(data.get("payment"))
        blocks.append(Columns(docs.t("rcp_paid", method=how), format_money(paid, docs.lang)))
    else:
        blocks.append(Text(docs.t("doc_prepaid")))
    clerk = _clerk_name(conn, stamp.clerk)
    if clerk:
        blocks.append(Text(docs.t("rcp_clerk", name=clerk)))
    if docs.address:
        blocks.append(Text(docs.t("rcp_address", address=docs.address)))
    blocks += [Text(docs.t("rcp_not_fiscal")), Feed(), Barcode(order)]
    blocks.append(Text(docs.t("doc_thanks"), align=Align.CENTER))
    return Document("receipt", docs.t("doc_receipt"), tuple(blocks))


_NOTE = "    "  # a note under a parcel's line is indented further than the parcel


def _parcels(conn: sqlite3.Connection, order: str) -> dict[str, sqlite3.Row]:
    rows = conn.execute(
        "SELECT barcode, state, cod_kopecks, damaged, deadline, return_reason FROM parcels "
        "WHERE order_id = ? ORDER BY barcode",
        (order,),
    )
    return {r["barcode"]: r for r in rows}


def _not_handed(docs: DocContext, p: sqlite3.Row) -> str:
    """Why a parcel of the order stays behind, as the customer reads it."""
    state = ParcelState(p["state"])
    if state is ParcelState.STORED:
        if p["deadline"]:
            return docs.t("rcp_kept_until", date=str(p["deadline"]))
        return docs.t("rcp_kept")
    if state is ParcelState.EXPECTED:
        return docs.t("rcp_on_the_way")
    if state is ParcelState.ACCEPTED:
        return docs.t("rcp_not_placed")
    if state is ParcelState.MISSING:
        return docs.t("rcp_not_arrived")
    return docs.t("rcp_going_back", reason=return_reason_name(p["return_reason"]))


def _clerk_name(conn: sqlite3.Connection, badge: str | None) -> str | None:
    if badge is None:
        return None
    row = conn.execute("SELECT name FROM clerks WHERE badge = ?", (badge,)).fetchone()
    return None if row is None else str(row[0])


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
        # A rule after each command: cut apart, or one tile each on an office sheet.
        blocks += [Text(docs.t(f"cmd_{command.name}"), bold=True), Barcode(command.barcode), Feed(), Rule()]
    return Document("command_card", docs.t("doc_command_card"), tuple(blocks))
