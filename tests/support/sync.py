"""Helpers of the sync tests: a journal filled fast, an in-process hub and device, bounded waits."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from central.hub import Hub
from central.hub_store import HubStore, open_store
from device.store.db import Store
from sync.publisher import BATCH, Publisher
from sync.topics import Topics
from sync.transport import MqttLink
from tests.support.factory import DEVICE, SITE, T0

TOPICS = Topics(SITE, DEVICE)
FAST = (0.05, 0.5)  # reconnect backoff of the tests: a restarted broker is back within a second


def fill_journal(
    store: Store, n: int, *, start: datetime = T0, step: timedelta = timedelta(seconds=1)
) -> int:
    """Append `n` events in one transaction (unique ids, consecutive seq); return the last seq."""
    first = int(store.scalar("SELECT coalesce(max(seq), 0) FROM journal")) + 1
    rows = [
        (
            uuid.uuid4().hex,
            DEVICE,
            (start + step * i).isoformat(),
            "s1",
            "BADGE-0001",
            "placed",
            f"P{first + i:08d}",
            "accepted",
            "stored",
            "A-01-1",
            f'{{"n": {first + i}}}',
        )
        for i in range(n)
    ]
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO journal (event_id, device_id, ts, station, clerk, kind, parcel, from_state, "
            "to_state, cell, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return int(store.scalar("SELECT max(seq) FROM journal"))


async def wait_until(
    check: Callable[[], Any], timeout: float = 10.0, what: str = "the condition", step: float = 0.02
) -> Any:
    """Poll `check` (or the awaitable it returns) until it gives something truthy, and return that;
    fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if isinstance(value, Awaitable):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(step)


def new_link(
    port: int, client_id: str, *, session_expiry: int = 300, will: tuple[str, bytes, int, bool] | None = None
) -> MqttLink:
    return MqttLink(
        client_id=client_id,
        host="127.0.0.1",
        port=port,
        reconnect=FAST,
        session_expiry=session_expiry,
        will=will,
    )


@contextlib.asynccontextmanager
async def serving(
    link: MqttLink, run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
) -> AsyncIterator[None]:
    """`run(stop)` as a task while the block runs; then it is stopped and awaited, and the link stopped."""
    stop = asyncio.Event()
    task = asyncio.create_task(run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        link.stop()


@contextlib.asynccontextmanager
async def running_hub(
    port: int, db: Path | str, *, client_id: str = "hub-1", group: str = "hub", manifests: Path | None = None
) -> AsyncIterator[Hub]:
    store = open_store(db)  # a SQLite file, or a postgresql:// URL
    link = new_link(port, client_id, session_expiry=60)
    hub = Hub(store, link, group=group, manifests=manifests)
    link.start(asyncio.get_running_loop())
    await link.wait_connected(10)
    await asyncio.sleep(0.1)  # let the SUBSCRIBE land; a batch missed meanwhile is resent anyway
    try:
        async with serving(link, hub.run):
            yield hub
    finally:
        store.close()


@contextlib.asynccontextmanager
async def running_device(
    store: Store, port: int, *, ack_timeout: float = 3.0, poll: float = 1.0, batch: int = BATCH
) -> AsyncIterator[Publisher]:
    link = new_link(port, DEVICE)
    publisher = Publisher(store, link, TOPICS, batch=batch, ack_timeout=ack_timeout, poll=poll)
    link.start(asyncio.get_running_loop())
    async with serving(link, publisher.run):
        yield publisher


def hub_counts(db: Path) -> tuple[int, int, int]:
    """(rows, distinct event ids, distinct seqs) in a hub database."""
    store = HubStore(db)
    try:
        row = store.conn.execute("SELECT count(*), count(DISTINCT event_id), count(DISTINCT seq) FROM events")
        total, ids, seqs = row.fetchone()
        return int(total), int(ids), int(seqs)
    finally:
        store.close()
