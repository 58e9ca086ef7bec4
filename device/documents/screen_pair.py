"""The pairing slip: a QR code a tablet's camera opens to show one station's screen.

Printed on the station's own printer, so whoever pairs a tablet stands at that counter. The
slip carries the token in clear; the print queue blanks the stored job once it printed
(device/store/print_queue.py, SECRET_KINDS).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents.base import DocContext
from device.store.journal import Stamp
from drivers.document import QR, Align, Document, Feed, Rule, Text

KIND = "screen_pair"


def screen_pair(
    docs: DocContext, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp
) -> Document:
    """Data: {"station": name, "label": the tablet's name, "url": the pairing URL, "token": its id}."""
    station = str(data["station"])
    url = str(data["url"])
    return Document(
        KIND,
        docs.t("doc_screen_pair"),
        (
            *docs.header(stamp),
            Text(docs.t("pair_station", station=station), bold=True),
            Text(docs.t("pair_label", label=str(data.get("label") or "-"))),
            Text(docs.t("pair_count", count=_paired(conn, station))),
            Rule(),
            Text(docs.t("pair_scan")),
            Feed(),
            QR(url),
            Feed(),
            Text(docs.t("pair_or_type")),
            Text(url, align=Align.CENTER),
            Rule(),
            Text(docs.t("pair_keep", token=str(data.get("token") or "ID"))),
        ),
    )


def _paired(conn: sqlite3.Connection, station: str) -> int:
    """Tokens that open the station now, this one included: an unexpected number is worth a look."""
    row = conn.execute(
        "SELECT count(*) FROM screen_tokens WHERE station = ? AND revoked_at IS NULL", (station,)
    ).fetchone()
    return int(row[0])
