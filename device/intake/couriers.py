"""The courier's list: who central sends to collect outbound parcels, and what they will take."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated

import msgspec

from device.exc import ManifestError
from device.intake.manifest import Barcode, Ident, Text

MAX_ITEMS = 5000  # parcels or bags one courier may be expected to take

Items = Annotated[list[Barcode], msgspec.Meta(max_length=MAX_ITEMS)]


class Courier(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A courier central sends: the code or badge they show, who they are, what they take."""

    code: Ident
    name: Text
    company: Text
    parcels: Items = msgspec.field(default_factory=list)
    bags: Items = msgspec.field(default_factory=list)


def cross_check(courier: Courier, *, root: str, what: str) -> None:
    """A list that names nothing, or one barcode twice, is refused whole, naming the field."""
    if not courier.parcels and not courier.bags:
        raise ManifestError.at(f"{root}.parcels", "too_short", "names no parcel and no bag", what=what)
    for field, items in (("parcels", courier.parcels), ("bags", courier.bags)):
        seen: set[str] = set()
        for i, barcode in enumerate(items):
            if barcode in seen:
                raise ManifestError.at(
                    f"{root}.{field}[{i}]", "duplicate_barcode", f"{barcode} twice", what=what
                )
            seen.add(barcode)


def expect(conn: sqlite3.Connection, courier: Courier, *, now: str) -> None:
    """A newer list for a code replaces the old one, and the courier is expected again."""
    conn.execute(
        "INSERT INTO couriers (code, name, company, parcels, bags, state, received_at) "
        "VALUES (?, ?, ?, ?, ?, 'expected', ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
        "company = excluded.company, parcels = excluded.parcels, bags = excluded.bags, "
        "state = 'expected', received_at = excluded.received_at, collected_at = NULL",
        (
            courier.code,
            courier.name,
            courier.company,
            json.dumps(courier.parcels),
            json.dumps(courier.bags),
            now,
        ),
    )
