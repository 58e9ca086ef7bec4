"""Printed documents of returns and counts: return label, pick list, hand-over act, inventory report."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import Align, Barcode, Columns, Document, Feed, Rule, Text
from workflows.messages import Msg, return_reason_name, state_name


def return_label(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Stuck on the returned package: its own barcode, what it holds, the check results."""
    blocks = docs.header(stamp)
    if data.get("order"):
        blocks.append(Text(docs.t("doc_order", order=str(data["order"])), bold=True))
    blocks.append(Text(docs.t("doc_returned_from")))
    blocks += [Text(f"  {b}") for b in data["parcels"]]
    if data.get("request"):
        blocks.append(Text(docs.t("doc_request", request=str(data["request"]))))
    if data.get("reason"):
        blocks.append(Text(docs.t("doc_return_reason", reason=str(data["reason"]))))
    for check, ok in dict(data["checks"]).items():
        result = docs.t("doc_yes") if ok else docs.t("doc_no")
        blocks.append(Text(docs.t("doc_check", check=Msg(f"check_{check}").render(docs.lang), result=result)))
    blocks += [
        Feed(),
        Barcode(str(data["barcode"])),
        Text(str(data["barcode"]), bold=True, align=Align.CENTER),
    ]
    return Document("return_label", docs.t("doc_return_label"), tuple(blocks))


def pick_list(docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
    rows = conn.execute(
        "SELECT p.barcode, c.address, p.return_reason FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id "
        "WHERE p.state = 'to_return' ORDER BY c.address, p.barcode"
    ).fetchall()
    blocks = docs.header(stamp)
    blocks += [
        Columns(f"{r['address'] or docs.t('doc_no_cell')}  {r['barcode']}", _why(docs, r["return_reason"]))
        for r in rows
    ]
    # Drop-offs and sends wait in no cell: listed after the returns, found by their kind.
    waiting = conn.execute(
        "SELECT barcode, kind FROM parcels WHERE state = 'outbound' ORDER BY barcode"
    ).fetchall()
    if waiting:
        blocks.append(Text(docs.t("doc_waiting_courier", count=len(waiting)), bold=True))
        blocks += [Columns(r["barcode"], _leaves(docs, r["kind"], None)) for r in waiting]
    blocks += [Rule(), Text(docs.t("doc_total", count=len(rows) + len(waiting)), bold=True)]
    return Document("pick_list", docs.t("doc_pick_list"), tuple(blocks))


def _why(docs: DocContext, reason: str | None) -> str:
    """Why a parcel goes back, in words; nothing when the store does not say."""
    return "" if not reason else return_reason_name(reason).render(docs.lang)


# Whose copy of the hand-over act; what a shipment that is not a return is.
_COPY_FOR = {"point": "doc_copy_for_point", "courier": "doc_copy_for_courier"}
_LEAVES = {"dropoff": "doc_leaves_dropoff", "send": "doc_leaves_send"}


def handover_act(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Signed by the courier and the clerk: every parcel by bag, each with why it leaves.

    Two copies print, one for the point and one for the courier; each says whose it is.
    """
    bags = {str(b): [str(p) for p in ps] for b, ps in dict(data["bags"]).items()}
    parcels = [p for ps in bags.values() for p in ps]
    marks = ",".join("?" * len(parcels))
    rows = conn.execute(
        f"SELECT barcode, kind, return_reason FROM parcels WHERE barcode IN ({marks})", parcels
    ).fetchall()
    why = {r["barcode"]: _leaves(docs, r["kind"], r["return_reason"]) for r in rows}
    blocks = docs.header(stamp)
    whose = _COPY_FOR[str(data.get("copy_for", "point"))]
    blocks.append(Text(docs.t(whose), align=Align.CENTER))
    for bag, inside in bags.items():
        blocks.append(Text(docs.t("doc_bag_count", bag=bag, count=len(inside)), bold=True))
        blocks += [Columns(b, why.get(b, "")) for b in inside]
    blocks += [Rule(), Text(docs.t("doc_total", count=len(parcels)), bold=True), Feed()]
    courier = data.get("courier")
    if courier:
        blocks.append(Text(docs.t("doc_courier", name=str(courier["name"]), company=str(courier["company"]))))
        blocks.append(Text(docs.t("doc_courier_code", code=str(courier["code"]))))
    blocks += [Text(docs.t("doc_sign_courier")), Feed()]
    clerk = _clerk(conn, stamp.clerk)
    if clerk:
        blocks.append(Text(docs.t("doc_clerk", name=clerk)))
    blocks += [Text(docs.t("doc_sign_clerk")), Feed()]
    return Document("handover_act", docs.t("doc_handover_act"), tuple(blocks))


def _leaves(docs: DocContext, kind: str, reason: str | None) -> str:
    """Why a parcel leaves, in words: a return's reason, or what kind of shipment it is."""
    return docs.t(_LEAVES[kind]) if kind in _LEAVES else _why(docs, reason)


def _clerk(conn: sqlite3.Connection, badge: str | None) -> str | None:
    row = (
        None
        if badge is None
        else conn.execute("SELECT name FROM clerks WHERE badge = ?", (badge,)).fetchone()
    )
    return None if row is None else str(row[0])


def inventory_report(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    blocks = docs.header(stamp)
    counted, left = len(data["cells_counted"]), len(data["cells_not_counted"])
    blocks.append(Text(docs.t("doc_inv_cells", counted=counted, left=left)))
    blocks.append(Text(docs.t("doc_inv_found", count=len(data["found"])), bold=True))
    blocks.append(Text(docs.t("doc_inv_misplaced", count=len(data["misplaced"])), bold=True))
    blocks += [
        Text(f"  {m['parcel']}: {m['was'] or docs.t('doc_no_cell')} -> {m['found']}")
        for m in data["misplaced"]
    ]
    blocks.append(Text(docs.t("doc_inv_missing", count=len(data["missing"])), bold=True))
    blocks += [Text(f"  {m['parcel']} ({m['cell']})") for m in data["missing"]]
    blocks.append(Text(docs.t("doc_inv_unknown", count=len(data["unknown"])), bold=True))
    blocks += [
        Text(f"  {u['code']}" + (f" ({state_name(u['state']).render(docs.lang)})" if u["state"] else ""))
        for u in data["unknown"]
    ]
    blocks += [Rule(), Text(docs.t("doc_sign_clerk"))]
    return Document("inventory_report", docs.t("doc_inventory_report"), tuple(blocks))
