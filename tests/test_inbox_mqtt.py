"""The inbox over a real broker: central publishes with plain paho at QoS 1, the device's MqttLink applies."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.engine import Engine
from device.store.codes import code_hmac
from device.store.db import Store
from sync.inbox_service import InboxService
from tests.support.broker import Broker
from tests.support.factory import DEVICE, KEY, StepClock, scan, state
from tests.support.sync import TOPICS, new_link, wait_until
from tests.test_inbox import NOW, domain, s9, supply, updates
from tests.test_inbox_rejected import MALFORMED
from workflows.inputs import Command

OUTCOMES = ("applied", "stale", "duplicate", "rejected")
BAD = {  # what central can get wrong, one of each kind
    "not JSON": MALFORMED["not json"][0],
    "wrong schema": MALFORMED["wrong schema"][0],
    "wrong types": MALFORMED["string version"][0],
    "10 MB": MALFORMED["10 MB"][0],
    "unknown fields": MALFORMED["unknown update field"][0],
}


def publish(port: int, payloads: list[bytes], topic: str = TOPICS.manifest) -> None:
    """Central: a plain paho client, each message at QoS 1, waiting for every PUBACK."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="central-test", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        for payload in payloads:
            info = client.publish(topic, payload, qos=1)
            info.wait_for_publish(10)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def handled(store: Store) -> dict[str, int]:
    rows = store.conn.execute(
        "SELECT name, value FROM sync_counters WHERE name IN (?, ?, ?, ?)", [f"inbox_{o}" for o in OUTCOMES]
    )
    return {str(name)[6:]: int(value) for name, value in rows}


async def deliver(
    store: Store, port: int, service: InboxService, payloads: list[bytes], *, total: int
) -> None:
    """Start the device's link, publish, wait until the inbox has handled `total` messages in all."""
    link = new_link(port, DEVICE)
    service.subscribe(link, TOPICS)
    link.start(asyncio.get_running_loop())
    try:
        await link.wait_connected(10)
        await asyncio.sleep(0.2)  # let the SUBSCRIBE land
        await asyncio.to_thread(publish, port, payloads)
        await wait_until(lambda: sum(handled(store).values()) >= total, 30, f"{total} inbox messages")
        # Each outcome goes up after its message is handled: stop only when they are out too.
        await wait_until(lambda: sum(service.outcomes.values()) >= total, 30, f"{total} outcomes")
    finally:
        link.stop()


def test_manifests_and_updates_over_mqtt(
    deadline_day: tuple[Store, Engine], broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    store, engine = deadline_day
    service = InboxService(store, device_id=DEVICE, clock=lambda: NOW)
    code = {"type": "pickup_code", "order": "33333333", "pickup_code_hmac": code_hmac(KEY, "5555")}
    good = [
        supply(s9(1, "99999999-0001-1"), mid="m1"),
        supply(s9(1, "99999999-0001-1"), mid="m1"),  # delivered twice
        supply(s9(3, "99999999-0003-1"), mid="m3"),
        supply(s9(2, "99999999-0002-1"), mid="m2"),  # older, arriving late
        updates({"type": "cancel_order", "order": "22222222"}, mid="x1", version=1),
        updates(code, mid="p1", version=1),
    ]
    asyncio.run(deliver(store, broker.port, service, good, total=len(good)))
    assert handled(store) == {"applied": 4, "duplicate": 1, "stale": 1}
    outcomes = dict(store.conn.execute("SELECT id, outcome FROM inbox_messages").fetchall())
    assert outcomes == {"m1": "applied", "m3": "applied", "m2": "stale", "x1": "applied", "p1": "applied"}
    parcels = store.conn.execute("SELECT barcode FROM parcels WHERE supply_id = 'S9'").fetchall()
    assert [p[0] for p in parcels] == ["99999999-0003-1"]
    assert state(store, "22222222-0002-1") == ("to_return", "A-03-1")
    assert store.scalar("SELECT return_reason FROM parcels WHERE barcode = '22222222-0002-1'") == "cancelled"
    assert scan(engine, "222222", keyed=True).feedback.msg.key == "iss_order_cancelled"
    clock = engine.clock
    assert isinstance(clock, StepClock)
    for moment, old_code in (
        (NOW + timedelta(hours=23), "iss_found"),
        (NOW + timedelta(hours=24), "iss_wrong_code"),
    ):
        clock.now = moment
        assert scan(engine, "5555", keyed=True).feedback.msg.key == "iss_found"
        scan(engine, Command.CANCEL)
        assert scan(engine, "3333", keyed=True).feedback.msg.key == old_code
        scan(engine, Command.CANCEL)

    before = domain(store)
    caplog.set_level(logging.WARNING, logger="pvz.sync.inbox")
    asyncio.run(deliver(store, broker.port, service, list(BAD.values()), total=len(good) + len(BAD)))
    assert handled(store) == {"applied": 4, "duplicate": 1, "stale": 1, "rejected": len(BAD)}
    assert store.scalar("SELECT value FROM sync_counters WHERE name = 'inbox_rejected:manifest'") == len(BAD)
    assert domain(store) == before
    rejected = [r.getMessage() for r in caplog.records if "rejected message" in r.getMessage()]
    assert len(rejected) == len(BAD)
    for line, (payload, _, reason, at) in zip(
        rejected,
        [
            MALFORMED[k]
            for k in ("not json", "wrong schema", "string version", "10 MB", "unknown update field")
        ],
        strict=True,
    ):
        assert f": {reason} {at}: " in line, (line, len(payload))
    status = service.status()
    assert status["counters"]["inbox_rejected"] == len(BAD) and status["store_failures"] == 0


def test_a_message_published_while_the_device_is_away_is_applied_when_it_comes_back(
    deadline_day: tuple[Store, Engine], broker: Broker
) -> None:
    store, _ = deadline_day
    service = InboxService(store, device_id=DEVICE, clock=lambda: NOW)

    async def scenario() -> None:
        await deliver(store, broker.port, service, [supply(s9(1), mid="first")], total=1)
        await asyncio.to_thread(
            publish,
            broker.port,
            [updates({"type": "cancel_order", "order": "33333333"}, mid="away", version=1)],
        )
        await deliver(store, broker.port, service, [], total=2)  # the broker kept it in our session

    asyncio.run(scenario())
    assert dict(store.conn.execute("SELECT id, outcome FROM inbox_messages").fetchall()) == {
        "first": "applied",
        "away": "applied",
    }
    assert state(store, "33333333-0001-1") == ("to_return", "A-02-1")
    assert (
        json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'order_cancelled'"))["order"]
        == "33333333"
    )
