"""Every document the device prints, by kind: the one table the print queue builds documents from."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from device.documents import (
    cell_labels,
    counter,
    dropoff,
    lifecycle,
    screen_pair,
    send,
    shift_report,
    test_page,
    ticket_label,
)
from device.documents.base import Builder, DocContext
from device.store.journal import Stamp
from drivers.document import Document

BUILDERS: Mapping[str, Builder] = {
    "receipt": counter.receipt,
    "acceptance_act": counter.acceptance_act,
    "command_card": counter.command_card,
    "dropoff_act": dropoff.dropoff_act,
    "return_label": lifecycle.return_label,
    "pick_list": lifecycle.pick_list,
    "handover_act": lifecycle.handover_act,
    "inventory_report": lifecycle.inventory_report,
    "shift_report": shift_report.shift_report_document,
    "cell_labels": cell_labels.cell_labels,
    "test_page": test_page.printer_test_page,
    "screen_pair": screen_pair.screen_pair,
    "send_label": send.send_label,
    "send_receipt": send.send_receipt,
    "ticket_label": ticket_label.ticket_label,
}


class UnknownDocument(KeyError):
    """A print job names a kind of document this version does not build."""


class Documents(DocContext):
    """Builds each printable document in the configured language."""

    def build(self, kind: str, data: Mapping[str, Any], conn: sqlite3.Connection, stamp: Stamp) -> Document:
        try:
            builder = BUILDERS[kind]
        except KeyError:
            raise UnknownDocument(f"no document of kind {kind!r}") from None
        return builder(self, data, conn, stamp)

    def command_card(self) -> Document:
        """The card of command barcodes; it reads nothing from the store."""
        return counter.card(self)
