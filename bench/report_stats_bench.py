"""`python -m bench.report_stats_bench [--parcels N]`: how long the owner's figures take.

Over a bench store (bench/store_build.py: months of history), for the busiest month and the
busiest week in it: the statistics alone (device/reports/stats.py, from events already read),
the whole period report that carries them (reading the journal included), and the PNG chart
(matplotlib's first import included in `chart_first_ms`). Each figure is the best of
`--repeats` runs; the report runs on demand from `pvz report`, never on the daemon's loop.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.settings import DB_NAME
from bench.store_build import build_store
from device.reports.build import period_events, period_report
from device.reports.chart import write_chart
from device.reports.period import month, week
from device.reports.stats import stats
from device.store.db import Store

MSK = ZoneInfo("Europe/Moscow")


def _best(repeats: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return round(best, 1)


def _busiest(store: Store) -> date:
    row = store.conn.execute(
        "SELECT substr(ts, 1, 7) AS m, count(*) AS n FROM journal GROUP BY m ORDER BY n DESC LIMIT 1"
    ).fetchone()
    return date.fromisoformat(f"{row[0]}-01")


def _span(store: Store, first: date, last: date, repeats: int, png: Path) -> dict[str, Any]:
    events = period_events(store, first, last, MSK)
    report = period_report(store, first, last, MSK)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "events": len(events),
        "parcels_in": sum(c["parcels_in"] for c in report["stats"]["channels"]),
        "parcels_out": sum(c["parcels_out"] for c in report["stats"]["channels"]),
        "stats_ms": _best(repeats, lambda: stats(store.conn, events, first, last, MSK)),
        "report_ms": _best(repeats, lambda: period_report(store, first, last, MSK)),
        "chart_ms": _best(repeats, lambda: write_chart(png, report["stats"], "ru")),
    }


def run(parcels: int, repeats: int, tmp: Path) -> dict[str, Any]:
    db = tmp / DB_NAME
    build_store(db, parcels, 10, random.Random(15), lambda _: None)
    with Store.open(db) as store:
        busiest = _busiest(store)
        first_chart = tmp / "first.png"
        t0 = time.perf_counter()
        write_chart(first_chart, period_report(store, *week(busiest), MSK)["stats"], "ru")
        chart_first_ms = round((time.perf_counter() - t0) * 1000, 1)
        return {
            "parcels": parcels,
            "repeats": repeats,
            "chart_first_ms": chart_first_ms,
            "month": _span(store, *month(busiest), repeats, tmp / "month.png"),
            "week": _span(store, *week(busiest), repeats, tmp / "week.png"),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.parcels, args.repeats, Path(tmp))
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
