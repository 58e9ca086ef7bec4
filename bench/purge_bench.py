"""`python -m bench.purge_bench [--parcels N]`: how long the privacy purge holds the store.

The purge is one transaction (device/privacy/purge.py): while it runs, a scan waits. Over a bench
store (bench/store_build.py: months of history, every issued order with its printed receipt), the
first purge erases the whole backlog at once, as on a device that has just been given the setting
or was off for a month; a second purge the same day finds nothing. Each figure is the best of
`--repeats` runs on a fresh copy of the store.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.settings import DB_NAME, DEVICE
from bench.store_build import build_store
from device.privacy.purge import purge
from device.store.db import Store
from device.store.journal import Stamp

MSK = timezone(timedelta(hours=3))
NOW = datetime(2027, 6, 1, 3, 0, tzinfo=MSK)  # after the bench store's whole history
DAYS = 30


def _timed(db: Path, *, dry_run: bool) -> dict[str, Any]:
    with Store.open(db, owner=True) as store:
        stamp = Stamp(DEVICE, NOW.isoformat(timespec="seconds"))
        t0 = time.perf_counter()
        result = purge(store, now=NOW, days=DAYS, stamp=stamp, dry_run=dry_run)
        first_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        again = purge(store, now=NOW, days=DAYS, stamp=stamp, dry_run=dry_run)
        again_ms = (time.perf_counter() - t0) * 1000
    return {
        **result.to_json(),
        "ms": round(first_ms, 1),
        "again_orders": again.orders,
        "again_ms": round(again_ms, 1),
    }


def run(parcels: int, *, repeats: int = 3, seed: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pvz-purge-bench-") as tmp:
        built = Path(tmp) / "built"
        built.mkdir()
        build_store(built / DB_NAME, parcels, 20, random.Random(seed), lambda _line: None)
        runs: dict[str, list[dict[str, Any]]] = {"dry_run": [], "purge": []}
        for _ in range(repeats):
            for kind, done in runs.items():
                copy = Path(tmp) / kind
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(built, copy)
                done.append(_timed(copy / DB_NAME, dry_run=kind == "dry_run"))
    best = {kind: min(r, key=lambda x: x["ms"]) for kind, r in runs.items()}
    return {"parcels": parcels, "days": DAYS, "best": best, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.purge_bench", description=__doc__)
    parser.add_argument("--parcels", type=int, default=100_000, help="bench store size (default 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure, the best kept (default 3)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.parcels, repeats=args.repeats), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
