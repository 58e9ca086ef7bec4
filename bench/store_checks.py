"""How long the store's safety checks and an online backup take on a bench store of N parcels.

.venv/bin/python -m bench.store_checks --parcels 100000 --dir /tmp/bench-store
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from pathlib import Path

from bench.store_build import build_store
from device.store.backup import backup
from device.store.health import problems


def measure(path: Path) -> dict[str, float | int]:
    conn = sqlite3.connect(path)
    figures: dict[str, float | int] = {"file_bytes": path.stat().st_size}
    for name, full in (("quick_check_s", False), ("integrity_check_s", True)):
        started = time.perf_counter()
        found = problems(conn, full=full)
        figures[name] = round(time.perf_counter() - started, 2)
        assert not found, found
    conn.close()
    target = path.with_name(path.name + ".backup")
    started = time.perf_counter()
    backup(path, target)
    figures["backup_s"] = round(time.perf_counter() - started, 2)
    figures["backup_bytes"] = target.stat().st_size
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("bench-store"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"pvz-{args.parcels}.db"
    if not path.exists():
        build_store(path, args.parcels, 200, random.Random(1), print)
    print(json.dumps({"parcels": args.parcels, **measure(path)}, indent=2))


if __name__ == "__main__":
    main()
