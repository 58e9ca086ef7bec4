"""The devices' statuses, telemetry and command answers written off the hub's loop, in batches:
one transaction a batch, in a worker thread with its own connection to the hub's database.

Why: when the broker restarts every device reconnects and republishes its status and telemetry
at once; one store call per message on the loop held it for the whole burst, and the event
batches queued behind it waited for their acks (bench/fleet_load.py --burst). Here the loop only
keeps what came: a device's latest status and latest telemetry (an older one still waiting is
replaced; only the latest matters, as the retained status on the broker), and every answer. One
write runs at a time; what arrives meanwhile goes in the next, so a burst is a few transactions.
Alerts and the dashboard read the statuses from the store a moment later than before (one write).

A write that fails (the database away) is tried again after RETRY_S, anything newer that came
meanwhile kept over it; answers waiting beyond MAX_PENDING_REPLIES are dropped oldest first and
counted (`state_dropped`), since a command's requester asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from central.hub_store import open_store
from central.store_api import CentralStore, DeviceStates

log = logging.getLogger("pvz.sync.hub")

RETRY_S = 1.0
MAX_PENDING_REPLIES = 10_000


class StateWriter:
    """`status`, `telemetry`, `reply` on the loop; the writes in the worker's thread. `on_replies`
    is told, on the loop, how many answers each write found new."""

    def __init__(self, db: str | Path, *, on_replies: Callable[[int], None] | None = None) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pvz-hub-state")
        try:
            self._store: CentralStore = self._pool.submit(open_store, db).result()
        except BaseException:
            self._pool.shutdown()
            raise
        self.on_replies = on_replies
        self._statuses: dict[str, tuple[str, str, dict[str, Any]]] = {}
        self._telemetry: dict[str, tuple[str, str, dict[str, Any], float | None]] = {}
        self._replies: list[tuple[str, str, str, dict[str, Any]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.counters = dict.fromkeys(
            ("state_writes", "state_rows", "state_write_failures", "state_dropped"), 0
        )

    def status(self, site: str, device: str, body: dict[str, Any]) -> None:
        self._statuses.pop(device, None)  # re-inserted last: the dict's order is the arrival order
        self._statuses[device] = (site, device, body)
        self._kick()

    def telemetry(self, site: str, device: str, body: dict[str, Any], clock_skew_s: float | None) -> None:
        self._telemetry.pop(device, None)
        self._telemetry[device] = (site, device, body, clock_skew_s)
        self._kick()

    def reply(self, site: str, device: str, nonce: str, body: dict[str, Any]) -> None:
        self._replies.append((site, device, nonce, body))
        if len(self._replies) > MAX_PENDING_REPLIES:
            del self._replies[0]
            self.counters["state_dropped"] += 1
        self._kick()

    def _kick(self) -> None:
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_queued())

    def _take(self) -> DeviceStates:
        states = DeviceStates(list(self._statuses.values()), list(self._telemetry.values()), self._replies)
        self._statuses, self._telemetry, self._replies = {}, {}, []
        return states

    def _put_back(self, states: DeviceStates) -> None:
        """A failed batch waits again, under whatever of the same devices came since."""
        newer_s, newer_t = self._statuses, self._telemetry
        self._statuses = {row[1]: row for row in states.statuses} | newer_s
        self._telemetry = {row[1]: row for row in states.telemetry} | newer_t
        self._replies = (states.replies + self._replies)[-MAX_PENDING_REPLIES:]

    async def _write_queued(self) -> None:
        """Write what is waiting until nothing is, one transaction at a time."""
        loop = asyncio.get_running_loop()
        try:
            await asyncio.sleep(0)  # what this turn of the loop brought goes in the first write
            while self._statuses or self._telemetry or self._replies:
                states = self._take()
                try:
                    new = await loop.run_in_executor(self._pool, self._store.record_states, states)
                except Exception as exc:  # noqa: BLE001 - logged, kept and tried again; the hub goes on
                    self.counters["state_write_failures"] += 1
                    log.warning("statuses and telemetry not stored, tried again in %s s: %s", RETRY_S, exc)
                    self._put_back(states)
                    await asyncio.sleep(RETRY_S)
                    continue
                self.counters["state_writes"] += 1
                self.counters["state_rows"] += len(states)
                if self.on_replies is not None:
                    self.on_replies(new)
        finally:
            self._writer = None

    async def flush(self) -> None:
        """Wait until what has come is written (or, with the database away, until cancelled)."""
        while self._writer is not None:
            await asyncio.shield(self._writer)

    def close(self) -> None:
        """Close the connection in its own thread, after any write under way, and end the thread."""
        self._pool.submit(self._store.close).result()
        self._pool.shutdown()
