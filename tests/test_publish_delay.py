"""How soon an event written by a scan is on the wire: measured through a real broker (docs/protocol.md)."""

from __future__ import annotations

import asyncio
import json
import operator
import statistics
import time
from functools import partial
from pathlib import Path
from typing import Any

from device.config import load_config
from device.uplink.service import SyncService
from device.wiring import build_runtime, open_store
from sync import publisher
from sync.transport import Inbound
from tests.support.broker import Broker
from tests.support.config import station, write_config
from tests.support.sync import new_link, wait_until

BADGES = {"BADGE-0001": "Анна С.", "BADGE-0002": "Борис К."}
SCANS = 10


def test_a_scans_event_is_published_at_once_and_one_written_elsewhere_within_the_poll(
    tmp_path: Path, broker: Broker
) -> None:
    config_file = write_config(
        tmp_path,
        device="pvz-delay-0001",
        site="lab",
        mqtt_port=broker.port,
        stations=station("s1"),
        clerks=BADGES,
    )
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    try:
        delays, polled = asyncio.run(_measure(config, config_file, store, broker.port))
    finally:
        store.close()
    print(
        f"\nscan -> events on the wire: median {statistics.median(delays) * 1000:.1f} ms, "
        f"max {max(delays) * 1000:.1f} ms over {len(delays)} scans; "
        f"written without notify(): {polled:.2f} s (POLL_S {publisher.POLL_S} s)"
    )
    # A scan's commit wakes the publisher (Runtime.on_result -> Publisher.notify): no poll wait.
    assert max(delays) < 1.0
    # An event written by anything else (here the engine alone) waits for the next poll at most.
    assert polled <= publisher.POLL_S + 1.0


async def _measure(config: Any, config_file: Path, store: Any, port: int) -> tuple[list[float], float]:
    runtime = build_runtime(config, config_file, store)
    service = SyncService(runtime, config, config_file)
    arrived: dict[int, float] = {}

    def on_batch(msg: Inbound) -> None:
        now = time.monotonic()
        for event in json.loads(msg.payload)["events"]:
            arrived.setdefault(int(event["seq"]), now)

    watcher = new_link(port, "delay-watch")
    watcher.subscribe(service.topics.events, on_batch, qos=1)
    watcher.start(asyncio.get_running_loop())
    await watcher.wait_connected(10)
    stop = asyncio.Event()
    task = asyncio.create_task(service.run(stop))
    try:
        await service.link.wait_connected(10)
        await asyncio.sleep(1.0)  # the first pump after connect is done: the publisher is idle
        delays = []
        badges = list(BADGES)
        for i in range(SCANS):
            started = time.monotonic()
            runtime.process("s1", badges[i % 2])
            seq = service.publisher.outbox.last_seq()
            await wait_until(partial(operator.contains, arrived, seq), 10, f"event {seq}", step=0.001)
            delays.append(arrived[seq] - started)
            await asyncio.sleep(0.05)
        started = time.monotonic()
        runtime.engine.handle("s1", badges[SCANS % 2])  # no Runtime.process: nobody calls notify()
        seq = service.publisher.outbox.last_seq()
        await wait_until(lambda: seq in arrived, publisher.POLL_S + 5, "the polled event", step=0.01)
        return delays, arrived[seq] - started
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        watcher.stop()
