"""Storage deadlines: the daily sweep of overdue parcels to the return pick list, and what is due."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date

from device import crash_points
from device.store.db import Store
from device.store.journal import Stamp
from device.store.parcels import move_parcels
from workflows.outcome import Move
from workflows.parcel import ParcelState

SWEEP_DATE_KEY = "deadline_sweep_date"
RETURN_REASON = "deadline"
# Parcels moved per transaction. A device that was off for weeks meets a backlog of hundreds of
# thousands: one transaction for all of them held every row in memory (420 MB for 900k) and the
# loop for minutes. A batch is all or nothing, and scans are served between batches.
SWEEP_BATCH = 200

# INDEXED BY: without statistics the planner prefers parcels_state (every accepted and stored
# parcel) over the partial deadline index; this query must only ever touch the overdue ones,
# and fails loudly instead of scanning if the index is ever dropped. The order is the index's
# own (deadline, then row id), so a batch reads only its LIMIT rows and sorts nothing.
_OVERDUE_SQL = (
    "SELECT barcode, deadline FROM parcels INDEXED BY parcels_deadline "
    "WHERE state IN ('accepted', 'stored') AND deadline < ? ORDER BY deadline, id LIMIT ?"
)
_EXPIRING_SQL = (
    "SELECT count(*) FROM parcels INDEXED BY parcels_deadline "
    "WHERE state IN ('accepted', 'stored') AND deadline = ? AND state = 'stored'"
)


def sweep_batch(store: Store, *, today: date, stamp: Stamp, limit: int = SWEEP_BATCH) -> list[str]:
    """The batch boundary of the sweep: move up to `limit` overdue parcels in one transaction.

    Each parcel keeps its cell (it stays there until picked for the sender), gets
    return_reason 'deadline' and one 'deadline_passed' event. A batch that finds fewer than
    `limit` is the last: it records the sweep date in the same transaction. A crash between
    batches leaves whole batches moved and no date, so the next check resumes where it
    stopped. Returns the barcodes moved, earliest deadline first.
    """
    day = today.isoformat()
    with store.transaction() as conn:
        overdue = conn.execute(_OVERDUE_SQL, (day, limit)).fetchall()
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
        crash_points.reached("sweep")
        if len(overdue) < limit:
            store.set_meta(SWEEP_DATE_KEY, day)
    return [str(barcode) for barcode, _ in overdue]


def sweep_batches(
    store: Store, *, today: date, stamp: Stamp, limit: int = SWEEP_BATCH
) -> Generator[list[str], None, None]:
    """Batch after batch until the sweep date is recorded; the caller may pause between them."""
    while True:
        moved = sweep_batch(store, today=today, stamp=stamp, limit=limit)
        crash_points.reached("sweep_batch")
        yield moved
        if len(moved) < limit:
            return


def sweep(store: Store, *, today: date, stamp: Stamp, limit: int = SWEEP_BATCH) -> list[str]:
    """Move every accepted or stored parcel whose deadline is before `today` to `to_return`,
    batch by batch; return the barcodes moved, earliest deadline first (for small stores: the
    daemon counts batches instead of keeping every barcode)."""
    return [b for batch in sweep_batches(store, today=today, stamp=stamp, limit=limit) for b in batch]


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
