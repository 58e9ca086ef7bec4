"""Seller drop-offs: the list of shipments a seller will bring, checked whole and written at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import msgspec

from device.decode import decode, read_input, unique_index
from device.exc import ManifestError
from device.intake.manifest import Barcode, Ident, Text, Version
from device.store.db import Store
from device.store.journal import Stamp, append
from workflows.parcel import Size

MAX_SHIPMENTS = 2_000
MAX_BYTES = 1_000_000
WHAT = "invalid drop-off"  # opens the message of every ManifestError about a drop-off's content
MAX_WEIGHT_G = 1_000_000  # a tonne: far above any parcel, only to keep nonsense out


class Seller(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The seller as the act prints it: a company or a sole trader, never a customer."""

    id: Ident
    name: Text


class Shipment(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One shipment the seller will bring: its barcode, its label (posting number), its size."""

    barcode: Barcode
    posting: Ident
    size: Size
    weight_g: Annotated[int, msgspec.Meta(ge=1, le=MAX_WEIGHT_G)] | None = None


class Dropoff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What central says a seller will bring to the point."""

    version: Version
    dropoff_id: Ident
    seller: Seller
    shipments: Annotated[list[Shipment], msgspec.Meta(min_length=1, max_length=MAX_SHIPMENTS)]


@dataclass(frozen=True, slots=True)
class DropoffResult:
    """What one import wrote; `replaced` is the older version it updated, if any."""

    dropoff_id: str
    shipments: int
    replaced: int | None = None


def _fail(path: str, reason: str, message: str) -> ManifestError:
    return ManifestError.at(path, reason, message, what=WHAT)


def decode_dropoff(raw: bytes, *, max_bytes: int = MAX_BYTES) -> Dropoff:
    """Decode and check a drop-off; any problem is a ManifestError with its reason and path."""
    dropoff = decode(raw, Dropoff, max_bytes=max_bytes, error=ManifestError, what=WHAT)
    cross_check(dropoff)
    return dropoff


def load_dropoff_file(path: Path | str) -> Dropoff:
    """Read and decode a drop-off file; an unreadable file is a ManifestError too."""
    raw = read_input(path, "drop-off", ManifestError)
    try:
        return decode_dropoff(raw)
    except ManifestError as exc:
        raise exc.within(str(path)) from exc


def cross_check(d: Dropoff, *, root: str = "$") -> None:
    """What the schema cannot say: each barcode and each posting number once."""
    for name, reason in (("barcode", "duplicate_barcode"), ("posting", "duplicate")):
        unique_index((getattr(s, name) for s in d.shipments), _repeated(root, name, reason))


def _repeated(root: str, name: str, reason: str) -> Callable[[int, int, str], ManifestError]:
    def fail(i: int, first: int, value: str) -> ManifestError:
        return _fail(
            f"{root}.shipments[{i}].{name}",
            reason,
            f"duplicate {name} '{value}' (also {root}.shipments[{first}])",
        )

    return fail


def check_against_store(conn: sqlite3.Connection, d: Dropoff, *, root: str = "$") -> int | None:
    """Refuse a drop-off the device cannot take as it is; return the version it replaces, if any.

    A shipment's barcode must be new to the device: a parcel of any kind (an inbound delivery, a
    return, another seller's shipment) or a package already has it, and a scan would mean two
    things. Only a newer version of a drop-off nobody has started scanning may replace it.
    """
    row = conn.execute("SELECT version, status FROM dropoffs WHERE id = ?", (d.dropoff_id,)).fetchone()
    old = None if row is None else int(row["version"])
    if row is not None:
        if old is not None and old >= d.version:
            raise _fail(
                f"{root}.version",
                "version_not_newer",
                f"drop-off {d.dropoff_id}: version {old} is already here; {d.version} must be newer",
            )
        if row["status"] != "open":
            raise _fail(
                f"{root}.dropoff_id",
                "acceptance_started",
                f"drop-off {d.dropoff_id} is already being received ({row['status']})",
            )
    for i, s in enumerate(d.shipments):
        known = conn.execute("SELECT kind, dropoff FROM parcels WHERE barcode = ?", (s.barcode,)).fetchone()
        ours = known is not None and known["kind"] == "dropoff" and known["dropoff"] == d.dropoff_id
        package = conn.execute("SELECT 1 FROM packages WHERE barcode = ?", (s.barcode,)).fetchone()
        if (known is not None and not ours) or package is not None:
            what = "a package" if package is not None else f"a parcel ({known['kind']})"
            raise _fail(
                f"{root}.shipments[{i}].barcode",
                "duplicate_barcode",
                f"'{s.barcode}' is already {what} on this device",
            )
    return old


def write_dropoff(conn: sqlite3.Connection, d: Dropoff, *, now: str, root: str = "$") -> DropoffResult:
    """Check against the store, then write the drop-off and its shipments as expected parcels.

    Inside the caller's transaction (the inbox applies a message in one): a refusal raises
    before anything is written. A newer version replaces the list of one not started.
    """
    old = check_against_store(conn, d, root=root)
    if old is None:
        conn.execute(
            "INSERT INTO dropoffs (id, seller_id, seller_name, version, imported_at) VALUES (?, ?, ?, ?, ?)",
            (d.dropoff_id, d.seller.id, d.seller.name, d.version, now),
        )
    else:
        conn.execute(
            "UPDATE dropoffs SET seller_id = ?, seller_name = ?, version = ?, imported_at = ? WHERE id = ?",
            (d.seller.id, d.seller.name, d.version, now, d.dropoff_id),
        )
        conn.execute("DELETE FROM parcels WHERE dropoff = ? AND state = 'expected'", (d.dropoff_id,))
    conn.executemany(
        "INSERT INTO parcels (barcode, kind, size, state, dropoff, posting, weight_g, updated_at) "
        "VALUES (?, 'dropoff', ?, 'expected', ?, ?, ?, ?)",
        [(s.barcode, s.size.value, d.dropoff_id, s.posting, s.weight_g, now) for s in d.shipments],
    )
    device_id = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    stamp = Stamp("unknown" if device_id is None else str(device_id[0]), now)
    data = {
        "dropoff": d.dropoff_id,
        "version": d.version,
        "shipments": len(d.shipments),
        "seller": d.seller.id,
    }
    append(conn, stamp, "dropoff_imported", data=data)
    return DropoffResult(d.dropoff_id, len(d.shipments), old)


def import_dropoff(store: Store, d: Dropoff, *, now: str) -> DropoffResult:
    """Write one drop-off in its own transaction (the CLI's import)."""
    try:
        with store.transaction() as conn:
            return write_dropoff(conn, d, now=now)
    except sqlite3.IntegrityError as exc:
        detail = f"drop-off {d.dropoff_id}: rejected by the store: {exc}"
        raise ManifestError(detail, reason="store_refused") from exc
