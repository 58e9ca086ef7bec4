"""Helpers of the sync tests: a journal filled fast, an in-process hub and device, bounded waits."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

from central.hub import Hub
from central.hub_store import HubStore
from device.store.db import Store
from sync.publisher import Publisher
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


async def wait_until(check: Callable[[], bool], timeout: float, what: str, step: float = 0.02) -> None:
    """Poll `check` until it holds; fail the test with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(step)


def new_link(port: int, client_id: str, *, session_expiry: int = 300) -> MqttLink:
    return MqttLink(
        client_id=client_id, host="127.0.0.1", port=port, reconnect=FAST, session_expiry=session_expiry
    )


@contextlib.asynccontextmanager
async def running_hub(
    port: int, db: Path, *, client_id: str = "hub-1", group: str = "hub", manifests: Path | None = None
) -> AsyncIterator[Hub]:
    store = HubStore(db)
    link = new_link(port, client_id, session_expiry=60)
    hub = Hub(store, link, group=group, manifests=manifests)
    link.start(asyncio.get_running_loop())
    await link.wait_connected(10)
    await asyncio.sleep(0.1)  # let the SUBSCRIBE land; a batch missed meanwhile is resent anyway
    stop = asyncio.Event()
    task = asyncio.create_task(hub.run(stop))
    try:
        yield hub
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        link.stop()
        store.close()


@contextlib.asynccontextmanager
async def running_device(
    store: Store, port: int, *, ack_timeout: float = 3.0, poll: float = 1.0
) -> AsyncIterator[Publisher]:
    link = new_link(port, DEVICE)
    publisher = Publisher(store, link, TOPICS, ack_timeout=ack_timeout, poll=poll)
    link.start(asyncio.get_running_loop())
    stop = asyncio.Event()
    task = asyncio.create_task(publisher.run(stop))
    try:
        yield publisher
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        link.stop()


def hub_counts(db: Path) -> tuple[int, int, int]:
    """(rows, distinct event ids, distinct seqs) in a hub database."""
    store = HubStore(db)
    try:
        row = store.conn.execute("SELECT count(*), count(DISTINCT event_id), count(DISTINCT seq) FROM events")
        total, ids, seqs = row.fetchone()
        return int(total), int(ids), int(seqs)
    finally:
        store.close()
