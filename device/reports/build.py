"""Reports computed from the store: the day, a clerk's shift, a parcel's history, CSV export."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

from device.exc import PvzError
from device.reports.csv_export import write_csv
from device.reports.sections import clerk_names, rows, sections
from device.reports.types import (
    DayReport,
    History,
    HistoryEvent,
    Origin,
    ParcelHistory,
    ShiftHeader,
    ShiftReport,
)
from device.store.db import Store
from device.store.journal import Data, Event, read_events

Source = Store | sqlite3.Connection


class ReportError(PvzError, LookupError):
    """A report names something the store does not hold (a parcel, an order, a shift)."""


def _conn(src: Source) -> sqlite3.Connection:
    return src.conn if isinstance(src, Store) else src


def _instant(ts: str) -> datetime:
    """A journal time as an aware datetime (a time without offset is taken as UTC)."""
    dt = datetime.fromisoformat(ts)
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


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


def _near(
    conn: sqlite3.Connection, first: date, last: date, extra: str = "", params: tuple[str, ...] = ()
) -> list[Event[Data]]:
    """Events written on first-1 .. last+1 (any offset lands there), filtered further by the caller."""
    since = (first - timedelta(days=1)).isoformat()
    until = (last + timedelta(days=1)).isoformat()
    return read_events(conn, f"substr(ts, 1, 10) BETWEEN ? AND ?{extra}", (since, until, *params))


def day_events(src: Source, day: date, tz: tzinfo | None = None) -> list[Event[Data]]:
    """The journal of one calendar day, in sequence order."""
    conn = _conn(src)
    if tz is None:
        return read_events(conn, "substr(ts, 1, 10) = ?", (day.isoformat(),))
    return [e for e in _near(conn, day, day) if local_date(e.ts, tz) == day]


def day_report(src: Source, day: date, tz: tzinfo | None = None) -> DayReport:
    """Day D: the events whose time falls on D (the date as written, or in `tz` if given)."""
    conn = _conn(src)
    return DayReport(date=day.isoformat(), **sections(conn, day_events(conn, day, tz)))


def _shift(conn: sqlite3.Connection, shift_id: int, now: datetime | None) -> ShiftHeader:
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
    zone = _instant(r["opened_at"]).tzinfo
    until = r["closed_at"] or _aware(now).astimezone(zone).isoformat(timespec="seconds")
    return ShiftHeader(
        id=r["id"],
        badge=r["badge"],
        clerk=r["name"] or "",
        station=r["station"],
        opened_at=r["opened_at"],
        closed_at=r["closed_at"],
        until=until,
    )


def shift_report(src: Source, shift_id: int, *, now: datetime | None = None) -> ShiftReport:
    """One shift: its clerk's events from opening to closing (or `now`, for a shift still open)."""
    conn = _conn(src)
    header = _shift(conn, shift_id, now)
    start, end = _instant(header["opened_at"]), _instant(header["until"])
    near = _near(conn, start.date(), end.date(), " AND clerk = ?", (header["badge"],))
    events = [e for e in near if start <= _instant(e.ts) <= end]
    return ShiftReport(shift=header, **sections(conn, events))


def shifts_on(src: Source, day: date, tz: tzinfo | None = None) -> list[int]:
    """Shifts that were open at some time of day D (one still open counts for every later day)."""
    found = []
    for r in rows(_conn(src), "SELECT id, opened_at, closed_at FROM shifts ORDER BY id"):
        opened = local_date(r["opened_at"], tz)
        closed = None if r["closed_at"] is None else local_date(r["closed_at"], tz)
        if opened <= day and (closed is None or closed >= day):
            found.append(int(r["id"]))
    return found


def _origin(conn: sqlite3.Connection, supply: str | None) -> Origin | None:
    if supply is None:
        return None
    meta = rows(conn, "SELECT carrier, version, imported_at FROM supplies WHERE id = ?", (supply,))
    version = meta[0]["version"] if meta else None
    imports = read_events(
        conn, "kind = 'manifest_imported' AND json_extract(data, '$.supply') = ?", (supply,)
    )
    matching = [e for e in imports if e.data.get("version") == version] or imports
    last = matching[-1] if matching else None
    return Origin(
        supply=supply,
        carrier=meta[0]["carrier"] if meta else None,
        version=version,
        imported_at=meta[0]["imported_at"] if meta else None,
        manifest_event_ts=None if last is None else last.ts,
        manifest_parcels=None if last is None else last.data.get("parcels"),
    )


def _parcel(conn: sqlite3.Connection, row: sqlite3.Row, names: dict[str, str]) -> ParcelHistory:
    events = [
        HistoryEvent(
            seq=e.seq,
            ts=e.ts,
            kind=e.kind,
            from_state=e.from_state,
            to_state=e.to_state,
            clerk=e.clerk,
            clerk_name=None if e.clerk is None else names.get(e.clerk),
            station=e.station,
            cell=e.cell,
            data=e.data,
        )
        for e in read_events(conn, "parcel = ?", (row["barcode"],))
    ]
    return ParcelHistory(
        barcode=row["barcode"],
        kind=row["kind"],
        order=row["order_id"],
        state=row["state"],
        cell=row["address"],
        origin=_origin(conn, row["supply_id"]),
        events=events,
    )


def parcel_history(src: Source, code: str) -> History:
    """A parcel's origin and every event about it; for an order number, each of its parcels."""
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
    return History(code=code, by=by, parcels=[_parcel(conn, r, names) for r in found])


def export_csv(src: Source, out_dir: Path, day: date, tz: tzinfo | None = None) -> list[Path]:
    """The day report as CSV files (UTF-8, header row) plus the day's journal and every parcel."""
    conn = _conn(src)
    events = day_events(conn, day, tz)
    report = DayReport(date=day.isoformat(), **sections(conn, events))
    parcels = rows(
        conn,
        "SELECT p.barcode, p.kind, p.order_id, p.supply_id, p.state, c.address AS cell, p.size, "
        "p.cod_kopecks, p.surplus, p.damaged, p.return_reason, p.issued_at, p.updated_at "
        "FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id ORDER BY p.barcode",
    )
    return write_csv(Path(out_dir), report, events, parcels)
