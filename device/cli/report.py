"""`pvz report day|week|month|period|shift|parcel|export`: its arguments, and the text or JSON it prints."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from device.cli.common import Add, store_opts, store_path
from device.exc import PvzError
from device.reports.period import month, week
from device.store.clock import TIMEZONE_KEY

if TYPE_CHECKING:
    from device.reports.types import Stats

    Draw = Callable[[Path, Stats, str], Path]

# --week and --month without a value: the week or month of --date, else of today at the site.
TODAY = date.min

ACTIONS = ("day", "week", "month", "period", "shift", "parcel", "export")
PERIODS = ("day", "week", "month", "period")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _month(text: str) -> date:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("code", nargs="?", help="parcel barcode or order number (for `parcel`)")
    p.add_argument("--date", type=_date, help="the day, YYYY-MM-DD (default: today at the site)")
    p.add_argument(
        "--tz",
        metavar="ZONE",
        help="the site's time zone, e.g. Europe/Moscow (default: [device] timezone of --config, "
        "else the zone the daemon last ran with on this store)",
    )
    p.add_argument("--from", type=_date, dest="first", metavar="DATE", help="first day of a period")
    p.add_argument("--to", type=_date, dest="last", metavar="DATE", help="last day of a period (included)")
    p.add_argument(
        "--week", type=_date, nargs="?", const=TODAY, metavar="DATE", help="the Monday-Sunday week of DATE"
    )
    p.add_argument("--month", type=_month, nargs="?", const=TODAY, metavar="YYYY-MM", help="a calendar month")
    p.add_argument("--clerk", metavar="BADGE", help="only this clerk's work")
    p.add_argument("--station", metavar="NAME", help="only this station's work")
    p.add_argument("--id", type=int, dest="shift_id", help="shift number (default: the shifts of --date)")
    p.add_argument("--csv", metavar="DIR", help="directory for the CSV files (for `export`)")
    p.add_argument("--xlsx", metavar="FILE", help="Excel workbook to write (for `export`)")
    p.add_argument(
        "--chart",
        metavar="FILE.png",
        help="also draw parcels in/out and money per day as a PNG (for day, week, month, period; "
        "with `export --xlsx`, embedded in the workbook too)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text tables")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the text output")


def run(args: argparse.Namespace, store_path: Path) -> str:
    """The report the arguments ask for, as the text to print."""
    from device.reports import text
    from device.reports.build import (
        day_report,
        export_csv,
        parcel_history,
        period_report,
        shift_report,
        shifts_on,
    )
    from device.reports.chart import write_chart
    from device.reports.history import history_text
    from device.reports.tables import t
    from device.reports.xlsx_export import write_xlsx
    from device.store.db import Store

    if args.action == "parcel" and not args.code:
        raise PvzError("report parcel: give a parcel barcode or an order number")
    if args.action == "export" and not (args.csv or args.xlsx):
        raise PvzError("report export: give the output directory with --csv DIR or a file with --xlsx FILE")
    if not store_path.exists():
        raise PvzError(f"{store_path}: no store there")
    lang = args.lang
    with Store.open(store_path) as store:
        tz = _zone(args, store.get_meta(TIMEZONE_KEY))
        day = args.date or datetime.now(tz).date()
        first, last = period(args, day)
        filters = {"clerk": args.clerk, "station": args.station}
        narrowed = args.action == "period" or (first, last) != (day, day) or any(filters.values())
        if args.action == "day" and not narrowed:
            rep = day_report(store, day, tz)
            drawn = _chart(args, rep["stats"], lang, write_chart)
            return _json(rep) if args.json else "\n".join([text.day_text(rep, lang), *drawn])
        if args.action in PERIODS:
            report = period_report(store, first, last, tz, **filters)
            drawn = _chart(args, report["stats"], lang, write_chart)
            return _json(report) if args.json else "\n".join([text.period_text(report, lang), *drawn])
        if args.action == "shift":
            ids = [args.shift_id] if args.shift_id is not None else shifts_on(store, day, tz)
            reports = [shift_report(store, i, tz=tz) for i in ids]
            if args.json:
                return _json(reports[0] if args.shift_id is not None else reports)
            if not reports:
                return t(lang, "rep_no_shifts", date=day.isoformat())
            return "\n\n".join(text.shift_text(r, lang) for r in reports)
        if args.action == "parcel":
            history = parcel_history(store, args.code, tz)
            return _json(history) if args.json else history_text(history, lang)
        paths = []
        if args.csv:
            paths += export_csv(store, Path(args.csv), first, tz, last=last, **filters)
        if args.xlsx:
            report = period_report(store, first, last, tz, **filters)
            chart = None
            if args.chart:
                chart = write_chart(Path(args.chart), report["stats"], lang)
                paths.append(chart)
            paths.append(write_xlsx(Path(args.xlsx), report, lang, chart=chart))
    if args.json:
        return _json([str(p) for p in paths])
    where = args.csv or str(Path(args.xlsx).parent)
    done = t(lang, "rep_exported", count=len(paths), dir=where)
    return "\n".join([done, *(str(p) for p in paths)])


def period(args: argparse.Namespace, day: date) -> tuple[date, date]:
    """The dates asked for: --from/--to, --week, --month, else the one day (--date or today)."""
    chosen = [args.first is not None or args.last is not None, args.week is not None, args.month is not None]
    if sum(chosen) > 1:
        raise PvzError("report: give one of --from/--to, --week, --month")
    if args.week is not None:
        return week(day if args.week is TODAY else args.week)
    if args.month is not None:
        return month(day if args.month is TODAY else args.month)
    if args.action == "week" and not chosen[0]:
        return week(day)
    if args.action == "month" and not chosen[0]:
        return month(day)
    first = args.first or args.last or day
    last = args.last or args.first or day
    if last < first:
        raise PvzError(f"report: --to {last} is before --from {first}")
    return first, last


def _chart(args: argparse.Namespace, stats: Stats, lang: str, draw: Draw) -> list[str]:
    """The chart asked for with --chart, drawn; the line that says where it went."""
    if not args.chart:
        return []
    from device.reports.tables import t

    path = draw(Path(args.chart), stats, lang)
    return ["", t(lang, "stat_chart_written", path=str(path))]


def _zone(args: argparse.Namespace, stored: str | None) -> tzinfo | None:
    """The site's zone: --tz, else the config's, else the one the daemon recorded in the store."""
    name = args.tz
    if name is None and args.config:
        from device.config import load_config

        name = load_config(args.config).device.timezone
    name = name or stored
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PvzError(f"unknown time zone {name!r}") from None


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _store_info(args: argparse.Namespace) -> int:
    from device.store.db import SCHEMA_VERSION, Store
    from device.store.summary import summary

    with Store.open(store_path(args)) as store:
        info = {"schema_version": store.version, "code_schema_version": SCHEMA_VERSION, **summary(store)}
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def _store(args: argparse.Namespace) -> int:
    if args.action == "info":
        return _store_info(args)
    from device.cli import store_safety

    return store_safety.run(args)


def _report(args: argparse.Namespace) -> int:
    print(run(args, store_path(args)))
    return 0


def register(add: Add) -> None:
    p = add("store", "a store's counts; check, back up, restore, migrate", _store)
    p.add_argument("action", choices=["info", "check", "backup", "restore", "migrate"])
    p.add_argument("file", nargs="?", help="the backup file to put in place (for `restore`)")
    p.add_argument("--to", help="the new backup file (for `backup`; default: STORE.backup-<time> beside it)")
    p.add_argument("--full", action="store_true", help="run the full integrity_check (for `check`)")
    store_opts(p)

    p = add("report", "day, period, shift, parcel reports; CSV/xlsx", _report)
    add_arguments(p)
    store_opts(p)
