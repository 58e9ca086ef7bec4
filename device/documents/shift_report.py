"""The printed shift report: the document of kind "shift_report" in device.documents.registry."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from device.documents.base import DocContext
from device.reports.build import shift_report
from device.reports.text import shift_header, waits_line
from device.reports.types import ClerkRow
from device.store.journal import Stamp
from drivers.document import Align, Block, Columns, Document, Feed, Rule, Text
from workflows.messages import format_money

WORK = ("accepted", "placed", "issued", "refused", "customer_returns", "returned", "inventory")


def shift_report_document(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Header with the clerk, station and times; the clerk's counts, COD, refusals, waits."""
    rep = shift_report(conn, int(data["shift"]), now=datetime.fromisoformat(stamp.ts), tz=docs.tz)
    lang = docs.lang
    head = shift_header(rep, lang)
    blocks: list[Block] = [
        Text(docs.t("doc_point", site=docs.site, device=docs.device_id), align=Align.CENTER),
        Text(docs.t("doc_date", ts=docs.when(stamp.ts))),
        Rule(),
        *(Text(line) for line in head[1:]),
        Rule(),
        Text(docs.t("rep_work"), bold=True),
    ]
    row: Mapping[str, object] = next(
        (c for c in rep["clerks"] if c["badge"] == rep["shift"]["badge"]), _no_work()
    )
    blocks += [Columns(docs.t(f"rep_col_{key}"), str(row[key])) for key in WORK]
    cod = rep["cod"]
    blocks += [
        Rule(),
        Text(docs.t("rep_cod"), bold=True),
        Columns(docs.t("rep_col_amount"), format_money(cod["total_kopecks"], lang)),
        Columns(docs.t("rep_col_cash"), format_money(cod["cash_kopecks"], lang)),
        Columns(docs.t("rep_col_card"), format_money(cod["card_kopecks"], lang)),
        Columns(docs.t("rep_col_cod_orders"), str(cod["orders"])),
        Rule(),
        Text(docs.t("rep_refusals", count=len(rep["refusals"])), bold=True),
    ]
    blocks += [Columns(r["order"] or "-", r["parcel"]) for r in rep["refusals"]]
    blocks += [
        Rule(),
        Text(docs.t("rep_waits"), bold=True),
        Text(waits_line(rep, lang)),
        Rule(),
        Text(docs.t("rep_events", count=rep["events"])),
        Feed(),
        Text(docs.t("rep_sign_clerk")),
    ]
    return Document("shift_report", head[0], tuple(blocks))


def _no_work() -> ClerkRow:
    return ClerkRow(
        badge="",
        name="",
        accepted=0,
        placed=0,
        issued=0,
        refused=0,
        customer_returns=0,
        returned=0,
        inventory=0,
        events=0,
        kinds={},
    )
