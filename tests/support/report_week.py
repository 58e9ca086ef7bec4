"""A known week (Monday 2026-11-16 to Sunday 2026-11-22) for the owner's statistics.

The two days of tests.support.report_day, driven through the real engine, and around them the
rows of flows built alongside (seller drop-offs, customer sends, the outbound hand-over,
exception tickets) written straight into the parcels, journal and tickets tables, in the
shapes migration 0012 defines. The statistics count by parcel kind and state move, so they do
not depend on the names those flows give their journal events.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from device.engine import Engine
from device.store.db import Store
from device.store.journal import Stamp, append
from tests.support.factory import CLERK, CLERK2, DEVICE
from tests.support.report_day import SetClock, build_day

DROPOFFS = ("DO1-0001", "DO1-0002", "DO1-0003")
LATE_DROPOFF = "DO1-0004"  # 2026-11-15 22:30 UTC: Sunday in UTC, Monday 01:30 in Moscow
SENDS = ("SND-0001", "SND-0002")
CARD_ORDER, CARD_PARCEL = "77777777", "77777777-0001-1"
CUSTOMER_RETURN = "RET-0001"
REFUSED = "22222222-0002-1"  # refused on the 21st (report_day), back to the sender on the 22nd

# (kind, opened_at, resolved_at): a ticket per row, all of clerk Anna at station a.
TICKETS = (
    ("unknown_barcode", "2026-11-17T09:30:00+00:00", "2026-11-18T10:00:00+00:00"),
    ("damaged", "2026-11-21T09:10:01+00:00", None),
    ("door", "2026-11-15T12:00:00+00:00", "2026-11-19T08:00:00+00:00"),
    ("note", "2026-11-22T22:30:00+00:00", None),  # the 23rd in Moscow
)


def _event(
    conn: sqlite3.Connection,
    ts: str,
    kind: str,
    parcel: str | None = None,
    frm: str | None = None,
    to: str | None = None,
    *,
    clerk: str = CLERK,
    station: str = "a",
    **data: object,
) -> None:
    stamp = Stamp(DEVICE, ts, station, clerk)
    append(conn, stamp, kind, parcel=parcel, from_state=frm, to_state=to, data=data)


def _parcel(conn: sqlite3.Connection, barcode: str, kind: str, state: str, **columns: object) -> None:
    names = ["barcode", "kind", "state", "updated_at", *columns]
    values = [barcode, kind, state, "2026-11-22T12:00:00+00:00", *columns.values()]
    sql = f"INSERT INTO parcels ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    conn.execute(sql, values)


def build_week(path: Path, lang: str = "ru") -> tuple[Store, Engine, SetClock]:
    """The known week; see the module's docstring and each line's comment for what it adds."""
    store, engine, clock = build_day(path, lang)
    with store.transaction() as conn:
        # Monday 16th (Moscow) / Sunday 15th (UTC): one late drop-off shipment.
        _parcel(conn, LATE_DROPOFF, "dropoff", "outbound", dropoff="DO1")
        _event(conn, "2026-11-15T22:30:00+00:00", "dropoff_received", LATE_DROPOFF, "expected", "outbound")
        # Tuesday 17th: a seller drops off three shipments.
        for barcode in DROPOFFS:
            _parcel(conn, barcode, "dropoff", "outbound", dropoff="DO1")
            _event(conn, "2026-11-17T11:00:00+00:00", "dropoff_received", barcode, "expected", "outbound")
        # Wednesday 18th: two customers send a parcel each.
        for barcode in SENDS:
            _parcel(
                conn, barcode, "send", "outbound", weight_g=1200, length_mm=300, width_mm=200, height_mm=100
            )
            _event(conn, "2026-11-18T12:00:00+00:00", "send_accepted", barcode, None, "outbound")
        # Thursday 19th: the courier takes two drop-offs and a send; the third drop-off is taken
        # back out of the bag (it stays outbound and does not arrive a second time).
        for barcode in (*DROPOFFS, SENDS[0]):
            _event(conn, "2026-11-19T16:00:00+00:00", "outbound_bagged", barcode, "outbound", "dispatching")
        _event(conn, "2026-11-19T16:05:00+00:00", "outbound_unbagged", DROPOFFS[2], "dispatching", "outbound")
        for barcode in (DROPOFFS[0], DROPOFFS[1], SENDS[0]):
            conn.execute("UPDATE parcels SET state = 'dispatched' WHERE barcode = ?", (barcode,))
            _event(conn, "2026-11-19T16:10:00+00:00", "handed_over", barcode, "dispatching", "dispatched")
        # Friday 20th: Oleg issues an order accepted on the 10th, paid by card; a customer
        # brings a return, and another return is refused at its check.
        _parcel(conn, CARD_PARCEL, "delivery", "issued", order_id=None, cod_kopecks=50000)
        _event(conn, "2026-11-10T10:00:00+00:00", "accepted", CARD_PARCEL, "expected", "accepted")
        _event(
            conn,
            "2026-11-20T14:00:00+00:00",
            "issued",
            CARD_PARCEL,
            "stored",
            "issued",
            clerk=CLERK2,
            station="b",
        )
        _event(
            conn,
            "2026-11-20T14:00:01+00:00",
            "issue_completed",
            order=CARD_ORDER,
            cod_kopecks=50000,
            payment="card",
            clerk=CLERK2,
            station="b",
        )
        _parcel(conn, CUSTOMER_RETURN, "customer_return", "to_return", return_reason="customer_return")
        _event(conn, "2026-11-20T15:00:00+00:00", "customer_return", CUSTOMER_RETURN, None, "accepted")
        _event(conn, "2026-11-20T15:30:00+00:00", "return_refused", parcels=["RET-0002"], checks={})
        # Sunday 22nd: the refused parcel goes back to its sender.
        conn.execute("UPDATE parcels SET state = 'returned', cell_id = NULL WHERE barcode = ?", (REFUSED,))
        _event(conn, "2026-11-22T12:00:00+00:00", "returning", REFUSED, "to_return", "returning")
        _event(conn, "2026-11-22T12:30:00+00:00", "returned", REFUSED, "returning", "returned")
        for n, (kind, opened, resolved) in enumerate(TICKETS, start=1):
            conn.execute(
                "INSERT INTO tickets (ticket_id, kind, clerk, station, camera, evidence_from, evidence_to, "
                "detail, state, opened_at, resolved_at) VALUES (?, ?, ?, 'a', 'cam-1', ?, ?, ?, ?, ?, ?)",
                (
                    f"T-{n}",
                    kind,
                    CLERK,
                    opened,
                    opened,
                    json.dumps({}),
                    "open" if resolved is None else "resolved",
                    opened,
                    resolved,
                ),
            )
    return store, engine, clock
