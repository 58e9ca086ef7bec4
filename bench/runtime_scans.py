"""Scans through the real runtime (Runtime.process, simulated drivers) against a raw sqlite3 loop
doing the same indexed lookups, update, insert and commit with the same pragmas, in one run.

The runtime's scans include the engine's decision and durable commit (synchronous=FULL) and the
feedback: status light, buzzer, screen text, rack lights. The WAL is checkpointed as the daemon
does it (device/store/checkpoint.py): never in the commit, from a second connection in a thread
when the WAL passes its limit (the counter here is never idle).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.scans import ONE_OFF, sign_in
from bench.scans import drive as drive_rounds
from bench.settings import ACC, DEVICE, KEY, STATIONS
from bench.stats import stats
from bench.store_build import Fixture
from device.documents.registry import Documents
from device.engine import Engine, Result
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.checkpoint import Checkpointer
from device.store.db import Store
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from workflows.inputs import Command

# Which phase of the counter's work each timed operation belongs to.
PHASE = {
    "accept": "acceptance",
    "place_parcel_order_cell": "placement",
    "place_parcel_empty_cell": "placement",
    "place_cell": "placement",
    "find_issue_code": "issue",
    "find_pickup_code": "issue",
    "id_checked": "issue",
    "take": "issue",
    "paid": "issue",
    "done": "issue",
    "unknown": "issue",
}


def build_runtime(store: Store) -> Runtime:
    """The runtime as wiring builds it, over simulated drivers (no printer: jobs stay queued, as
    the daemon prints them in worker threads off the scan path)."""
    store.defer_checkpoints()
    docs = Documents(site="bench-site", device_id=DEVICE, lang="ru")
    engine = Engine(store, device_id=DEVICE, pickup_key=KEY, docs=docs)
    stations = [
        StationIO(name, status_light=SimStatusLight(), buzzer=SimBuzzer(), screen=SimScreen())
        for name in STATIONS
    ]
    return Runtime(engine, stations=stations, rack=SimCellLights())


@dataclass
class Background:
    """The daemon's checkpoint task, as a thread: the bench drives process() synchronously."""

    checkpointer: Checkpointer
    stop: threading.Event = field(default_factory=threading.Event)
    runs: int = 0

    def loop(self) -> None:
        while not self.stop.wait(0.5):
            if self.checkpointer.due(idle_s=0.0):
                self.checkpointer.run()
                self.runs += 1

    def __enter__(self) -> Background:
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.checkpointer.close()


def scan_phase(store: Store, fx: Fixture, scans: int, rng: random.Random) -> dict[str, Any]:
    """Counter rounds (accept, place, issue, refuse) through Runtime.process; latency by phase."""
    runtime = build_runtime(store)
    sign_in(runtime.engine)

    def handle(station: str, raw: str, keyed: bool) -> Result:
        return runtime.process(station, raw, keyed=keyed)

    with Background(Checkpointer(store.path)) as bg:
        timer, wall = drive_rounds(runtime.engine, fx, scans, rng, handle)
    timed = {k: v for k, v in timer.samples.items() if k not in ONE_OFF and v}
    phases: dict[str, list[int]] = {}
    for key, samples in timed.items():
        phases.setdefault(PHASE[key], []).extend(samples)
    everything = [x for v in timed.values() for x in v]
    return {
        "all": stats(everything),
        "phases": {name: stats(v) for name, v in phases.items()},
        "operations": {k: stats(v) for k, v in timed.items()},
        "wall_scans_per_s": round(len(everything) / wall, 1),
        "checkpoints": bg.runs,
        "samples_ms": {name: [x / 1e6 for x in v] for name, v in phases.items()},
    }


def accept_throughput(store: Store, barcodes: list[str], progress: Callable[[str], None]) -> dict[str, Any]:
    """A supply's expected parcels accepted back to back through Runtime.process: scans/s."""
    runtime = build_runtime(store)
    sign_in(runtime.engine)
    runtime.process(ACC, Command.START_ACCEPTANCE.barcode)
    supply = store.scalar("SELECT id FROM supplies WHERE status = 'open'")
    opened = runtime.process(ACC, str(supply)).feedback.msg.key
    if opened != "acc_opened":
        raise RuntimeError(f"could not open supply {supply}: {opened}")
    progress(f"  accepting {len(barcodes):,} parcels of supply {supply} back to back")
    refused = 0
    with Background(Checkpointer(store.path)):
        t0 = time.perf_counter()
        for barcode in barcodes:
            if runtime.process(ACC, barcode).feedback.msg.key != "acc_parcel_accepted":
                refused += 1
        seconds = time.perf_counter() - t0
    paused = runtime.process(ACC, Command.CANCEL.barcode).feedback.msg.key  # the supply stays open
    if paused != "acc_paused":
        raise RuntimeError(f"could not pause supply {supply}: {paused}")
    return {
        "scans": len(barcodes),
        "refused": refused,
        "seconds": round(seconds, 3),
        "scans_per_s": round(len(barcodes) / seconds, 1),
    }


def sqlite_baseline(path: Path, barcodes: list[str], n: int) -> dict[str, Any]:
    """What any scan costs at least, in plain sqlite3 with the daemon's pragmas: read the
    station's session, find the parcel by barcode (with its cell) and its order, update the
    parcel, append a journal row, save the session, commit."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "wal_autocheckpoint=0"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(
        "INSERT OR REPLACE INTO sessions (station, workflow, state, data, started_at, updated_at) "
        "VALUES ('baseline', 'issue', 'scanning', '{}', '2026-01-01', '2026-01-01')"
    )
    samples: list[int] = []
    checkpointer = Checkpointer(path)
    with Background(checkpointer):
        for i in range(n):
            barcode = barcodes[i % len(barcodes)]
            ts = f"2026-12-01T10:{i // 60 % 60:02d}:{i % 60:02d}+03:00"
            t0 = time.perf_counter_ns()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT workflow, state, data FROM sessions WHERE station = 'baseline'").fetchone()
            row = conn.execute(
                "SELECT p.id, p.order_id, p.state, c.address FROM parcels p "
                "LEFT JOIN cells c ON c.id = p.cell_id WHERE p.barcode = ?",
                (barcode,),
            ).fetchone()
            conn.execute("SELECT id, customer FROM orders WHERE id = ?", (row[1],)).fetchone()
            conn.execute("UPDATE parcels SET updated_at = ? WHERE id = ?", (ts, row[0]))
            conn.execute(
                "INSERT INTO journal (event_id, device_id, ts, station, kind, parcel, data) "
                "VALUES (?, ?, ?, 'baseline', 'bench_baseline', ?, '{}')",
                (uuid.uuid4().hex, DEVICE, ts, barcode),
            )
            conn.execute(
                "UPDATE sessions SET data = ?, updated_at = ? WHERE station = 'baseline'", ("{}", ts)
            )
            conn.execute("COMMIT")
            samples.append(time.perf_counter_ns() - t0)
    conn.execute("DELETE FROM sessions WHERE station = 'baseline'")
    conn.close()
    return {**stats(samples), "samples_ms": [x / 1e6 for x in samples]}
