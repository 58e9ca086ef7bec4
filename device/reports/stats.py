"""The owner's statistics: parcels in and out by channel, issues per clerk, refusals by reason,
exceptions by kind and money taken, for a day, a week or a month at the site.

Counted from the journal (what happened in the window) joined to the parcels table (what kind
of parcel it happened to), and from the tickets table for exceptions. A parcel counts once per
direction and day, so an event written twice for one move (a damaged parcel's accepted and
damaged events) never doubles a figure.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from device.reports.sections import ACCEPTANCE_KINDS, clerk_names, rows
from device.reports.types import ChannelRow, ClerkIssues, DayFigures, ReasonRow, Stats, TicketRow
from device.store.journal import Data, Event
from workflows.parcel import Kind, ParcelState

# Channels in the order an owner reads them; "to_sender" only ever goes out.
CHANNELS = ("orders", "customer_returns", "dropoffs", "sends", "to_sender")
TICKET_KINDS = ("unknown_barcode", "damaged", "refused", "not_found", "door", "hardware", "note")
# A customer return refused at its content check has no return reason of its own.
RETURN_CHECK_FAILED = "return_check_failed"

_IN_STATES = frozenset({ParcelState.ACCEPTED.value, ParcelState.OUTBOUND.value})
_OUT_STATES = frozenset({ParcelState.ISSUED.value, ParcelState.RETURNED.value, ParcelState.DISPATCHED.value})
_KIND_CHANNEL = {
    Kind.DELIVERY.value: "orders",
    Kind.CUSTOMER_RETURN.value: "customer_returns",
    Kind.DROPOFF.value: "dropoffs",
    Kind.SEND.value: "sends",
}


def _kinds(conn: sqlite3.Connection, barcodes: set[str]) -> dict[str, str]:
    sql = "SELECT barcode, kind FROM parcels WHERE barcode IN (SELECT value FROM json_each(?))"
    return {r["barcode"]: r["kind"] for r in rows(conn, sql, (json.dumps(sorted(barcodes)),))}


def direction(e: Event[Data]) -> str | None:
    """Which way a parcel moves: "in" arriving (accepted, a customer's return, a drop-off or send
    waiting for the courier), "out" leaving (issued, returned, handed to the courier), else None.

    A parcel taken back out of an outbound bag returns to outbound without arriving again.
    """
    if e.from_state == ParcelState.DISPATCHING.value and e.to_state == ParcelState.OUTBOUND.value:
        return None
    if e.kind in ACCEPTANCE_KINDS or e.kind == "customer_return" or e.to_state in _IN_STATES:
        return "in"
    if e.to_state in _OUT_STATES:
        return "out"
    return None


def channel(kind: str, way: str, to_state: str | None) -> str:
    """The channel of a parcel of `kind` moving `way`: an order going back is a return to sender."""
    name = _KIND_CHANNEL.get(kind, "orders")
    if name == "orders" and way == "out" and to_state != ParcelState.ISSUED.value:
        return "to_sender"
    return name


def _dates(first: date, last: date) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def days(
    conn: sqlite3.Connection, events: Sequence[Event[Data]], first: date, last: date
) -> list[DayFigures]:
    """Every day of the window, empty ones included (a chart shows the gap)."""
    found = {
        d: DayFigures(
            date=d,
            parcels_in=dict.fromkeys(CHANNELS, 0),
            parcels_out=dict.fromkeys(CHANNELS, 0),
            cash_kopecks=0,
            card_kopecks=0,
        )
        for d in _dates(first, last)
    }
    kinds = _kinds(conn, {e.parcel for e in events if e.parcel})
    seen: set[tuple[str, str, str]] = set()
    for e in events:
        # The report's events carry local times already: the first ten characters are the site's date.
        day = found.get(e.ts[:10])
        if day is None:
            continue
        if e.kind == "issue_completed":
            taken = int(e.data.get("cod_kopecks", 0))
            if e.data.get("payment") == "card":
                day["card_kopecks"] += taken
            else:
                day["cash_kopecks"] += taken
        way = direction(e) if e.parcel else None
        if way is None or e.parcel is None or (e.parcel, way, day["date"]) in seen:
            continue
        seen.add((e.parcel, way, day["date"]))
        name = channel(kinds.get(e.parcel, Kind.DELIVERY.value), way, e.to_state)
        (day["parcels_in"] if way == "in" else day["parcels_out"])[name] += 1
    return list(found.values())


def channels(per_day: Sequence[DayFigures]) -> list[ChannelRow]:
    return [
        ChannelRow(
            channel=name,
            parcels_in=sum(d["parcels_in"][name] for d in per_day),
            parcels_out=sum(d["parcels_out"][name] for d in per_day),
        )
        for name in CHANNELS
    ]


def issues(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> list[ClerkIssues]:
    """Customers served and parcels handed over, per clerk with any issue in the window."""
    orders: Counter[str] = Counter(e.clerk for e in events if e.kind == "issue_completed" and e.clerk)
    parcels: Counter[str] = Counter(e.clerk for e in events if e.kind == "issued" and e.clerk)
    names = clerk_names(conn)
    return [
        ClerkIssues(badge=b, name=names.get(b, ""), orders=orders[b], parcels=parcels[b])
        for b in sorted(set(orders) | set(parcels))
    ]


def refusals(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> list[ReasonRow]:
    """Refusals by reason, most frequent first: parcels refused at issue (by the reason they go
    back for) and customer returns refused at their check."""
    refused = [e for e in events if e.kind == "refused" and e.parcel]
    sql = "SELECT barcode, return_reason FROM parcels WHERE barcode IN (SELECT value FROM json_each(?))"
    wanted = json.dumps(sorted({e.parcel for e in refused if e.parcel}))
    stored = {r["barcode"]: r["return_reason"] for r in rows(conn, sql, (wanted,))}
    counts: Counter[str] = Counter(
        str(e.data.get("reason") or stored.get(e.parcel or "") or "unknown") for e in refused
    )
    counts[RETURN_CHECK_FAILED] += sum(1 for e in events if e.kind == "return_refused")
    return [ReasonRow(reason=r, count=n) for r, n in sorted(counts.items(), key=lambda c: (-c[1], c[0])) if n]


def tickets(
    conn: sqlite3.Connection,
    first: date,
    last: date,
    tz: tzinfo | None,
    *,
    clerk: str | None = None,
    station: str | None = None,
) -> list[TicketRow]:
    """Every ticket kind: opened and resolved on the window's local dates, and open now."""

    def within(ts: str | None) -> bool:
        if ts is None:
            return False
        # As written when no zone is given, like the journal's own days (device.reports.build).
        when = datetime.fromisoformat(ts)
        local = when.astimezone(tz).date() if tz is not None and when.tzinfo is not None else when.date()
        return first <= local <= last

    opened: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    open_now: Counter[str] = Counter()
    for r in rows(conn, "SELECT kind, clerk, station, state, opened_at, resolved_at FROM tickets"):
        if (clerk is not None and r["clerk"] != clerk) or (station is not None and r["station"] != station):
            continue
        if within(r["opened_at"]):
            opened[r["kind"]] += 1
        if within(r["resolved_at"]):
            resolved[r["kind"]] += 1
        if r["state"] == "open":
            open_now[r["kind"]] += 1
    return [
        TicketRow(kind=k, opened=opened[k], resolved=resolved[k], open_now=open_now[k]) for k in TICKET_KINDS
    ]


def stats(
    conn: sqlite3.Connection,
    events: Sequence[Event[Data]],
    first: date,
    last: date,
    tz: tzinfo | None = None,
    *,
    clerk: str | None = None,
    station: str | None = None,
) -> Stats:
    """The owner's figures over local dates first .. last from the window's (local-time) events."""
    per_day = days(conn, events, first, last)
    return Stats(
        channels=channels(per_day),
        days=per_day,
        issues=issues(conn, events),
        refusals=refusals(conn, events),
        tickets=tickets(conn, first, last, tz, clerk=clerk, station=station),
        cash_kopecks=sum(d["cash_kopecks"] for d in per_day),
        card_kopecks=sum(d["card_kopecks"] for d in per_day),
    )
