"""The purge: what the device keeps about a customer is erased N days after the order was done.

An order is done when every one of its parcels was issued or returned (to the sender). Counted
in the site's calendar: an order whose last parcel was issued on 1 November is kept through
1 November + N days and purged from the next day on, so a purge at 00:30 and one at 23:30 agree.
Its masked name, phone ending and every code hash go; the order's id and parcels stay for the
reports. Printed receipts older than that go with them (they print the masked name and phone
ending). All in one transaction, with SQLite's secure_delete on so that the erased text is
overwritten in the file rather than left in its free pages, and one journal event that counts
what went: the journal is the outbox to the hub, so it names no order and no customer.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from device.store.clock import instant, utc_text
from device.store.db import Store
from device.store.journal import Stamp, append
from drivers.document import Document, Text
from workflows.messages import Msg

EVENT = "customer_data_purged"
DAY_KEY = "privacy_purge_date"  # meta: the site's day of the last daily purge
RECEIPT = "receipt"  # the print job kind whose text names the customer (device/documents/counter.py)

# Orders not purged yet none of whose parcels is still on its way, here or going back; with the
# moment each parcel was done: issued_at for an issued one (its last move when a store from before
# issued_at has none), its last move for a returned or missing one. A parcel missing (it never
# came, or a count did not find it) counts as done from the day it went missing, or an order
# that lost one would keep its customer's data for ever. Driven from the done parcels (the
# parcels_state index), not from every order: 30 ms over a 100k-parcel store instead of 160 ms
# (bench/purge_bench.py).
_DONE_SQL = """
SELECT p.order_id AS id,
       max(CASE p.state WHEN 'issued' THEN coalesce(p.issued_at, p.updated_at) ELSE p.updated_at END) AS done_at
FROM parcels p JOIN orders o ON o.id = p.order_id
WHERE p.state IN ('issued', 'returned', 'missing') AND o.purged_at IS NULL
GROUP BY p.order_id
HAVING NOT EXISTS (
    SELECT 1 FROM parcels q WHERE q.order_id = p.order_id AND q.state NOT IN ('issued', 'returned', 'missing')
)
"""
_ERASE_SQL = (
    "UPDATE orders SET customer = '', phone_tail = NULL, pickup_code_hmac = NULL, qr_token_hmac = NULL, "
    "prev_pickup_code_hmac = NULL, prev_valid_until = NULL, purged_at = ? WHERE id = ?"
)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge erased (or, dry, would erase): orders and printed receipts; `kept_from` is
    the first day at the site whose orders are kept."""

    orders: int
    receipts: int
    kept_from: date
    dry_run: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "orders": self.orders,
            "receipts": self.receipts,
            "kept_from": self.kept_from.isoformat(),
            "dry_run": self.dry_run,
        }


def kept_from(today: date, days: int) -> date:
    """The first day whose orders are kept: those done on an earlier day are purged."""
    return today - timedelta(days=days)


def _start_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def due_orders(conn: sqlite3.Connection, *, before: datetime) -> list[str]:
    """The orders done before `before` (an aware moment), by id."""
    return sorted(
        str(row["id"])
        for row in conn.execute(_DONE_SQL)
        if row["done_at"] is not None and instant(str(row["done_at"])) < before
    )


def _receipts(conn: sqlite3.Connection, *, before: datetime) -> list[int]:
    """Printed receipts created before `before` and not blanked yet (a blank has one block);
    a queued one still has to reach the paper."""
    rows = conn.execute(
        "SELECT id, created_at FROM print_jobs WHERE kind = ? AND state = 'printed' "
        "AND json_array_length(document, '$.blocks') > 1",
        (RECEIPT,),
    )
    return [int(r["id"]) for r in rows if instant(str(r["created_at"])) < before]


def purge_due(store: Store, today: date) -> bool:
    """One meta lookup: whether the daily purge has yet to run for this day at the site."""
    return store.get_meta(DAY_KEY) != today.isoformat()


def purge(
    store: Store, *, now: datetime, days: int, stamp: Stamp, dry_run: bool = False, daily: bool = False
) -> PurgeResult:
    """Erase the customer data of orders done more than `days` days before `now`'s day at the site.

    `now` is aware and in the site's zone (the engine's clock is); `stamp` is the journal's
    who and when. A dry run counts and changes nothing. `daily` records the day in the same
    transaction, so that the daily sweep runs once a day.
    """
    assert now.tzinfo is not None, "the purge counts days at the site: give an aware time"
    first_kept = kept_from(now.date(), days)
    before = _start_of(first_kept, now.tzinfo)
    if dry_run:
        conn = store.conn
        return PurgeResult(
            len(due_orders(conn, before=before)), len(_receipts(conn, before=before)), first_kept, True
        )
    with store.transaction() as conn:
        secure = int(conn.execute("PRAGMA secure_delete").fetchone()[0])
        conn.execute("PRAGMA secure_delete = ON")
        try:
            orders = due_orders(conn, before=before)
            erased_at = utc_text(now)
            conn.executemany(_ERASE_SQL, [(erased_at, order) for order in orders])
            receipts = _receipts(conn, before=before)
            _blank_receipts(conn, receipts)
            if orders or receipts:
                data = {"orders": len(orders), "receipts": len(receipts), "kept_from": first_kept.isoformat()}
                append(conn, stamp, EVENT, data=data)
            if daily:
                store.set_meta(DAY_KEY, now.date().isoformat())
        finally:
            conn.execute(f"PRAGMA secure_delete = {secure}")
    return PurgeResult(len(orders), len(receipts), first_kept)


def _blank_receipts(conn: sqlite3.Connection, jobs: list[int]) -> None:
    """A printed receipt keeps its title and a line saying its text is gone. Only the title is
    read back, so that no stored document can stop the purge."""
    for job in jobs:
        row = conn.execute("SELECT document, lang FROM print_jobs WHERE id = ?", (job,)).fetchone()
        lang = row["lang"] or "ru"
        try:
            title = json.loads(row["document"]).get("title")
        except (ValueError, AttributeError):
            title = None
        if not isinstance(title, str):
            title = Msg("doc_receipt").render(lang)
        blank = Document(RECEIPT, title, (Text(Msg("doc_purged").render(lang)),))
        conn.execute(
            "UPDATE print_jobs SET document = ? WHERE id = ?",
            (json.dumps(blank.to_json(), ensure_ascii=False), job),
        )
