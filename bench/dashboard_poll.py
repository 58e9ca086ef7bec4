"""How long one round of the dashboard's live feed holds the hub's loop: the store read for every
section (central/dashboard/views.py snapshot) with a fleet of N devices, each with a status and
telemetry, a command answered, and a day of outbox samples; plus the chart's once-a-minute query.

    .venv/bin/python -m bench.dashboard_poll [--devices 1000] [--rounds 30] [--db postgresql://…]

The round runs on the hub's own loop once a second while a page is open (central/dashboard/
server.py POLL_S), so its time is time the hub does not store batches: compare it with the load
target (p99 lag ≤ 2 s, bench/README.md "Fleet load").
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from central.dashboard import views
from central.dashboard.history import OutboxHistory
from central.hub_store import open_store
from central.store_api import CentralStore


def fill(store: CentralStore, devices: int, minutes: int) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    names = [(f"site-{i // 10:03d}", f"pvz-{i:05d}") for i in range(devices)]
    for i, (site, device) in enumerate(names):
        status: dict[str, Any] = {
            "online": i % 17 != 0,
            "site": site,
            "device": device,
            "version": "0.2.0" if i % 3 else "0.1.0",
            "counts": {"outbox_depth": i % 40, "tickets_open": i % 5 == 0},
            "config": {"version": 3, "hash": "h", "applied": True, "reason": None},
            "health": {
                "printers": {"s1": {"state": "ready", "paper": "out" if i % 50 == 0 else "ok"}},
                "scanners": {"total": 2, "connected": 2},
                "alerts": [],
            },
        }
        store.record_status(site, device, status)
        store.record_telemetry(site, device, {"disk_free_bytes": 10**10, "store": {"integrity": "ok"}}, 0.2)
        store.record_request(site, device, "command", f"c-{i}", operator=None, detail={"name": "ping"})
        store.record_reply(site, device, "n", {"id": f"c-{i}", "ok": True})
    for m in range(minutes, 0, -1):
        store.record_outbox([(s, d, m % 7) for s, d in names], now - timedelta(minutes=m))


def run(db: str, devices: int, rounds: int, minutes: int) -> dict[str, Any]:
    store = open_store(db)
    try:
        started = time.perf_counter()
        fill(store, devices, minutes)
        filled_s = time.perf_counter() - started
        times = []
        size = 0
        for _ in range(rounds):
            t0 = time.perf_counter()
            sections = views.snapshot(store, {})
            times.append((time.perf_counter() - t0) * 1000)
            size = len(json.dumps(sections, ensure_ascii=False).encode())
        chart = []
        for _ in range(max(3, rounds // 10)):
            history = OutboxHistory(store, keep_days=7)  # a fresh one: no chart kept yet
            t0 = time.perf_counter()
            points = history.chart()
            chart.append((time.perf_counter() - t0) * 1000)
        return {
            "devices": devices,
            "samples": devices * minutes,
            "fill_s": round(filled_s, 1),
            "round_p50_ms": round(statistics.median(times), 1),
            "round_max_ms": round(max(times), 1),
            "sections_kb": round(size / 1024, 1),
            "chart_p50_ms": round(statistics.median(chart), 1),
            "chart_points": len(points),
        }
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--minutes", type=int, default=24 * 60, help="outbox samples per device")
    parser.add_argument("--db", help="postgresql://… (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "hub.db")
        print(json.dumps(run(db, args.devices, args.rounds, args.minutes), indent=2))


if __name__ == "__main__":
    main()
