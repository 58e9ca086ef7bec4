"""What a staged rollout adds to each hub round (central/rollout_widen.py): `Widener.check()`
timed on a store holding N devices' statuses with a release report each, with no plan (the cost
every hub pays always: one read of the plans) and with one running plan not yet due (the plans
and every kept status read, the failures counted), on SQLite and on a real PostgreSQL
(Debian's 15, fsync on). Nothing is published, so no broker is needed.

    .venv/bin/python -m bench.rollout_round [--devices 1000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from central.hub_store import open_store
from central.rollout_plans import Plan
from central.rollout_widen import Widener
from central.store_api import CentralStore
from sync.transport import MqttLink
from tests.support import postgres as pgsupport

SHA = "ab" * 32


def fill(store: CentralStore, devices: int) -> None:
    for n in range(devices):
        result = "rolled_back" if n % 50 == 0 else "installed"
        body = {"online": True, "version": "1.0", "release": {"sha256": SHA, "result": result}}
        store.record_status(f"site-{n % 10}", f"dev-{n:05d}", body)


def plan(devices: int) -> Plan:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    return Plan(
        plan_id="bench",
        package="pvz",
        version="2.0",
        sha256=SHA,
        sites=[f"site-{n}" for n in range(10)],
        stages=[25.0, 100.0],
        every_s=86400.0,
        max_failures=10.0,
        release="{}",
        stage=0,
        published=0,
        state="running",
        devices=[f"site-{n % 10}/dev-{n:05d}" for n in range(devices // 4)],
        created_at=now,
        stage_at=now,
    )


def rounds(widener: Widener, count: int) -> dict[str, float]:
    async def timed() -> list[float]:
        took = []
        for _ in range(count):
            start = time.perf_counter()
            assert await widener.check() == 0
            took.append((time.perf_counter() - start) * 1000)
        return took

    took = sorted(asyncio.run(timed()))
    return {"p50_ms": round(statistics.median(took), 3), "p99_ms": round(took[int(len(took) * 0.99) - 1], 3)}


def measure(db: str, devices: int, count: int) -> dict[str, Any]:
    store = open_store(db)
    try:
        fill(store, devices)
        widener = Widener(store, MqttLink(client_id="bench-never-started", host="127.0.0.1", port=1))
        idle = rounds(widener, count)
        store.plans.add(plan(devices), datetime.now(UTC))
        running = rounds(widener, count)
    finally:
        store.close()
    return {"no_plan": idle, "one_running_plan": running}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    figures: dict[str, Any] = {"devices": args.devices, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="pvz-rollout-round-") as tmp:
        figures["sqlite"] = measure(str(Path(tmp) / "hub.db"), args.devices, args.rounds)
        with pgsupport.postgres(fsync=True) as pg:
            figures["postgresql"] = measure(pg.createdb("bench"), args.devices, args.rounds)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
