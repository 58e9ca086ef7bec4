"""How long the hub's asyncio loop was held: a tick that should wake every TICK_S, and how late it
woke, so a burst of work on the loop (a store call per message) shows in the hub's counters.

Why in the hub and not only in a benchmark: a loop that is held delays every batch's ack and every
device's status the same way, whatever holds it; `pvz-central hub` prints these counters when it
stops (bench/fleet_load.py reads them) and they are in Hub.status().
"""

from __future__ import annotations

import asyncio
import time

TICK_S = 0.05


class LoopProbe:
    """`await run(stop)` until `stop`; `counters`: the longest late wake-up and their sum (ms)."""

    def __init__(self) -> None:
        self.counters = dict.fromkeys(("loop_late_max_ms", "loop_late_total_ms"), 0)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            due = time.monotonic() + TICK_S
            await asyncio.sleep(TICK_S)
            self.record(time.monotonic() - due)

    def record(self, late_s: float) -> None:
        late_ms = round(late_s * 1000)
        if late_ms <= 0:
            return
        self.counters["loop_late_total_ms"] += late_ms
        self.counters["loop_late_max_ms"] = max(self.counters["loop_late_max_ms"], late_ms)
