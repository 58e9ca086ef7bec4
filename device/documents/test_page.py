"""The printer test page: names, both alphabets, styles, a barcode, a QR code and the character set."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import QR, Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from drivers.printer.escpos_render import DEFAULT_PROFILE

RU_PANGRAM = "Съешь же ещё этих мягких французских булок, да выпей чаю."
EN_PANGRAM = "The quick brown fox jumps over the lazy dog."
TEST_BARCODE = "PVZ-TEST-0123"
# The code page table: printable ASCII and CP866 (the Cyrillic code page of the TM-T88V
# profile) from 0x80 up, 32 characters a line; "?" or garbage on paper shows what is missing.
CHARSET_LINES = tuple(
    bytes(b for b in range(start, start + 32) if b != 0x7F).decode("cp866").strip()
    for start in range(0x20, 0x100, 0x20)
)


def printer_test_page(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Data: {"printer": name, "profile": python-escpos profile, "width": columns}; reads no tables."""
    printer = str(data.get("printer") or "-")
    width = int(data.get("width") or 42)
    blocks: list[Block] = [
        Text(docs.t("doc_point", site=docs.site, device=docs.device_id), align=Align.CENTER),
        Text(docs.t("doc_date", ts=docs.when(stamp.ts))),
        Text(docs.t("doc_station", station=stamp.station or "-")),
        Text(docs.t("doc_test_printer", printer=printer), bold=True),
        Text(docs.t("doc_test_profile", profile=str(data.get("profile") or DEFAULT_PROFILE), width=width)),
        Rule(),
        Text(RU_PANGRAM),
        Text(EN_PANGRAM),
        Rule(),
        Text(docs.t("doc_test_styles")),
        Text("Жирный Bold", bold=True),
        Text("Двойной 2x", double=True),
        Text("Центр Centre", align=Align.CENTER),
        Text("Справа Right", align=Align.RIGHT),
        Columns(docs.t("doc_test_total"), "1 234,50 ₽"),
        Rule(),
        Barcode(TEST_BARCODE),
        Feed(),
        QR(f"PVZ test page {docs.device_id} {printer}"),
        Rule(),
        Text(docs.t("doc_test_charset"), bold=True),
        *(Text(line) for line in CHARSET_LINES),
        Rule(),
        Text(docs.t("doc_test_end"), align=Align.CENTER),
    ]
    return Document("test_page", docs.t("doc_test_page"), tuple(blocks))
