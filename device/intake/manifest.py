"""Supply manifests: the JSON shape from central, its validation and its all-or-nothing import."""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from device.decode import decode, read_input, unique_index
from device.exc import ManifestError
from device.intake.supply_rows import plan_supply, write_supply
from device.store.db import Store
from device.store.journal import Stamp, append
from workflows.customer import masked_name, phone_tail
from workflows.parcel import Size

MAX_PARCELS = 10_000
MAX_BYTES = 4_000_000
WHAT = "invalid manifest"  # opens the message of every ManifestError about a manifest's content

# \A...\Z rather than ^...$: `$` also matches before a trailing newline, which would let
# "123\n" through as a barcode that no scanner can ever produce.
Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\A[!-~]+\Z")]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\A[!-~]+\Z")]
# Free text printed on receipts and screens: any characters except control characters.
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\A[^\x00-\x1f\x7f-\x9f]+\Z")]
# A phone in any spelling central uses ("+7 916 123-45-67"): only its last four digits are kept.
# At least four digits and at most fifteen (E.164), with the usual spaces, dashes and brackets.
Phone = Annotated[str, msgspec.Meta(max_length=32, pattern=r"\A\+?[ ()-]*(?:[0-9][ ()-]*){4,15}\Z")]
Hmac = Annotated[str, msgspec.Meta(pattern=r"\A[0-9a-f]{64}\Z")]
IsoDate = Annotated[str, msgspec.Meta(pattern=r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")]
# Upper bounds keep every integer inside SQLite's signed 64-bit range.
Version = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
Kopecks = Annotated[int, msgspec.Meta(ge=0, le=10**12)]


class Package(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A transport package (box or bag) that carries several parcels."""

    barcode: Barcode
    kind: Literal["box", "bag"]


class Order(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A customer order; its parcels may arrive in several supplies.

    `customer` (given name first) and `phone` are what central knows; the store keeps only the
    masked name and the phone's last four digits (write_manifest, workflows/customer.py).
    """

    id: Ident
    customer: Text
    pickup_code_hmac: Hmac | None = None
    qr_token_hmac: Hmac | None = None
    phone: Phone | None = None


class Parcel(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One parcel expected in the supply."""

    barcode: Barcode
    order: Ident
    size: Size
    deadline: IsoDate
    cod_kopecks: Kopecks
    age_restricted: bool
    package: Barcode | None = None


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What central says a supply contains."""

    version: Version
    supply_id: Ident
    carrier: Text
    parcels: Annotated[list[Parcel], msgspec.Meta(min_length=1, max_length=MAX_PARCELS)]
    orders: Annotated[list[Order], msgspec.Meta(min_length=1, max_length=MAX_PARCELS)]
    packages: Annotated[list[Package], msgspec.Meta(max_length=MAX_PARCELS)] = msgspec.field(
        default_factory=list
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one import wrote; `replaced` is the older version it updated, if any."""

    supply_id: str
    parcels: int
    packages: int
    orders: int
    replaced: int | None = None
    attached: tuple[str, ...] = ()  # surplus parcels this manifest named, now its orders' parcels


def decode_manifest(raw: bytes, *, max_bytes: int = MAX_BYTES) -> Manifest:
    """Decode and fully check a manifest; any problem is a ManifestError with its reason and path."""
    manifest = decode(raw, Manifest, max_bytes=max_bytes, error=ManifestError, what=WHAT)
    cross_check(manifest)
    return manifest


def load_manifest_file(path: Path | str) -> Manifest:
    """Read and decode a manifest file; an unreadable file is a ManifestError too."""
    raw = read_input(path, "manifest", ManifestError)
    try:
        return decode_manifest(raw)
    except ManifestError as exc:
        raise exc.within(str(path)) from exc


def _fail(path: str, reason: str, message: str) -> ManifestError:
    return ManifestError.at(path, reason, message, what=WHAT)


def cross_check(m: Manifest, *, root: str = "$") -> None:
    """The checks a schema cannot express: references, uniqueness, calendar dates."""
    orders = unique_index(
        (order.id for order in m.orders),
        lambda i, first, order: _fail(
            f"{root}.orders[{i}].id", "duplicate", f"duplicate order '{order}' (also {root}.orders[{first}])"
        ),
    )
    packages = unique_index(
        (package.barcode for package in m.packages),
        lambda i, first, barcode: _fail(
            f"{root}.packages[{i}].barcode",
            "duplicate_barcode",
            f"duplicate barcode '{barcode}' (also {root}.packages[{first}])",
        ),
    )
    parcels: dict[str, int] = {}
    for i, parcel in enumerate(m.parcels):
        at = f"{root}.parcels[{i}]"
        if parcel.barcode in parcels:
            first = parcels[parcel.barcode]
            raise _fail(
                f"{at}.barcode",
                "duplicate_barcode",
                f"duplicate barcode '{parcel.barcode}' (also {root}.parcels[{first}])",
            )
        # A scan at acceptance must mean one thing: a package or a parcel, never both.
        if parcel.barcode in packages:
            raise _fail(f"{at}.barcode", "duplicate_barcode", f"'{parcel.barcode}' is also a package barcode")
        parcels[parcel.barcode] = i
        if parcel.order not in orders:
            raise _fail(f"{at}.order", "unknown_reference", f"unknown order '{parcel.order}'")
        if parcel.package is not None and parcel.package not in packages:
            raise _fail(f"{at}.package", "unknown_reference", f"unknown package '{parcel.package}'")
        try:
            datetime.date.fromisoformat(parcel.deadline)
        except ValueError:
            raise _fail(f"{at}.deadline", "bad_date", f"'{parcel.deadline}' is not a calendar date") from None


def import_manifest(store: Store, manifest: Manifest, *, now: str) -> ImportResult:
    """Write the supply, its packages, orders and parcels in one transaction (see write_manifest)."""
    try:
        with store.transaction() as conn:
            return write_manifest(conn, manifest, now=now)
    except sqlite3.IntegrityError as exc:
        # The checks above should make this unreachable; keep the promise of one error type.
        detail = f"supply {manifest.supply_id}: rejected by the store: {exc}"
        raise ManifestError(detail, reason="store_refused") from exc


def write_orders(conn: sqlite3.Connection, orders: list[Order]) -> None:
    """The orders as the device keeps them: the masked name and the phone's last four digits.

    The full name and phone stop here: they are in no row, event or log. An order purged
    before (device/privacy/purge.py) that a newer manifest names again is live again.
    """
    conn.executemany(
        "INSERT INTO orders (id, customer, pickup_code_hmac, qr_token_hmac, phone_tail) "
        "VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, "
        "pickup_code_hmac = excluded.pickup_code_hmac, qr_token_hmac = excluded.qr_token_hmac, "
        "phone_tail = excluded.phone_tail, purged_at = NULL",
        [
            (
                o.id,
                masked_name(o.customer),
                o.pickup_code_hmac,
                o.qr_token_hmac,
                None if o.phone is None else phone_tail(o.phone),
            )
            for o in orders
        ],
    )


def write_manifest(conn: sqlite3.Connection, m: Manifest, *, now: str, root: str = "$") -> ImportResult:
    """import_manifest inside the caller's transaction (the inbox applies a message in one).

    A supply new to the device is written whole. A newer version of one already here is merged
    into it (device/intake/supply_rows.py): what the counter has not touched takes the new word,
    what it has handled must stay listed. Any barcode the device holds as an unclaimed surplus
    becomes the parcel of the order this manifest names. `root` is where the manifest sits in the
    JSON that came in, for the paths in errors.
    """
    row = conn.execute("SELECT version FROM supplies WHERE id = ?", (m.supply_id,)).fetchone()
    old = None if row is None else int(row["version"])
    if old is not None and old >= m.version:
        raise ManifestError.at(
            f"{root}.version",
            "version_not_newer",
            f"supply {m.supply_id}: version {old} is already imported; {m.version} must be newer to replace it",
        )
    plan = plan_supply(conn, m.supply_id, m.parcels, m.packages, root=root)
    if old is None:
        conn.execute(
            "INSERT INTO supplies (id, carrier, status, version, imported_at) VALUES (?, ?, 'open', ?, ?)",
            (m.supply_id, m.carrier, m.version, now),
        )
    else:
        conn.execute(
            "UPDATE supplies SET carrier = ?, version = ?, imported_at = ? WHERE id = ?",
            (m.carrier, m.version, now, m.supply_id),
        )
    write_orders(conn, m.orders)
    device_id = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    stamp = Stamp("unknown" if device_id is None else str(device_id[0]), now)
    write_supply(conn, plan, stamp, version=m.version)
    data = {"supply": m.supply_id, "version": m.version, "parcels": len(m.parcels)}
    if plan.attached:
        data["attached"] = len(plan.attached)
    append(conn, stamp, "manifest_imported", data=data)
    return ImportResult(
        supply_id=m.supply_id,
        parcels=len(m.parcels),
        packages=len(m.packages),
        orders=len(m.orders),
        replaced=old,
        attached=tuple(p.barcode for p, _ in plan.attached),
    )
