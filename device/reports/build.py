"""Reports computed from the store: the day, a clerk's shift, a parcel's history, CSV export."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import msgspec

from device.exc import PvzError
from device.reports.csv_export import write_csv
from device.reports.period import only
from device.reports.sections import clerk_names, rows, sections
from device.reports.stats import stats
from device.reports.types import (
    DayReport,
    History,
    HistoryEvent,
    Origin,
    ParcelHistory,
    PeriodReport,
    ShiftHeader,
    ShiftReport,
)
from device.store.clock import instant, local_text
from device.store.db import Store
from device.store.journal import Data, Event, read_events

Source = Store | sqlite3.Connection

# The exception queue's own events: its tickets are in the tickets table (pvz tickets ls), not the
# day's work that these reports count.
NOT_TICKETS = " AND kind NOT IN ('ticket_opened', 'ticket_resolved')"


class ReportError(PvzError, LookupError):
    """A report names something the store does not hold (a parcel, an order, a shift)."""


def _conn(src: Source) -> sqlite3.Connection:
    return src.conn if isinstance(src, Store) else src


def _aware(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def local_date(ts: str, tz: tzinfo | None = None) -> date:
    """The calendar day of a time: as written in the string, or in `tz` when one is given."""
    dt = datetime.fromisoformat(ts)
    if tz is None or dt.tzinfo is None:
        return dt.date()
    return dt.astimezone(tz).date()


def _local(events: list[Event[Data]], tz: tzinfo | None) -> list[Event[Data]]:
    """Events as the site reads them: each time in the site's zone (as written without one)."""
    if tz is None:
        return events
    return [msgspec.structs.replace(e, ts=local_text(e.ts, tz)) for e in events]


def _near(
    conn: sqlite3.Connection, first: date, last: date, extra: str = "", params: tuple[str, ...] = ()
) -> list[Event[Data]]:
    """Events written on first-1 .. last+1 (any offset lands there), filtered further by the caller."""
    since = (first - timedelta(days=1)).isoformat()
    until = (last + timedelta(days=1)).isoformat()
    return read_events(
        conn, f"substr(ts, 1, 10) BETWEEN ? AND ?{extra}{NOT_TICKETS}", (since, until, *params)
    )


def day_events(src: Source, day: date, tz: tzinfo | None = None) -> list[Event[Data]]:
    """The journal of one calendar day in the site's zone `tz`, in sequence order, times local."""
    conn = _conn(src)
    if tz is None:
        return read_events(conn, "substr(ts, 1, 10) = ?" + NOT_TICKETS, (day.isoformat(),))
    return _local([e for e in _near(conn, day, day) if local_date(e.ts, tz) == day], tz)


def period_events(src: Source, first: date, last: date, tz: tzinfo | None = None) -> list[Event[Data]]:
    """The journal of local dates first .. last (both included) in the site's zone `tz`."""
    conn = _conn(src)
    if tz is None:
        return read_events(
            conn, "substr(ts, 1, 10) BETWEEN ? AND ?" + NOT_TICKETS, (first.isoformat(), last.isoformat())
        )
    return _local([e for e in _near(conn, first, last) if first <= local_date(e.ts, tz) <= last], tz)


def period_report(
    src: Source,
    first: date,
    last: date,
    tz: tzinfo | None = None,
    *,
    clerk: str | None = None,
    station: str | None = None,
) -> PeriodReport:
    """The day report's sections over dates first .. last, of one clerk and/or station when named.

    Parcels by state stay the whole store now: a filter narrows the work, not the shelves.
    """
    if last < first:
        raise ReportError(f"the period ends ({last}) before it begins ({first})")
    conn = _conn(src)
    events = only(period_events(conn, first, last, tz), clerk, station)
    return PeriodReport(
        date_from=first.isoformat(),
        date_to=last.isoformat(),
        clerk=clerk,
        station=station,
        stats=stats(conn, events, first, last, tz, clerk=clerk, station=station),
        **sections(conn, events, tz),
    )


def day_report(src: Source, day: date, tz: tzinfo | None = None) -> DayReport:
    """Day D: the events whose time falls on D at the site (in `tz`; as written without one)."""
    conn = _conn(src)
    events = day_events(conn, day, tz)
    return DayReport(
        date=day.isoformat(), stats=stats(conn, events, day, day, tz), **sections(conn, events, tz)
    )


def _shift(conn: sqlite3.Connection, shift_id: int, now: datetime | None, tz: tzinfo | None) -> ShiftHeader:
    found = rows(
        conn,
        "SELECT s.id, s.badge, s.station, s.opened_at, s.closed_at, c.name FROM shifts s "
        "LEFT JOIN clerks c ON c.badge = s.badge WHERE s.id = ?",
        (shift_id,),
    )
    if not found:
        raise ReportError(f"no shift {shift_id} in the store")
    r = found[0]
    # A shift still open runs until now, written in the offset its opening was written in.
    zone = instant(r["opened_at"]).tzinfo
    until = r["closed_at"] or _aware(now).astimezone(zone).isoformat(timespec="seconds")
    return ShiftHeader(
        id=r["id"],
        badge=r["badge"],
        clerk=r["name"] or "",
        station=r["station"],
        opened_at=local_text(r["opened_at"], tz),
        closed_at=None if r["closed_at"] is None else local_text(r["closed_at"], tz),
        until=local_text(until, tz),
    )


def shift_report(
    src: Source, shift_id: int, *, now: datetime | None = None, tz: tzinfo | None = None
) -> ShiftReport:
    """One shift: its clerk's events from opening to closing (or `now`, for a shift still open).

    With the site's zone `tz`, every time in the report is local there.
    """
    conn = _conn(src)
    header = _shift(conn, shift_id, now, tz)
    start, end = instant(header["opened_at"]), instant(header["until"])
    near = _near(conn, start.date(), end.date(), " AND clerk = ?", (header["badge"],))
    events = _local([e for e in near if start <= instant(e.ts) <= end], tz)
    return ShiftReport(shift=header, **sections(conn, events, tz))


def shifts_on(src: Source, day: date, tz: tzinfo | None = None) -> list[int]:
    """Shifts that were open at some time of day D (one still open counts for every later day)."""
    found = []
    for r in rows(_conn(src), "SELECT id, opened_at, closed_at FROM shifts ORDER BY id"):
        opened = local_date(r["opened_at"], tz)
        closed = None if r["closed_at"] is None else local_date(r["closed_at"], tz)
        if opened <= day and (closed is None or closed >= day):
            found.append(int(r["id"]))
    return found


def _origin(conn: sqlite3.Connection, supply: str | None, tz: tzinfo | None) -> Origin | None:
    if supply is None:
        return None
    meta = rows(conn, "SELECT carrier, version, imported_at FROM supplies WHERE id = ?", (supply,))
    version = meta[0]["version"] if meta else None
    imports = read_events(
        conn, "kind = 'manifest_imported' AND json_extract(data, '$.supply') = ?", (supply,)
    )
    matching = [e for e in imports if e.data.get("version") == version] or imports
    last = matching[-1] if matching else None
    imported = meta[0]["imported_at"] if meta else None
    return Origin(
        supply=supply,
        carrier=meta[0]["carrier"] if meta else None,
        version=version,
        imported_at=None if imported is None else local_text(imported, tz),
        manifest_event_ts=None if last is None else local_text(last.ts, tz),
        manifest_parcels=None if last is None else last.data.get("parcels"),
    )


def _parcel(
    conn: sqlite3.Connection, row: sqlite3.Row, names: dict[str, str], tz: tzinfo | None
) -> ParcelHistory:
    events = [
        HistoryEvent(
            seq=e.seq,
            ts=local_text(e.ts, tz),
            kind=e.kind,
            from_state=e.from_state,
            to_state=e.to_state,
            clerk=e.clerk,
            clerk_name=None if e.clerk is None else names.get(e.clerk),
            station=e.station,
            cell=e.cell,
            data=e.data,
        )
        for e in read_events(conn, "parcel = ?" + NOT_TICKETS, (row["barcode"],))
    ]
    return ParcelHistory(
        barcode=row["barcode"],
        kind=row["kind"],
        order=row["order_id"],
        state=row["state"],
        cell=row["address"],
        origin=_origin(conn, row["supply_id"], tz),
        events=events,
    )


def parcel_history(src: Source, code: str, tz: tzinfo | None = None) -> History:
    """A parcel's origin and every event about it; for an order number, each of its parcels.

    With the site's zone `tz`, every time is local there.
    """
    conn = _conn(src)
    sql = (
        "SELECT p.barcode, p.kind, p.order_id, p.supply_id, p.state, c.address FROM parcels p "
        "LEFT JOIN cells c ON c.id = p.cell_id WHERE "
    )
    found, by = rows(conn, sql + "p.barcode = ?", (code,)), "parcel"
    if not found:
        found, by = rows(conn, sql + "p.order_id = ? ORDER BY p.barcode", (code,)), "order"
    if not found:
        raise ReportError(f"no parcel or order {code!r} in the store")
    names = clerk_names(conn)
    return History(code=code, by=by, parcels=[_parcel(conn, r, names, tz) for r in found])


def parcels_table(src: Source) -> list[sqlite3.Row]:
    """Every parcel the store holds, for the exports."""
    return rows(
        _conn(src),
        "SELECT p.barcode, p.kind, p.order_id, p.supply_id, p.state, c.address AS cell, p.size, "
        "p.cod_kopecks, p.surplus, p.damaged, p.return_reason, p.issued_at, p.updated_at "
        "FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id ORDER BY p.barcode",
    )


def export_csv(
    src: Source,
    out_dir: Path,
    day: date,
    tz: tzinfo | None = None,
    *,
    last: date | None = None,
    clerk: str | None = None,
    station: str | None = None,
) -> list[Path]:
    """The report of `day` (to `last`, when given) as CSV files, plus its journal and every parcel."""
    conn = _conn(src)
    report = period_report(conn, day, last or day, tz, clerk=clerk, station=station)
    events = only(period_events(conn, day, last or day, tz), clerk, station)
    return write_csv(Path(out_dir), report, events, parcels_table(conn))
