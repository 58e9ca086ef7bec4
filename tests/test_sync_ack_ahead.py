"""An ack may not run ahead of what the publisher has sent: a replayed or buggy one would drop events."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sync.outbox import Outbox
from sync.publisher import ACK_AHEAD, ACK_BEHIND, ACK_REJECTED
from sync.transport import Inbound
from tests.support.broker import Broker
from tests.support.factory import DEVICE, new_store
from tests.support.sync import TOPICS, fill_journal, new_link, running_device, wait_until


def counter(store: Any, name: str) -> int:
    return int(store.scalar("SELECT coalesce(max(value), 0) FROM sync_counters WHERE name = ?", (name,)))


def test_an_ack_ahead_of_what_was_sent_is_refused_and_the_events_still_go_out(
    tmp_path: Path, broker: Broker
) -> None:
    store = new_store(tmp_path / "device.db")
    fill_journal(store, 10)
    sent: list[int] = []

    def seen(msg: Inbound) -> None:
        batch = json.loads(msg.payload)
        sent.extend(e["seq"] for e in batch["events"])

    async def main() -> None:
        central = new_link(broker.port, "central")
        central.subscribe(TOPICS.events, seen)
        central.start(asyncio.get_running_loop())
        await central.wait_connected(10)
        await asyncio.sleep(0.1)

        async def ack(seq: int) -> None:
            await central.publish(TOPICS.ack, json.dumps({"device": DEVICE, "acked_seq": seq}).encode(), 1)

        try:
            # A long poll: events written now wait, as new events do for up to POLL_S in the daemon.
            async with running_device(store, broker.port, ack_timeout=60, poll=60) as device:
                await wait_until(lambda: sorted(set(sent)) == list(range(1, 11)), 10, "events 1..10")
                assert fill_journal(store, 2) == 12  # written, not yet published
                await ack(12)  # a buggy or replayed ack for events that never went out
                await wait_until(lambda: device.counters[ACK_AHEAD] == 1, 10, "the ack to be refused")
                assert device.acked == Outbox(store).acked() == 0
                assert device.counters[ACK_REJECTED] == 1 and device.counters["acks"] == 0
                assert counter(store, ACK_AHEAD) == 1 and counter(store, ACK_REJECTED) == 1

                await ack(10)  # a right ack still moves the mark
                await wait_until(lambda: device.acked == 10, 10, "the ack of 10")
                device.notify()
                await wait_until(lambda: {11, 12} <= set(sent), 10, "events 11 and 12 to go out")
                await ack(12)
                await wait_until(lambda: device.acked == 12, 10, "the ack of 12")
                assert Outbox(store).acked() == 12 and Outbox(store).depth() == 0

                await ack(5)  # backwards: counted, the mark stays
                await wait_until(lambda: device.counters[ACK_BEHIND] == 1, 10, "the backwards ack")
                assert device.acked == 12 and counter(store, ACK_BEHIND) == 1
                assert device.status()["published_seq"] == 12
        finally:
            central.stop()

    asyncio.run(asyncio.wait_for(main(), 60))
    store.close()
