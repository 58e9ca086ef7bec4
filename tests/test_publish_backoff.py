"""The publisher's resends back off while no ack comes: behind a site's bridge with the uplink
down for a day (docs/site.md, "The uplink"), each resend waits in the site broker's queue, so a
day without an ack must be a few hundred batches there, not tens of thousands.

The link here is a stand-in that takes every publish and never acks, and the clock is the
test's: a simulated day, not a timed one.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from device.store.db import Store
from sync.publisher import ACK_TIMEOUT_S, RESEND_CAP_S, WINDOW, Publisher
from sync.topics import Topics
from sync.transport import Handler, Inbound
from tests.support.factory import DEVICE, SITE
from tests.support.sync import fill_journal

DAY_S = 24 * 3600
STEP_S = 5.0  # the publisher's loop looks at least this often (its poll)


class NoAckLink:
    """Connected to a broker that takes every batch (a site broker whose bridge is down)."""

    connected = True

    def __init__(self) -> None:
        self.published = 0
        self.handlers: dict[str, Handler] = {}

    def subscribe(self, topic: str, handler: Handler, *, qos: int = 1) -> None:
        self.handlers[topic] = handler

    def on_connect(self, listener: Any) -> None:
        pass

    async def publish(self, *_: Any, **__: Any) -> int:
        self.published += 1
        return 0


def a_day_without_ack(store: Store) -> tuple[Publisher, NoAckLink]:
    """3,000 events (a busy site's day) waiting for central, and a day of the publisher's loop."""
    with store.transaction():
        store.set_meta("device_id", DEVICE)
    fill_journal(store, 3000)
    link = NoAckLink()
    now = [0.0]
    publisher = Publisher(store, link, Topics(SITE, DEVICE), monotonic=lambda: now[0])  # type: ignore[arg-type]

    async def day() -> None:
        await publisher.fill_window()
        while now[0] < DAY_S:
            now[0] += STEP_S
            publisher.resend_if_stalled()
            await publisher.fill_window()

    asyncio.run(day())
    return publisher, link


def test_a_day_without_an_ack_is_a_few_hundred_batches_not_tens_of_thousands(tmp_path: Path) -> None:
    with Store.open(tmp_path / "pvz.db") as store:
        publisher, link = a_day_without_ack(store)
    rounds = publisher.counters["resends"]
    # Doubling from the ack timeout to the cap, then once per cap: about 150 rounds a day.
    assert rounds <= DAY_S / RESEND_CAP_S + 10
    assert link.published <= (rounds + 1) * WINDOW
    assert publisher.resend_after == RESEND_CAP_S
    assert 30 * rounds < DAY_S / ACK_TIMEOUT_S  # what a fixed ack timeout would have sent


def test_an_ack_brings_the_resend_back_to_the_ack_timeout(tmp_path: Path) -> None:
    with Store.open(tmp_path / "pvz.db") as store:
        publisher, link = a_day_without_ack(store)
        ack = link.handlers[Topics(SITE, DEVICE).ack]
        ack(
            Inbound(
                Topics(SITE, DEVICE).ack, b'{"device": "%s", "acked_seq": 10}' % DEVICE.encode(), 1, False
            )
        )
        assert publisher.acked == 10 and publisher.resend_after == ACK_TIMEOUT_S
