"""`pvz privacy purge`: the daily purge of customer data, run by hand (or only counted, dry)."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from device.cli.common import Add, store_opts, store_path
from device.exc import PvzError

MAX_DAYS = 365


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _days(text: str) -> int:
    """The same bounds as [privacy] purge_after_days."""
    if not text.isdigit() or int(text) > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"not a whole number of days from 0 to {MAX_DAYS}: {text!r}")
    return int(text)


def _zone(name: str | None) -> tzinfo:
    if name is None:
        raise PvzError(
            "privacy purge: the site's time zone is unknown: give --tz (e.g. Europe/Moscow) or --config"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PvzError(f"unknown time zone {name!r}") from None


def _purge(args: argparse.Namespace) -> int:
    from device.config import load_config
    from device.config_schema import PrivacySection
    from device.privacy.purge import purge
    from device.store.clock import TIMEZONE_KEY
    from device.store.db import Store
    from device.store.journal import Stamp
    from workflows.messages import Msg, Param

    config = load_config(args.config) if args.config else None
    days = args.days
    if days is None:
        days = (config.privacy if config is not None else PrivacySection()).purge_after_days
    path = store_path(args)
    if not path.exists():
        raise PvzError(f"{path}: no store there")
    with Store.open(path) as store:
        tz = _zone(
            args.tz or (config.device.timezone if config is not None else store.get_meta(TIMEZONE_KEY))
        )
        now = datetime.now(tz) if args.today is None else datetime.combine(args.today, time(12), tzinfo=tz)
        stamp = Stamp(store.get_meta("device_id") or "unknown", now.isoformat(timespec="seconds"))
        result = purge(store, now=now, days=days, stamp=stamp, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False))
        return 0
    key = "prv_would_purge" if result.dry_run else "prv_purged"
    params: dict[str, Param] = {
        "count": result.orders,
        "receipts": result.receipts,
        "date": result.kept_from.isoformat(),
    }
    print(Msg(key, params).render(args.lang))
    return 0


def register(add: Add) -> None:
    p = add("privacy", "erase the customer data of orders done long ago", _purge)
    p.add_argument("action", choices=["purge"])
    p.add_argument("--dry-run", action="store_true", help="count what would be erased, change nothing")
    p.add_argument(
        "--days",
        type=_days,
        help="keep orders done this many days ago or later (default: [privacy] purge_after_days, 30)",
    )
    p.add_argument(
        "--today", type=_date, help="the day at the site to count from, YYYY-MM-DD (default: today)"
    )
    p.add_argument(
        "--tz",
        metavar="ZONE",
        help="the site's time zone (default: [device] timezone of --config, else the daemon's last)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a sentence")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the output")
    store_opts(p)
