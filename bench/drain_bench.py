"""Drain benchmark: events/s from a device store to a `pvz-central hub` store through a local Mosquitto, acked end to end."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from central.hub_store import HubStore
from device.store.db import Store
from sync.publisher import BATCH, WINDOW, Publisher
from sync.topics import Topics
from sync.transport import MqttLink
from tests.support.broker import Broker

DEVICE = "pvz-bench-0001"
SITE = "bench-site"
ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 600.0


def fill(store: Store, n: int) -> int:
    """`n` journal events in one transaction, shaped like a placement (about 300 bytes on the wire)."""
    rest = ("BADGE-0001", "placed")
    place = ("accepted", "stored", "A-01-1", '{"size": "S"}')
    stamp = "2026-11-21T09:{:02d}:{:02d}+03:00"
    rows = [
        (
            uuid.uuid4().hex,
            DEVICE,
            stamp.format(i // 60 % 60, i % 60),
            "counter",
            *rest,
            f"{i:08d}-0001-1",
            *place,
        )
        for i in range(n)
    ]
    with store.transaction() as conn:
        store.set_meta("device_id", DEVICE)
        conn.executemany(
            "INSERT INTO journal (event_id, device_id, ts, station, clerk, kind, parcel, from_state, "
            "to_state, cell, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return int(store.scalar("SELECT max(seq) FROM journal"))


def start_hub(port: int, db: Path) -> subprocess.Popen[bytes]:
    """`pvz-central hub` in its own process; returns once it is connected (or fails after 30 s)."""
    args = ["hub", "--broker", f"127.0.0.1:{port}", "--db", str(db), "--client-id", "bench-hub"]
    proc = subprocess.Popen([sys.executable, "-m", "central.cli", *args], cwd=ROOT, stderr=subprocess.PIPE)
    ready = threading.Event()

    def watch() -> None:
        assert proc.stderr is not None
        for line in iter(proc.stderr.readline, b""):
            if b"connected to" in line:
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    if not ready.wait(30):
        proc.kill()
        raise RuntimeError("pvz-central hub did not connect to the broker")
    time.sleep(0.2)  # its SUBSCRIBE lands; a batch sent before that would only be resent later
    return proc


async def drain(store: Store, port: int, last: int, window: int) -> dict[str, Any]:
    link = MqttLink(client_id=DEVICE, host="127.0.0.1", port=port, reconnect=(0.1, 1.0))
    publisher = Publisher(store, link, Topics(SITE, DEVICE), window=window, poll=1.0)
    link.start(asyncio.get_running_loop())
    await link.wait_connected(30)
    start = time.perf_counter()
    task = asyncio.create_task(publisher.run())
    while publisher.acked < last:
        await asyncio.sleep(0.005)
    seconds = time.perf_counter() - start
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    link.stop()
    return {"seconds": seconds, **publisher.status()}


def run(
    events: int = 100_000, *, window: int = WINDOW, progress: Callable[[str], None] = print
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pvz-drain-") as tmp:
        work = Path(tmp)
        broker = Broker(work / "broker")
        broker.start()
        try:
            progress(f"filling the journal with {events} events …")
            with Store.open(work / "device.db") as store:
                last = fill(store, events)
                hub = start_hub(broker.port, work / "hub.db")
                try:
                    progress(f"draining through mosquitto on port {broker.port} to pvz-central hub …")
                    result = asyncio.run(asyncio.wait_for(drain(store, broker.port, last, window), TIMEOUT_S))
                finally:
                    hub.terminate()
                    hub.wait(30)
            held = HubStore(work / "hub.db")
            try:
                result["hub_events"] = held.count()
                distinct = held.conn.execute("SELECT count(DISTINCT event_id) FROM events").fetchone()[0]
                result["hub_distinct"] = int(distinct)
            finally:
                held.close()
        finally:
            broker.stop()
    result.update(events=events, batch=BATCH, window=window, events_per_s=events / result["seconds"])
    result.update(machine=f"{platform.machine()}, {os.cpu_count()} cpu, Python {platform.python_version()}")
    return result


def format_report(r: dict[str, Any]) -> str:
    ok = "every event exactly once" if r["hub_events"] == r["hub_distinct"] == r["events"] else "MISMATCH"
    return "\n".join(
        [
            f"drain: {r['events']:,} events, device store → mosquitto → pvz-central hub store, acked end to end",
            f"  {r['seconds']:.2f} s, {r['events_per_s']:,.0f} events/s "
            f"(batch {r['batch']}, window {r['window']}, {r['batches_sent']} batches sent, "
            f"{r['resends']} resends)",
            f"  hub holds {r['hub_events']:,} events: {ok}",
            f"  {r['machine']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.drain_bench", description=__doc__)
    parser.add_argument(
        "--events", type=int, default=100_000, help="journal events to drain (default 100000)"
    )
    parser.add_argument("--window", type=int, default=WINDOW, help=f"batches in flight (default {WINDOW})")
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    report = run(args.events, window=args.window, progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(format_report(report))
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if report["hub_events"] == report["hub_distinct"] == report["events"] else 1


if __name__ == "__main__":
    sys.exit(main())
