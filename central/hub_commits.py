"""The hub's group commits in one worker thread with its own connection to the hub's database, so
the loop is not held while a commit waits on the database.

Why: with 1,000 devices a hub's loop spent more than half of its time waiting on PostgreSQL in
the commits (cProfile, bench/fleet_load.py); meanwhile it could not take the next batches off
the broker, publish the acks of the commit before or keep a status. One thread owns the
connection from opening to closing (an SQLite connection may not change threads), and runs one
commit at a time: the hub starts the next only when this one returned, so the ordering stays
as documented in Hub._commit — a batch is acked only after the transaction that stored it has
committed, and a failed commit acks nothing.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from central.hub_store import open_store
from central.store_api import CentralStore, Stored
from sync.publisher import WireBatch


class CommitWorker:
    """`await store_batches(…)` runs CentralStore.store_batches on the worker's own connection."""

    def __init__(self, db: str | Path) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pvz-hub-commit")
        try:
            self._store: CentralStore = self._pool.submit(open_store, db).result()
        except BaseException:
            self._pool.shutdown()
            raise
        self.commits = 0

    async def store_batches(self, batches: list[tuple[str, WireBatch]]) -> list[Stored]:
        loop = asyncio.get_running_loop()
        stored = await loop.run_in_executor(self._pool, self._store.store_batches, batches)
        self.commits += 1
        return stored

    def close(self) -> None:
        """Close the connection in its own thread, after any commit under way, and end the thread."""
        self._pool.submit(self._store.close).result()
        self._pool.shutdown()
