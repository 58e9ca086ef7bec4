"""A seller's drop-off at its list's limit: the inbox applying it, each scan, DONE with its two acts.

    python -m bench.dropoff_bench [--shipments 2000] [--rounds 3]

Baseline in the same run: a supply manifest of as many parcels through the same inbox, so the
drop-off's whole-list checks (each barcode looked up in the store) are compared with the supply's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from device.store.journal import Stamp
from sync.inbox import apply_message, wrap
from tests.support.factory import DEVICE, M, P, new_engine, new_store, scan
from workflows.inputs import Command

DEFAULT_SHIPMENTS = 2_000  # device/intake/dropoff.py MAX_SHIPMENTS


def _dropoff(n: int) -> bytes:
    body = {
        "version": 1,
        "dropoff_id": "DO-BENCH",
        "seller": {"id": "SELLER-1", "name": "ООО Бенч"},
        "shipments": [{"barcode": f"FBS-{i:010d}", "posting": f"P-{i}", "size": "M"} for i in range(n)],
    }
    return wrap("dropoff", json.dumps(body).encode(), message_id="do-bench", version=1)


def _supply(n: int) -> bytes:
    manifest = M("S-BENCH", [P(f"{90000000 + i}-0001-1", f"{90000000 + i}") for i in range(n)])
    return wrap("supply", json.dumps(manifest.to_json()).encode(), message_id="sup-bench", version=1)


def one_round(directory: Path, n: int) -> dict[str, float]:
    store = new_store(directory / "bench.db")
    stamp = Stamp(DEVICE, "2026-11-21T09:00:00+00:00")
    t0 = time.perf_counter()
    assert apply_message(store, _supply(n), stamp=stamp, topic="file").outcome == "applied"
    t1 = time.perf_counter()
    assert apply_message(store, _dropoff(n), stamp=stamp, topic="file").outcome == "applied"
    t2 = time.perf_counter()
    engine = new_engine(store)
    scan(engine, "DO-BENCH")
    laps = []
    for i in range(n):
        s = time.perf_counter()
        scan(engine, f"FBS-{i:010d}")
        laps.append(time.perf_counter() - s)
    s = time.perf_counter()
    closed = scan(engine, Command.DONE)
    done = time.perf_counter() - s
    assert closed.feedback.msg.key == "do_closed"
    store.close()
    laps.sort()
    return {
        "supply_apply_ms": (t1 - t0) * 1000,
        "dropoff_apply_ms": (t2 - t1) * 1000,
        "scan_p50_ms": statistics.median(laps) * 1000,
        "scan_p99_ms": laps[int(len(laps) * 0.99) - 1] * 1000,
        "done_with_two_acts_ms": done * 1000,
    }


def run(shipments: int, rounds: int) -> dict[str, Any]:
    results = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(one_round(Path(tmp), shipments))
    best = {key: min(res[key] for res in results) for key in results[0]}
    return {"shipments": shipments, "rounds": rounds, "best": best, "rounds_detail": results}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.dropoff_bench")
    parser.add_argument("--shipments", type=int, default=DEFAULT_SHIPMENTS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.shipments, args.rounds), indent=2))


if __name__ == "__main__":
    main()
