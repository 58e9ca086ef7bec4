"""An applied downstream message wrote journal events: the inbox wakes the publisher at once."""

from __future__ import annotations

from device.engine import Engine
from device.store.db import Store
from sync.inbox_service import InboxService
from tests.test_inbox import NOW, TOPIC, s9, supply


def test_an_applied_message_wakes_the_publisher_and_a_refused_one_does_not(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    woken: list[int] = []
    inbox = InboxService(
        store, device_id="pvz-test-0001", clock=lambda: NOW, on_written=lambda: woken.append(1)
    )
    before = store.scalar("SELECT max(seq) FROM journal")
    inbox.handle(TOPIC, supply(s9(), mid="wake-1"))
    applied = inbox.last
    assert applied is not None and applied.outcome == "applied"
    assert store.scalar("SELECT max(seq) FROM journal") > before  # it did write events
    assert woken == [1]
    inbox.handle(TOPIC, supply(s9(), mid="wake-1"))  # the same message again: a duplicate
    inbox.handle(TOPIC, b'{"id": "wake-2", "type": "refund"}')  # refused
    refused = inbox.last
    assert refused is not None and refused is not applied and refused.outcome == "rejected"
    assert woken == [1]
