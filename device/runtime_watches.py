"""The runtime's periodic tasks beside the inputs: the deadline sweep, the store's full check and
WAL checkpoints. Each runs on the daemon's loop (so a sweep's batch and a scan never overlap) and
hands blocking work to a thread."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from device.deadline_watch import DeadlineWatch
from device.integrity_watch import StoreCheck
from device.store.checkpoint import Checkpointer

log = logging.getLogger("pvz.runtime")

# How often the runtime checks whether the day changed (or an update asked for a sweep).
SWEEP_CHECK_S = 60.0
CHECKPOINT_CHECK_S = 0.5  # how often the WAL is looked at (device/store/checkpoint.py)


async def deadline_checks(deadlines: DeadlineWatch, *, swept_at_start: bool) -> None:
    """At once if start() did not sweep, then every SWEEP_CHECK_S: sweep when the date changed.
    A batch and a scan are both on the loop, so never concurrent."""
    if not swept_at_start:
        await deadlines.sweep(show=True)
    while True:
        await asyncio.sleep(SWEEP_CHECK_S)
        await deadlines.sweep()


async def integrity_checks(store_check: StoreCheck) -> None:
    while True:
        await asyncio.sleep(SWEEP_CHECK_S)
        await store_check.check_in_thread()


async def checkpoints(checkpointer: Checkpointer | None, idle_s: Callable[[], float]) -> None:
    """A passive WAL checkpoint from a second connection, in a thread, when the counter has been
    idle for a moment or the WAL grew past its limit (a long sweep): never inside a scan's commit,
    and the WAL never grows without bound."""
    if checkpointer is None:
        return
    while True:
        await asyncio.sleep(CHECKPOINT_CHECK_S)
        if checkpointer.due(idle_s=idle_s()):
            try:
                await asyncio.to_thread(checkpointer.run)
            except Exception:
                log.exception("WAL checkpoint failed; the next one tries again")
