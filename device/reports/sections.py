"""Report sections computed from a window of journal events: supplies, clerks, COD, refusals, waits."""

from __future__ import annotations

import json
import sqlite3
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import Any

from device.reports.types import (
    ClerkRow,
    Cod,
    CodItem,
    EventRef,
    Returns,
    Sections,
    StationRow,
    SupplyRow,
    WaitRow,
    Waits,
)
from device.store.clock import instant, local_text
from device.store.journal import Data, Event
from workflows.parcel import ParcelState

ACCEPTANCE_KINDS = ("accepted", "accepted_late", "surplus")
RETURNED_TO_SENDER = "returned"
SUPPLY_KINDS = frozenset({"manifest_imported", "accepted", "accepted_late", "missing", "surplus", "damaged"})


def rows(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
    """Named-column rows whatever the connection's own row factory is."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return list(cur.execute(sql, params))


def hours(seconds: float) -> float:
    return round(seconds / 3600, 2)


def clerk_names(conn: sqlite3.Connection) -> dict[str, str]:
    return {r["badge"]: r["name"] for r in rows(conn, "SELECT badge, name FROM clerks")}


def parcel_info(
    conn: sqlite3.Connection, barcodes: Iterable[str]
) -> dict[str, tuple[str | None, str | None]]:
    """Barcode -> (order, supply) for the parcels the store holds."""
    wanted = json.dumps(sorted(set(barcodes)))
    sql = "SELECT barcode, order_id, supply_id FROM parcels WHERE barcode IN (SELECT value FROM json_each(?))"
    return {r["barcode"]: (r["order_id"], r["supply_id"]) for r in rows(conn, sql, (wanted,))}


def states(conn: sqlite3.Connection) -> dict[str, int]:
    """Every parcel by its current state: the whole store, not the window."""
    counts = {state.value: 0 for state in ParcelState}
    for r in rows(conn, "SELECT state, count(*) AS n FROM parcels GROUP BY state"):
        counts[r["state"]] = r["n"]
    return counts


def supplies(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> list[SupplyRow]:
    """Supplies with acceptance events in the window (imports, packages, parcels accepted or not)."""
    relevant = [e for e in events if e.kind in SUPPLY_KINDS or e.kind.startswith(("supply_", "package_"))]
    info = parcel_info(conn, (e.parcel for e in relevant if e.parcel))
    packages = {r["barcode"]: r["supply_id"] for r in rows(conn, "SELECT barcode, supply_id FROM packages")}
    counts: dict[str, Counter[str]] = {}
    for e in relevant:
        # A parcel counts for its own supply, even when accepted while another supply was open.
        own = info.get(e.parcel or "", (None, None))[1]
        supply = own or e.data.get("supply") or packages.get(str(e.data.get("package")))
        if isinstance(supply, str):
            counts.setdefault(supply, Counter())[e.kind] += 1
    found: list[SupplyRow] = []
    for supply in sorted(counts):
        c = counts[supply]
        meta = rows(conn, "SELECT carrier FROM supplies WHERE id = ?", (supply,))
        expected = rows(
            conn, "SELECT count(*) AS n FROM parcels WHERE supply_id = ? AND surplus = 0", (supply,)
        )[0]["n"]
        found.append(
            SupplyRow(
                supply=supply,
                carrier=meta[0]["carrier"] if meta else "",
                expected=expected,
                accepted=c["accepted"] + c["accepted_late"],
                missing=c["missing"],
                surplus=c["surplus"],
                damaged=c["damaged"],
            )
        )
    return found


def clerks(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> list[ClerkRow]:
    """Every clerk with events in the window, by badge."""
    names = clerk_names(conn)
    kinds: dict[str, Counter[str]] = {}
    corrections: Counter[str] = Counter()
    for e in events:
        if e.clerk is None:
            continue
        kinds.setdefault(e.clerk, Counter())[e.kind] += 1
        if e.kind.startswith("inventory_") and e.parcel is not None:
            corrections[e.clerk] += 1
    found: list[ClerkRow] = []
    for badge in sorted(kinds):
        k = kinds[badge]
        found.append(
            ClerkRow(
                badge=badge,
                name=names.get(badge, ""),
                accepted=sum(k[kind] for kind in ACCEPTANCE_KINDS),
                placed=k["placed"],
                issued=k["issued"],
                refused=k["refused"],
                customer_returns=k["customer_return"],
                returned=k[RETURNED_TO_SENDER],
                inventory=corrections[badge],
                events=k.total(),
                kinds=dict(sorted(k.items())),
            )
        )
    return found


def stations(events: Sequence[Event[Data]]) -> list[StationRow]:
    """Every station with events in the window, by name."""
    kinds: dict[str, Counter[str]] = {}
    taken: Counter[str] = Counter()
    for e in events:
        if e.station is None:
            continue
        kinds.setdefault(e.station, Counter())[e.kind] += 1
        if e.kind == "issue_completed":
            taken[e.station] += int(e.data.get("cod_kopecks", 0))
    return [
        StationRow(
            station=name,
            accepted=sum(kinds[name][kind] for kind in ACCEPTANCE_KINDS),
            placed=kinds[name]["placed"],
            issued=kinds[name]["issued"],
            refused=kinds[name]["refused"],
            customer_returns=kinds[name]["customer_return"],
            returned=kinds[name][RETURNED_TO_SENDER],
            cod_kopecks=taken[name],
            events=kinds[name].total(),
        )
        for name in sorted(kinds)
    ]


def cod(events: Sequence[Event[Data]]) -> Cod:
    """Cash on delivery taken: the completed issues that collected money, in cash and by card.

    An issue completed before card payments were recorded was paid in cash.
    """
    items = [
        CodItem(
            ts=e.ts,
            order=str(e.data.get("order", "")),
            kopecks=int(e.data.get("cod_kopecks", 0)),
            payment="card" if e.data.get("payment") == "card" else "cash",
            clerk=e.clerk,
            station=e.station,
        )
        for e in events
        if e.kind == "issue_completed" and int(e.data.get("cod_kopecks", 0)) > 0
    ]
    return Cod(
        total_kopecks=sum(i["kopecks"] for i in items),
        cash_kopecks=sum(i["kopecks"] for i in items if i["payment"] == "cash"),
        card_kopecks=sum(i["kopecks"] for i in items if i["payment"] == "card"),
        orders=len(items),
        items=items,
    )


def _refs(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> list[EventRef]:
    info = parcel_info(conn, (e.parcel for e in events if e.parcel))
    found = []
    for e in events:
        assert e.parcel is not None
        order = e.data.get("order") or info.get(e.parcel, (None, None))[0]
        found.append(
            EventRef(
                ts=e.ts,
                parcel=e.parcel,
                order=None if order is None else str(order),
                clerk=e.clerk,
                station=e.station,
            )
        )
    return found


def refusals(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> list[EventRef]:
    return _refs(conn, [e for e in events if e.kind == "refused" and e.parcel])


def returns(conn: sqlite3.Connection, events: Sequence[Event[Data]]) -> Returns:
    customer = [e for e in events if e.kind == "customer_return" and e.parcel]
    back = [
        e
        for e in events
        if e.parcel and (e.kind == RETURNED_TO_SENDER or e.to_state == ParcelState.RETURNED.value)
    ]
    return Returns(customer=_refs(conn, customer), to_sender=_refs(conn, back))


def waits(conn: sqlite3.Connection, events: Sequence[Event[Data]], tz: tzinfo | None = None) -> Waits:
    """Acceptance to issue for each parcel issued in the window, acceptance times local in `tz`.

    A clock stepped back between the two (a Pi without its network time, set by hand) would
    make a wait negative: it shows as zero, flagged, and stays out of the mean, median and
    maximum, which count only waits the clock can vouch for.
    """
    issued = [e for e in events if e.kind == "issued" and e.parcel]
    barcodes = json.dumps(sorted({e.parcel for e in issued if e.parcel}))
    accepted: dict[str, str] = {}
    sql = (
        "SELECT parcel, ts FROM journal WHERE parcel IN (SELECT value FROM json_each(?)) "
        "AND kind IN ('accepted', 'accepted_late', 'surplus') ORDER BY seq"
    )
    for r in rows(conn, sql, (barcodes,)):
        accepted.setdefault(r["parcel"], r["ts"])
    info = parcel_info(conn, (e.parcel for e in issued if e.parcel))
    found: list[WaitRow] = []
    for e in issued:
        assert e.parcel is not None
        start = accepted.get(e.parcel)
        raw = None if start is None else int((instant(e.ts) - instant(start)).total_seconds())
        seconds = None if raw is None else max(raw, 0)
        order = e.data.get("order") or info.get(e.parcel, (None, None))[0]
        found.append(
            WaitRow(
                parcel=e.parcel,
                order=None if order is None else str(order),
                accepted_at=None if start is None else local_text(start, tz),
                issued_at=e.ts,
                seconds=seconds,
                hours=None if seconds is None else hours(seconds),
                clock_back=raw is not None and raw < 0,
            )
        )
    known = [r["seconds"] for r in found if r["seconds"] is not None and not r["clock_back"]]
    return Waits(
        count=len(known),
        clock_back=sum(1 for r in found if r["clock_back"]),
        mean_hours=hours(statistics.fmean(known)) if known else None,
        median_hours=hours(statistics.median(known)) if known else None,
        max_hours=hours(max(known)) if known else None,
        parcels=found,
    )


def sections(conn: sqlite3.Connection, events: Sequence[Event[Data]], tz: tzinfo | None = None) -> Sections:
    return Sections(
        states=states(conn),
        supplies=supplies(conn, events),
        clerks=clerks(conn, events),
        stations=stations(events),
        cod=cod(events),
        refusals=refusals(conn, events),
        returns=returns(conn, events),
        waits=waits(conn, events, tz),
        events=len(events),
    )
