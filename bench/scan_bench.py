"""Scan latency benchmark: build a store of N parcels, then time Engine.handle end to end per counter operation."""

from __future__ import annotations

import contextlib
import math
import random
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.probes import filesystem, fsync_probe, machine
from bench.rack import CAPACITY
from bench.scans import MIN_SCANS_PER_ROUND, ONE_OFF, OPERATIONS, WARMUP_ROUNDS, drive, sign_in
from bench.settings import DB_NAME, DEVICE, KEY, BenchConfig
from bench.stats import stats
from bench.store_build import build_store
from device.documents.registry import Documents
from device.engine import Engine
from device.store.db import Store


@contextlib.contextmanager
def _store_dir(db_dir: Path | None) -> Iterator[Path]:
    if db_dir is not None:
        db_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".lock"):
            (db_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
        yield db_dir
        return
    with tempfile.TemporaryDirectory(prefix="pvz-bench-") as tmp:
        yield Path(tmp)


def run(config: BenchConfig, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Build the store, run the scans, return the report (as written to JSON)."""
    rng = random.Random(config.seed)
    need = math.ceil(config.scans / MIN_SCANS_PER_ROUND) + WARMUP_ROUNDS + 2
    with _store_dir(config.db_dir) as directory:
        path = directory / DB_NAME
        progress(f"building a store of {config.parcels:,} parcels in {path}")
        fx = build_store(path, config.parcels, need, rng, progress)
        size = path.stat().st_size
        progress(
            f"  built in {fx.timings['total_s']:.1f} s, {size / 1e6:.0f} MB; timing {config.scans:,} scans"
        )
        disk = fsync_probe(directory)
        store = Store.open(path, owner=True)
        try:
            pragmas = {
                name: store.scalar(f"PRAGMA {name}")
                for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size", "page_size")
            }
            docs = Documents(site="bench-site", device_id=DEVICE, lang="ru")
            engine = Engine(store, device_id=DEVICE, pickup_key=KEY, docs=docs)
            sign_in(engine)
            timer, wall = drive(engine, fx, config.scans, rng)
        finally:
            store.close()
        wal = path.with_name(DB_NAME + "-wal")
        files = {"db_bytes": size, "wal_bytes_after_scans": wal.stat().st_size if wal.exists() else 0}
        fs = filesystem(directory)
    operations = {key: stats(v) for key, v in timer.samples.items() if v}
    timed = [x for key, v in timer.samples.items() if key not in ONE_OFF for x in v]
    handle_s = sum(timed) / 1e9
    return {
        "benchmark": "pvz scan latency: Engine.handle end to end (decision + commit)",
        "machine": machine(),
        "config": {
            "parcels": config.parcels,
            "scans": config.scans,
            "seed": config.seed,
            "warmup_rounds": WARMUP_ROUNDS,
            "db": str(path) if config.db_dir is not None else "(temporary, deleted)",
            "filesystem": fs,
            "pragmas": pragmas,
        },
        "disk_fsync_4k": disk,
        "build": {
            "seconds": {k: round(v, 2) for k, v in fx.timings.items()},
            "rows": fx.rows,
            "parcel_states": fx.parcel_states,
            "cells_main": fx.cells,
            "cell_capacity": CAPACITY,
            **files,
        },
        "operations": operations,
        "labels": {key: label for key, label, _ in OPERATIONS},
        "overall": {
            "scans": len(timed),
            "handle_seconds": round(handle_s, 3),
            "scans_per_second": round(len(timed) / handle_s, 1),
            "wall_seconds": round(wall, 3),
            "wall_scans_per_second": round(len(timed) / wall, 1),
            "placements_without_suggestion": timer.no_suggestion,
            **stats(timed),
        },
    }
