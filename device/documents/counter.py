"""Printed documents built from the store: issue receipt, acceptance act, command card."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from device.store.journal import Stamp
from drivers.printer.document import Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from workflows.inputs import Command
from workflows.messages import Msg, format_money

Builder = Callable[["Documents", Mapping[str, Any], sqlite3.Connection, Stamp], Document]
# Documents that other modules build (reports, lifecycle acts); they register here.
BUILDERS: dict[str, Builder] = {}


def builds(kind: str) -> Callable[[Builder], Builder]:
    def register(func: Builder) -> Builder:
        if kind in BUILDERS:
            raise KeyError(f"document kind {kind!r} registered twice")
        BUILDERS[kind] = func
        return func

    return register


class Documents:
    """Builds each printable document in the configured language."""

    def __init__(self, *, site: str, device_id: str, lang: str) -> None:
        self.site = site
        self.device_id = device_id
        self.lang = lang

    def t(self, key: str, **params: str | int) -> str:
        return Msg(key, params).render(self.lang)

    def build(self, kind: str, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
        if kind in BUILDERS:
            return BUILDERS[kind](self, data, conn, stamp)
        if kind == "receipt":
            return self.receipt(data, conn, stamp)
        if kind == "acceptance_act":
            return self.acceptance_act(str(data["supply"]), conn, stamp)
        if kind == "command_card":
            return self.command_card()
        raise ValueError(f"no document of kind {kind!r}")

    def _header(self, stamp: Stamp) -> list[Block]:
        """Where and when; the printer prints the document's title above it."""
        return [
            Text(self.t("doc_point", site=self.site, device=self.device_id), align=Align.CENTER),
            Text(self.t("doc_date", ts=stamp.ts[:16].replace("T", " "))),
            Text(self.t("doc_station", station=stamp.station or "-")),
            Rule(),
        ]

    def receipt(self, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
        order = str(data["order"])
        row = conn.execute("SELECT customer FROM orders WHERE id = ?", (order,)).fetchone()
        blocks = self._header(stamp)
        blocks += [Text(self.t("doc_order", order=order), bold=True)]
        if row is not None:
            blocks.append(Text(self.t("doc_customer", customer=row[0])))
        cods = _cods(conn, [*data["taken"], *data["refused"]])
        blocks.append(Text(self.t("doc_issued", count=len(data["taken"])), bold=True))
        blocks += [Columns(b, format_money(cods[b], self.lang) if cods.get(b) else "") for b in data["taken"]]
        if data["refused"]:
            blocks.append(Text(self.t("doc_refused", count=len(data["refused"])), bold=True))
            blocks += [Text(f"  {b}") for b in data["refused"]]
        blocks.append(Rule())
        paid = int(data["cod_kopecks"])
        if paid:
            blocks.append(Columns(self.t("doc_paid"), format_money(paid, self.lang)))
        else:
            blocks.append(Text(self.t("doc_prepaid")))
        if data["remaining"]:
            blocks.append(Text(self.t("doc_remaining", count=len(data["remaining"]))))
        blocks += [Feed(), Barcode(order), Text(self.t("doc_thanks"), align=Align.CENTER)]
        return Document("receipt", self.t("doc_receipt"), tuple(blocks))

    def acceptance_act(self, supply: str, conn: sqlite3.Connection, stamp: Stamp) -> Document:
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
        blocks = self._header(stamp)
        blocks += [
            Text(self.t("doc_supply", supply=supply, carrier=srow[0] if srow else "-"), bold=True),
            Text(self.t("doc_counts", expected=expected, accepted=accepted)),
        ]
        if packages[0]:
            blocks.append(Text(self.t("doc_packages", accepted=packages[1] or 0, total=packages[0])))
        for key, items in (("doc_missing", missing), ("doc_surplus", surplus), ("doc_damaged", damaged)):
            blocks.append(Text(self.t(key, count=len(items)), bold=True))
            blocks += [Text(f"  {b}") for b in items]
        blocks += [Rule(), Text(self.t("doc_sign_courier")), Feed(), Text(self.t("doc_sign_clerk"))]
        blocks += [Feed(), Barcode(supply)]
        return Document("acceptance_act", self.t("doc_acceptance_act"), tuple(blocks))

    def command_card(self) -> Document:
        """Every command barcode with its name, so a headless counter can be driven by scans."""
        blocks: list[Block] = [
            Text(self.t("doc_point", site=self.site, device=self.device_id), align=Align.CENTER),
            Rule(),
        ]
        for command in Command:
            blocks += [Text(self.t(f"cmd_{command.name}"), bold=True), Barcode(command.barcode), Feed()]
        return Document("command_card", self.t("doc_command_card"), tuple(blocks))


def _cods(conn: sqlite3.Connection, barcodes: list[str]) -> dict[str, int]:
    if not barcodes:
        return {}
    marks = ",".join("?" * len(barcodes))
    rows = conn.execute(f"SELECT barcode, cod_kopecks FROM parcels WHERE barcode IN ({marks})", barcodes)
    return {r[0]: r[1] for r in rows}


# Feature modules register their document builders on import; they need `builds` above.
from device.documents import cell_labels, lifecycle, shift_report, test_page  # noqa: E402, F401
