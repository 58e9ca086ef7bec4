"""Supply manifests: the JSON shape from central, its validation and its all-or-nothing import."""

from __future__ import annotations

import datetime
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from device.decode import decode
from device.exc import ManifestError
from device.store.db import Store
from workflows.parcel import ParcelState, Size

MAX_PARCELS = 10_000
MAX_BYTES = 4_000_000
WHAT = "invalid manifest"  # opens the message of every ManifestError about a manifest's content

# \A...\Z rather than ^...$: `$` also matches before a trailing newline, which would let
# "123\n" through as a barcode that no scanner can ever produce.
Barcode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\A[!-~]+\Z")]
Ident = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\A[!-~]+\Z")]
# Free text printed on receipts and screens: any characters except control characters.
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\A[^\x00-\x1f\x7f-\x9f]+\Z")]
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
    """A customer order; its parcels may arrive in several supplies."""

    id: Ident
    customer: Text
    pickup_code_hmac: Hmac | None = None
    qr_token_hmac: Hmac | None = None


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
    """What one import wrote; `replaced` is the older version it replaced, if any."""

    supply_id: str
    parcels: int
    packages: int
    orders: int
    replaced: int | None = None


def decode_manifest(raw: bytes, *, max_bytes: int = MAX_BYTES) -> Manifest:
    """Decode and fully check a manifest; any problem is a ManifestError with its reason and path."""
    manifest = decode(raw, Manifest, max_bytes=max_bytes, error=ManifestError, what=WHAT)
    cross_check(manifest)
    return manifest


def load_manifest_file(path: Path | str) -> Manifest:
    """Read and decode a manifest file; an unreadable file is a ManifestError too."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        detail = f"cannot read manifest: {exc.strerror or exc}"
        raise ManifestError(f"{path}: {detail}", reason="unreadable", detail=detail) from exc
    try:
        return decode_manifest(raw)
    except ManifestError as exc:
        raise exc.within(str(path)) from exc


def _fail(path: str, reason: str, message: str) -> ManifestError:
    return ManifestError.at(path, reason, message, what=WHAT)


def cross_check(m: Manifest, *, root: str = "$") -> None:
    """The checks a schema cannot express: references, uniqueness, calendar dates."""
    orders: dict[str, int] = {}
    for i, order in enumerate(m.orders):
        if order.id in orders:
            raise _fail(
                f"{root}.orders[{i}].id",
                "duplicate",
                f"duplicate order '{order.id}' (also {root}.orders[{orders[order.id]}])",
            )
        orders[order.id] = i
    packages: dict[str, int] = {}
    for i, package in enumerate(m.packages):
        if package.barcode in packages:
            first = packages[package.barcode]
            raise _fail(
                f"{root}.packages[{i}].barcode",
                "duplicate_barcode",
                f"duplicate barcode '{package.barcode}' (also {root}.packages[{first}])",
            )
        packages[package.barcode] = i
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
    """Write the supply, its packages, orders and expected parcels in one transaction.

    A supply already on the device is refused unless this manifest is a newer version and
    acceptance has not started; then its expected packages and parcels are replaced.
    """
    try:
        with store.transaction() as conn:
            return write_manifest(conn, manifest, now=now)
    except sqlite3.IntegrityError as exc:
        # The checks above should make this unreachable; keep the promise of one error type.
        detail = f"supply {manifest.supply_id}: rejected by the store: {exc}"
        raise ManifestError(detail, reason="store_refused") from exc


def write_manifest(conn: sqlite3.Connection, m: Manifest, *, now: str, root: str = "$") -> ImportResult:
    """import_manifest inside the caller's transaction (the inbox applies a message in one).

    `root` is where the manifest sits in the JSON that came in, for the paths in errors.
    """
    replaced = _prepare_supply(conn, m, now=now, root=root)
    _check_barcodes_free(conn, m, root)
    conn.executemany(
        "INSERT INTO packages (barcode, supply_id, kind, state) VALUES (?, ?, ?, 'expected')",
        [(p.barcode, m.supply_id, p.kind) for p in m.packages],
    )
    conn.executemany(
        "INSERT INTO orders (id, customer, pickup_code_hmac, qr_token_hmac) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, "
        "pickup_code_hmac = excluded.pickup_code_hmac, qr_token_hmac = excluded.qr_token_hmac",
        [(o.id, o.customer, o.pickup_code_hmac, o.qr_token_hmac) for o in m.orders],
    )
    conn.executemany(
        "INSERT INTO parcels (barcode, order_id, supply_id, package, size, deadline, "
        "cod_kopecks, age_restricted, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                p.barcode,
                p.order,
                m.supply_id,
                p.package,
                p.size.value,
                p.deadline,
                p.cod_kopecks,
                int(p.age_restricted),
                ParcelState.EXPECTED.value,
                now,
            )
            for p in m.parcels
        ],
    )
    if replaced is not None:
        # Orders that only the replaced version mentioned now have no parcels at all.
        conn.execute(
            "DELETE FROM orders WHERE id IN (SELECT value FROM json_each(?)) "
            "AND NOT EXISTS (SELECT 1 FROM parcels WHERE parcels.order_id = orders.id)",
            (json.dumps(replaced[1]),),
        )
    device_id = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    data = {"supply": m.supply_id, "version": m.version, "parcels": len(m.parcels)}
    conn.execute(
        "INSERT INTO journal (event_id, device_id, ts, kind, data) VALUES (?, ?, ?, 'manifest_imported', ?)",
        (
            uuid.uuid4().hex,
            "unknown" if device_id is None else str(device_id[0]),
            now,
            json.dumps(data, ensure_ascii=False),
        ),
    )
    return ImportResult(
        supply_id=m.supply_id,
        parcels=len(m.parcels),
        packages=len(m.packages),
        orders=len(m.orders),
        replaced=None if replaced is None else replaced[0],
    )


def _prepare_supply(
    conn: sqlite3.Connection, m: Manifest, *, now: str, root: str
) -> tuple[int, list[str]] | None:
    """Insert the supply row, or clear an older open version; return (old version, its orders)."""
    row = conn.execute("SELECT status, version FROM supplies WHERE id = ?", (m.supply_id,)).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO supplies (id, carrier, status, version, imported_at) VALUES (?, ?, 'open', ?, ?)",
            (m.supply_id, m.carrier, m.version, now),
        )
        return None
    old = int(row["version"])
    if old >= m.version:
        raise ManifestError.at(
            f"{root}.version",
            "version_not_newer",
            f"supply {m.supply_id}: version {old} is already imported; {m.version} must be newer to replace it",
        )
    started = conn.execute(
        "SELECT (SELECT count(*) FROM parcels WHERE supply_id = ?1 AND state != 'expected') "
        "+ (SELECT count(*) FROM packages WHERE supply_id = ?1 AND state != 'expected')",
        (m.supply_id,),
    ).fetchone()[0]
    if row["status"] != "open" or started:
        raise ManifestError.at(
            f"{root}.supply_id",
            "acceptance_started",
            f"supply {m.supply_id} is {row['status']}: acceptance has started, "
            f"version {m.version} cannot replace version {old}",
        )
    orders = [
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT order_id FROM parcels WHERE supply_id = ? AND order_id IS NOT NULL",
            (m.supply_id,),
        )
    ]
    conn.execute("DELETE FROM parcels WHERE supply_id = ?", (m.supply_id,))
    conn.execute("DELETE FROM packages WHERE supply_id = ?", (m.supply_id,))
    conn.execute(
        "UPDATE supplies SET carrier = ?, version = ?, imported_at = ? WHERE id = ?",
        (m.carrier, m.version, now, m.supply_id),
    )
    return old, orders


def _check_barcodes_free(conn: sqlite3.Connection, m: Manifest, root: str) -> None:
    """Refuse barcodes the store already holds: they belong to another supply (ours was cleared)."""
    for i, p in enumerate(m.packages):
        _check_free(conn, p.barcode, f"{root}.packages[{i}].barcode")
    for i, q in enumerate(m.parcels):
        _check_free(conn, q.barcode, f"{root}.parcels[{i}].barcode")


def _check_free(conn: sqlite3.Connection, barcode: str, at: str) -> None:
    row = conn.execute("SELECT supply_id FROM parcels WHERE barcode = ?", (barcode,)).fetchone()
    what = "parcel"
    if row is None:
        row = conn.execute("SELECT supply_id FROM packages WHERE barcode = ?", (barcode,)).fetchone()
        what = "package"
    if row is not None:
        owner = "no supply" if row[0] is None else f"supply {row[0]}"
        raise ManifestError.at(at, "duplicate_barcode", f"barcode '{barcode}' is already a {what} of {owner}")
