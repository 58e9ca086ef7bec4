"""Order updates from central: cancellation, and rotated pickup codes with a grace window."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Annotated

import msgspec

from device.exc import ManifestError
from device.intake.manifest import Hmac, Ident
from device.store.clock import utc_text
from device.store.journal import Stamp, append
from device.store.parcels import move_parcels
from workflows.outcome import Move
from workflows.parcel import ParcelState

CANCEL_REASON = "cancelled"
DEFAULT_GRACE_HOURS = 24
GraceHours = Annotated[int, msgspec.Meta(ge=0, le=72)]


class CancelOrder(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="cancel_order"
):
    """Central cancelled the order: nothing of it may be issued any more."""

    order: Ident


class PickupCode(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="pickup_code"
):
    """Central rotated the order's pickup code; the previous one stays valid for `grace_hours`.

    `qr_token_hmac` left out keeps the QR token as it is; `null` removes it.
    """

    order: Ident
    pickup_code_hmac: Hmac
    qr_token_hmac: Hmac | msgspec.UnsetType | None = msgspec.UNSET
    grace_hours: GraceHours = DEFAULT_GRACE_HOURS


def _fail(path: str, reason: str, message: str) -> ManifestError:
    return ManifestError.at(path, reason, message, what="invalid updates")


def _order(conn: sqlite3.Connection, order_id: str, at: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT pickup_code_hmac, qr_token_hmac, cancelled_at FROM orders WHERE id = ?", (order_id,)
    ).fetchone()
    if row is None:
        raise _fail(f"{at}.order", "unknown_reference", f"unknown order '{order_id}'")
    return row


def cancel_order(conn: sqlite3.Connection, update: CancelOrder, at: str, stamp: Stamp) -> tuple[bool, int]:
    """Mark the order cancelled; its accepted and stored parcels become due for return.

    Stored parcels keep their cell until picked for the sender. Expected (and missing)
    parcels are left as they are: they are not here, and the acceptance act must still count
    what the carrier hands over; the issue workflow refuses every parcel of a cancelled order.
    Applying it again moves parcels that arrived since. Returns (changed, parcels moved).
    """
    row = _order(conn, update.order, at)
    newly = row["cancelled_at"] is None
    if newly:
        conn.execute("UPDATE orders SET cancelled_at = ? WHERE id = ?", (stamp.ts, update.order))
    moved = [
        str(r[0])
        for r in conn.execute(
            "SELECT barcode FROM parcels WHERE order_id = ? AND kind = 'delivery' "
            "AND state IN ('accepted', 'stored') ORDER BY barcode",
            (update.order,),
        )
    ]
    data = {"order": update.order}
    move_parcels(
        conn,
        stamp,
        (Move(b, ParcelState.TO_RETURN, "cancelled", data=data, reason=CANCEL_REASON) for b in moved),
    )
    if not (newly or moved):
        return False, 0
    waiting = [
        str(r[0])
        for r in conn.execute(
            "SELECT barcode FROM parcels WHERE order_id = ? AND kind = 'delivery' "
            "AND state IN ('expected', 'missing') ORDER BY barcode",
            (update.order,),
        )
    ]
    append(
        conn, stamp, "order_cancelled", data={"order": update.order, "to_return": moved, "expected": waiting}
    )
    return True, len(moved)


def pickup_code(conn: sqlite3.Connection, update: PickupCode, at: str, stamp: Stamp) -> bool:
    """Set the order's new code hash; the old one stays valid until now + grace. True if changed."""
    row = _order(conn, update.order, at)
    old_code, old_qr = row["pickup_code_hmac"], row["qr_token_hmac"]
    qr = old_qr if isinstance(update.qr_token_hmac, msgspec.UnsetType) else update.qr_token_hmac
    code_changed = old_code != update.pickup_code_hmac
    if not code_changed and qr == old_qr:
        return False
    data: dict[str, object] = {"order": update.order, "code": code_changed, "qr": qr != old_qr}
    if code_changed:
        until = utc_text(datetime.fromisoformat(stamp.ts) + timedelta(hours=update.grace_hours))
        keep = old_code is not None and update.grace_hours > 0
        conn.execute(
            "UPDATE orders SET pickup_code_hmac = ?, prev_pickup_code_hmac = ?, prev_valid_until = ? "
            "WHERE id = ?",
            (update.pickup_code_hmac, old_code if keep else None, until if keep else None, update.order),
        )
        data["previous_valid_until"] = until if keep else None
    conn.execute("UPDATE orders SET qr_token_hmac = ? WHERE id = ?", (qr, update.order))
    append(conn, stamp, "pickup_code_changed", data=data)
    return True
