"""Manifest updates from central: deadlines, returns, clerks, orders; checked whole and applied at once."""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import msgspec

from device.decode import decode, read_input, unique_index
from device.exc import ManifestError
from device.intake.deadlines import RETURN_REASON, request_sweep
from device.intake.manifest import Barcode, Ident, IsoDate, Version
from device.intake.order_updates import CancelOrder, PickupCode, cancel_order, pickup_code
from device.store.db import Store
from device.store.journal import Stamp, append
from device.store.parcels import move_parcels
from workflows.outcome import Move
from workflows.parcel import ParcelState

MAX_BYTES = 1_000_000
MAX_UPDATES = 10_000
MAX_REQUEST_PARCELS = 100
WHAT = "invalid updates"  # opens the message of every ManifestError about an updates batch

# Free text shown to the clerk: any characters except control characters.
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\A[^\x00-\x1f\x7f-\x9f]+\Z")]


class DeadlineUpdate(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="deadline"
):
    """A new last day of storage for one parcel already on the device."""

    parcel: Barcode
    deadline: IsoDate


class ReturnRequest(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="return_request"
):
    """A customer announced that they will bring these parcels of an order back."""

    id: Ident
    order: Ident
    parcels: Annotated[list[Barcode], msgspec.Meta(min_length=1, max_length=MAX_REQUEST_PARCELS)]
    reason: Reason


class ClerkUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="clerk"):
    """A clerk's badge provisioned (or disabled) by the central system."""

    badge: Annotated[str, msgspec.Meta(min_length=4, max_length=64, pattern=r"\A[!-~]+\Z")]
    name: Reason
    active: bool = True


Update = DeadlineUpdate | ReturnRequest | ClerkUpdate | CancelOrder | PickupCode
# Counts every result has; the others ("cancelled", "to_return", "codes", "stale") only when not 0.
BASE_COUNTS = ("deadlines", "extended", "return_requests", "clerks", "unchanged")


class Updates(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One batch of updates, applied in order, all or nothing."""

    version: Version
    updates: Annotated[list[Update], msgspec.Meta(max_length=MAX_UPDATES)]


def _fail(path: str, reason: str, message: str) -> ManifestError:
    return ManifestError.at(path, reason, message, what=WHAT)


def decode_updates(raw: bytes, *, max_bytes: int = MAX_BYTES) -> Updates:
    """Decode and fully check a batch of updates; any problem is a ManifestError with its reason and path."""
    updates = decode(raw, Updates, max_bytes=max_bytes, error=ManifestError, what=WHAT)
    cross_check(updates)
    return updates


def load_updates_file(path: Path | str) -> Updates:
    """Read and decode an updates file; an unreadable file is a ManifestError too."""
    raw = read_input(path, "updates", ManifestError)
    try:
        return decode_updates(raw)
    except ManifestError as exc:
        raise exc.within(str(path)) from exc


def cross_check(u: Updates, *, root: str = "$") -> None:
    """What the schema cannot say: calendar dates, a parcel named twice in one request."""
    for i, update in enumerate(u.updates):
        at = f"{root}.updates[{i}]"
        if isinstance(update, DeadlineUpdate):
            try:
                datetime.date.fromisoformat(update.deadline)
            except ValueError:
                raise _fail(
                    f"{at}.deadline", "bad_date", f"'{update.deadline}' is not a calendar date"
                ) from None
        if not isinstance(update, ReturnRequest):
            continue
        unique_index(update.parcels, _repeated_parcel(at))


def _repeated_parcel(at: str) -> Callable[[int, int, str], ManifestError]:
    """The error for a return request at `at` that names one parcel twice."""

    def repeated(j: int, first: int, barcode: str) -> ManifestError:
        return _fail(
            f"{at}.parcels[{j}]",
            "duplicate_barcode",
            f"duplicate parcel '{barcode}' (also {at}.parcels[{first}])",
        )

    return repeated


def apply_updates(store: Store, updates: Updates, *, stamp: Stamp) -> dict[str, int]:
    """Apply every update in order in one transaction; any error leaves the store untouched.

    Today (for bringing a swept parcel back) is the date of `stamp.ts`. Returns counts:
    deadlines changed, parcels brought back to stored, return requests recorded, and
    updates that changed nothing (a repeated delivery of the same batch changes nothing).
    """
    try:
        with store.transaction():
            return apply_batch(store, updates, stamp=stamp)
    except sqlite3.IntegrityError as exc:
        raise ManifestError(f"updates rejected by the store: {exc}", reason="store_refused") from exc


def apply_batch(
    store: Store,
    updates: Updates,
    *,
    stamp: Stamp,
    gate: Callable[[Update], bool] | None = None,
    root: str = "$",
) -> dict[str, int]:
    """apply_updates inside the caller's transaction; an update that `gate` refuses is skipped as stale.

    `root` is where the batch sits in the JSON that came in, for the paths in error messages.
    """
    today = datetime.datetime.fromisoformat(stamp.ts).date()
    conn = store.conn
    counts = dict.fromkeys(BASE_COUNTS, 0) | {"cancelled": 0, "to_return": 0, "codes": 0, "stale": 0}
    for i, update in enumerate(updates.updates):
        at = f"{root}.updates[{i}]"
        if gate is not None and not gate(update):
            counts["stale"] += 1
        elif isinstance(update, DeadlineUpdate):
            changed, extended = _deadline(store, update, at, today=today, stamp=stamp)
            counts["deadlines"] += changed
            counts["extended"] += extended
            counts["unchanged"] += not (changed or extended)
        elif isinstance(update, ClerkUpdate):
            counts["clerks" if _clerk(conn, update, stamp) else "unchanged"] += 1
        elif isinstance(update, CancelOrder):
            changed, moved = cancel_order(conn, update, at, stamp)
            counts["cancelled" if changed else "unchanged"] += 1
            counts["to_return"] += moved
        elif isinstance(update, PickupCode):
            counts["codes" if pickup_code(conn, update, at, stamp) else "unchanged"] += 1
        elif _return_request(conn, update, at, stamp):
            counts["return_requests"] += 1
        else:
            counts["unchanged"] += 1
    return {k: v for k, v in counts.items() if v or k in BASE_COUNTS}


def _deadline(
    store: Store, update: DeadlineUpdate, at: str, *, today: datetime.date, stamp: Stamp
) -> tuple[bool, bool]:
    """Set one parcel's deadline; bring it back to stored if it was swept and is in time again."""
    conn = store.conn
    row = conn.execute(
        "SELECT p.id, p.state, p.deadline, p.return_reason, p.cell_id, c.address FROM parcels p "
        "LEFT JOIN cells c ON c.id = p.cell_id WHERE p.barcode = ?",
        (update.parcel,),
    ).fetchone()
    if row is None:
        raise _fail(f"{at}.parcel", "unknown_reference", f"unknown parcel '{update.parcel}'")
    state = ParcelState(row["state"])
    new = update.deadline
    changed = row["deadline"] != new
    if changed:
        conn.execute(
            "UPDATE parcels SET deadline = ?, updated_at = ? WHERE id = ?", (new, stamp.ts, row["id"])
        )
        append(
            conn,
            stamp,
            "deadline_changed",
            parcel=update.parcel,
            from_state=state.value,
            to_state=state.value,
            cell=row["address"],
            data={"old": row["deadline"], "new": new},
        )
    in_time = datetime.date.fromisoformat(new) >= today
    if state in (ParcelState.ACCEPTED, ParcelState.STORED) and not in_time:
        request_sweep(store)  # now overdue: the next check sweeps it, not only tomorrow's
    swept = state is ParcelState.TO_RETURN and row["return_reason"] == RETURN_REASON
    # Without a cell it has already been picked for the sender (or was never placed): leave it.
    if not (swept and in_time and row["cell_id"] is not None):
        return changed, False
    extended = Move(update.parcel, ParcelState.STORED, "deadline_extended", data={"deadline": new})
    move_parcels(conn, stamp, [extended])  # in the cell it never left
    return changed, True


def _return_request(conn: sqlite3.Connection, request: ReturnRequest, at: str, stamp: Stamp) -> bool:
    """Record a return request; True if new, False if the same request was already recorded."""
    row = conn.execute(
        "SELECT order_id, parcels, reason FROM return_requests WHERE id = ?", (request.id,)
    ).fetchone()
    if row is not None:
        same = (row["order_id"], json.loads(row["parcels"]), row["reason"]) == (
            request.order,
            list(request.parcels),
            request.reason,
        )
        if not same:
            raise _fail(
                f"{at}.id",
                "conflicting_content",
                f"return request '{request.id}' was already received with other content",
            )
        return False
    conn.execute(
        "INSERT INTO return_requests (id, order_id, parcels, reason, received_at) VALUES (?, ?, ?, ?, ?)",
        (request.id, request.order, json.dumps(list(request.parcels)), request.reason, stamp.ts),
    )
    append(
        conn,
        stamp,
        "return_request",
        data={
            "id": request.id,
            "order": request.order,
            "parcels": list(request.parcels),
            "reason": request.reason,
        },
    )
    return True


def _clerk(conn: sqlite3.Connection, update: ClerkUpdate, stamp: Stamp) -> bool:
    """Provision or disable a badge; a disabled badge keeps its history, a signed-in one is signed out."""
    old = conn.execute("SELECT name, active FROM clerks WHERE badge = ?", (update.badge,)).fetchone()
    if old is not None and (old[0], bool(old[1])) == (update.name, update.active):
        return False
    conn.execute(
        "INSERT INTO clerks (badge, name, active) VALUES (?, ?, ?) "
        "ON CONFLICT (badge) DO UPDATE SET name = excluded.name, active = excluded.active",
        (update.badge, update.name, int(update.active)),
    )
    if not update.active:
        for (station,) in conn.execute(
            "SELECT station FROM station_clerks WHERE badge = ?", (update.badge,)
        ).fetchall():
            conn.execute("DELETE FROM station_clerks WHERE station = ?", (station,))
            append(
                conn,
                Stamp(stamp.device_id, stamp.ts, station, update.badge),
                "signed_out",
                data={"badge": update.badge},
            )
    append(
        conn,
        stamp,
        "clerk_provisioned",
        data={"badge": update.badge, "name": update.name, "active": update.active},
    )
    return True
