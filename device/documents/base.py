"""What every printed document shares: the site and device it is printed at, its language, its header."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from device.store.clock import local_text
from device.store.journal import Stamp
from drivers.document import Align, Block, Document, Rule, Text
from workflows.messages import Msg, Param


class DocContext:
    """Where a document is printed, in which language and time zone; builders take it first.

    `tz` is the site's zone (config `[device] timezone`): every time on paper is local there.
    Without one, times print as they were written.
    """

    def __init__(
        self, *, site: str, device_id: str, lang: str, tz: tzinfo | None = None, address: str = ""
    ) -> None:
        self.site = site
        self.device_id = device_id
        self.lang = lang
        self.tz = tz
        self.address = address  # the point's address for the customer's receipt; "" when unknown

    def t(self, key: str, **params: Param) -> str:
        return Msg(key, params).render(self.lang)

    def when(self, ts: str) -> str:
        """A stored time as printed: local to the site, to the minute."""
        return local_text(ts, self.tz)[:16].replace("T", " ")

    def header(self, stamp: Stamp) -> list[Block]:
        """Where and when; the printer prints the document's title above it."""
        return [
            Text(self.t("doc_point", site=self.site, device=self.device_id), align=Align.CENTER),
            Text(self.t("doc_date", ts=self.when(stamp.ts))),
            Text(self.t("doc_station", station=stamp.station or "-")),
            Rule(),
        ]


# A document builder: the context, the job's data, a read-only view of the store, who and when.
Builder = Callable[[DocContext, Mapping[str, Any], sqlite3.Connection, Stamp], Document]
