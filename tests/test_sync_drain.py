"""Draining a device's outbox to the hub through a real Mosquitto: exactly once through restarts and kills."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from central.hub_store import HubStore
from device.store.db import Store
from sync.outbox import Outbox
from sync.transport import MqttLink
from tests.support.broker import Broker
from tests.support.factory import T0, new_engine, new_store, scan, standard_manifest
from tests.support.sync import TOPICS, fill_journal, hub_counts, running_device, running_hub, wait_until
from workflows.inputs import Command

ROOT = Path(__file__).resolve().parent.parent

DEVICE_PROCESS = """
import asyncio, sys
from device.store.db import Store
from sync.publisher import Publisher
from sync.topics import Topics
from sync.transport import MqttLink

async def main() -> None:
    store = Store.open(sys.argv[1], owner=True)
    link = MqttLink(client_id="pvz-test-0001", host="127.0.0.1", port=int(sys.argv[2]), reconnect=(0.05, 0.5))
    # Batches of 100 (not the default 1000): the kill lands after the third of a hundred.
    publisher = Publisher(store, link, Topics("test-site", "pvz-test-0001"), batch=100, ack_timeout=3.0)
    link.start(asyncio.get_running_loop())
    await publisher.run()

asyncio.run(main())
"""


def reconnected(links: tuple[MqttLink, ...], before: list[int]) -> Callable[[], bool]:
    """True once every link has connected again since `before` (its connect counts then)."""
    return lambda: all(k.counters["connects"] > n for k, n in zip(links, before, strict=True))


def assert_exactly_once(db: Path, store: Store, last: int) -> None:
    assert hub_counts(db) == (last, last, last)
    hub = HubStore(db)
    try:
        assert hub.acked(TOPICS.device) == last
    finally:
        hub.close()
    assert Outbox(store).acked() == Outbox(store).last_seq() == last


def test_drain_survives_ten_broker_restarts(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 20_000)
    db = tmp_path / "hub.db"

    async def main() -> None:
        # Batches of 100 (not the default 1000): 200 of them, so that ten restarts fall inside the drain.
        device_run = running_device(store, broker.port, batch=100)
        async with running_hub(broker.port, db) as hub, device_run as device:
            links = (device.link, hub.link)
            for _ in range(10):  # ten restarts while the drain is under way, 500 acked between two
                await wait_until(lambda: all(k.connected for k in links), 30, "both connected")
                assert device.acked < last, "the drain ended before the tenth restart"
                before = [k.counters["connects"] for k in links]
                await asyncio.to_thread(broker.restart)
                await wait_until(reconnected(links, before), 30, "both to reconnect")
                goal = min(device.acked + 500, last)  # near the end, the rest is all there is to ack
                await wait_until(lambda: device.acked >= goal, 30, "progress", step=0.005)  # noqa: B023
            await wait_until(lambda: device.acked == last, 60, "the last ack")

    asyncio.run(asyncio.wait_for(main(), 90))
    assert_exactly_once(db, store, last)
    store.close()


def test_device_killed_mid_drain_then_restarted(tmp_path: Path, broker: Broker) -> None:
    path = tmp_path / "device.db"
    store = new_store(path)
    last = fill_journal(store, 10_000)
    store.close()
    db = tmp_path / "hub.db"

    def start_device() -> subprocess.Popen[bytes]:
        args = [sys.executable, "-c", DEVICE_PROCESS, str(path), str(broker.port)]
        return subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    async def main() -> None:
        async with running_hub(broker.port, db) as hub:
            first = start_device()
            try:
                await wait_until(lambda: hub.counters["batches"] >= 3, 30, "the first batches")
            finally:
                first.send_signal(signal.SIGKILL)
                first.wait(10)
            held = hub.store.count()
            assert 0 < held < last, "killed mid-drain"
            second = start_device()
            try:
                await wait_until(lambda: hub.store.acked(TOPICS.device) == last, 60, "the last ack")
                device = Store.open(path)
                try:
                    await wait_until(lambda: Outbox(device).acked() == last, 30, "the device to take the ack")
                finally:
                    device.close()
            finally:
                second.terminate()
                second.wait(10)

    asyncio.run(asyncio.wait_for(main(), 90))
    with Store.open(path) as device:
        assert_exactly_once(db, device, last)


def test_a_day_offline_then_reconnect(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db", standard_manifest())
    engine = new_engine(store)
    db = tmp_path / "hub.db"

    async def main() -> None:
        async with running_hub(broker.port, db), running_device(store, broker.port) as device:
            morning = Outbox(store).last_seq()
            await wait_until(lambda: device.acked == morning, 30, "the morning's events")
            await asyncio.to_thread(broker.stop)
            await wait_until(lambda: not device.link.connected, 10, "the device to see the outage")
            # A whole day of work without the uplink: real scans, then 5,000 more events.
            scan(engine, "BOX00000001", "11111111-0001-1", "22222222-0001-1", Command.DONE)
            device.notify()
            fill_journal(store, 5000, start=T0 + timedelta(hours=1), step=timedelta(seconds=15))
            device.notify()
            await asyncio.sleep(0.5)
            assert device.acked == morning and Outbox(store).depth() > 5000
            await asyncio.to_thread(broker.start)
            last = Outbox(store).last_seq()
            await wait_until(lambda: device.acked == last, 60, "the day's events to be acked")

    asyncio.run(asyncio.wait_for(main(), 90))
    assert_exactly_once(db, store, Outbox(store).last_seq())
    store.close()


def test_two_hubs_in_one_group_split_the_batches(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 10_000)
    db = tmp_path / "hub.db"

    async def main() -> tuple[int, int]:
        async with (
            running_hub(broker.port, db, client_id="hub-a") as a,
            running_hub(broker.port, db, client_id="hub-b") as b,
            running_device(store, broker.port) as device,
        ):
            await wait_until(lambda: device.acked == last, 60, "the last ack")
            return a.counters["batches"], b.counters["batches"]

    batches_a, batches_b = asyncio.run(asyncio.wait_for(main(), 90))
    assert batches_a > 0 and batches_b > 0, (batches_a, batches_b)
    assert_exactly_once(db, store, last)
    store.close()
