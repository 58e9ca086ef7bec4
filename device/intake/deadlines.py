"""Storage deadlines: the daily sweep of overdue parcels to the return pick list, and what is due."""

from __future__ import annotations

from datetime import date

from device.store.db import Store
from device.store.journal import Stamp
from device.store.parcels import move_parcels
from workflows.outcome import Move
from workflows.parcel import ParcelState

SWEEP_DATE_KEY = "deadline_sweep_date"
RETURN_REASON = "deadline"

# INDEXED BY: without statistics the planner prefers parcels_state (every accepted and stored
# parcel) over the partial deadline index; this query must only ever touch the overdue ones,
# and fails loudly instead of scanning if the index is ever dropped.
_OVERDUE_SQL = (
    "SELECT barcode, deadline FROM parcels INDEXED BY parcels_deadline "
    "WHERE state IN ('accepted', 'stored') AND deadline < ? ORDER BY deadline, barcode"
)
_EXPIRING_SQL = (
    "SELECT count(*) FROM parcels INDEXED BY parcels_deadline "
    "WHERE state IN ('accepted', 'stored') AND deadline = ? AND state = 'stored'"
)


def sweep(store: Store, *, today: date, stamp: Stamp) -> list[str]:
    """Move every accepted or stored parcel whose deadline is before `today` to `to_return`.

    One transaction: each parcel keeps its cell (it stays there until picked for the
    sender), gets return_reason 'deadline' and one 'deadline_passed' event; the sweep date
    is recorded. Returns the barcodes moved, earliest deadline first.
    """
    day = today.isoformat()
    with store.transaction() as conn:
        overdue = conn.execute(_OVERDUE_SQL, (day,)).fetchall()
        move_parcels(
            conn,
            stamp,
            (
                Move(
                    barcode,
                    ParcelState.TO_RETURN,
                    "deadline_passed",
                    data={"deadline": deadline},
                    reason=RETURN_REASON,
                )
                for barcode, deadline in overdue
            ),
        )
        store.set_meta(SWEEP_DATE_KEY, day)
    return [str(barcode) for barcode, _ in overdue]


def last_sweep(store: Store) -> date | None:
    """The day of the last sweep, or None when there was none (or it was asked for again)."""
    value = store.get_meta(SWEEP_DATE_KEY)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def needs_sweep(store: Store, today: date) -> bool:
    """One meta lookup: True unless a sweep already ran for exactly this day."""
    return last_sweep(store) != today


def request_sweep(store: Store) -> None:
    """Forget the last sweep date (inside the caller's transaction) so that the next check sweeps."""
    store.conn.execute("DELETE FROM meta WHERE key = ?", (SWEEP_DATE_KEY,))


def due_today(store: Store, today: date) -> dict[str, int]:
    """The return pick list's size and the stored parcels whose last day of storage is today."""
    to_return = store.scalar("SELECT count(*) FROM parcels WHERE state = ?", (ParcelState.TO_RETURN.value,))
    expiring = store.scalar(_EXPIRING_SQL, (today.isoformat(),))
    return {"to_return": int(to_return), "expiring_today": int(expiring)}
