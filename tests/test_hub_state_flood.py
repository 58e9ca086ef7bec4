"""The hub's statuses, telemetry and command answers written off its loop in batches
(central/hub_state_writer.py): after a real Mosquitto restarts and every device republishes at
once, each device's latest status and telemetry is what is stored, never an older one that came
in the same flood; in both stores. No timing is asserted: bench/fleet_load.py --burst measures."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central.hub import Hub
from central.hub_state_writer import StateWriter
from central.hub_store import open_store
from central.store_api import CentralStore, DeviceStates
from sync.topics import Topics
from sync.transport import MqttLink
from tests.support import postgres as pgsupport
from tests.support.broker import Broker
from tests.support.sync import new_link, serving, wait_until

DEVICES = [f"flood-{i:03d}" for i in range(500)]
SITE = "flood-site"
_names = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    if request.param == "sqlite":
        return tmp_path / "hub.db"
    cluster: pgsupport.Postgres = request.getfixturevalue("pg")
    return cluster.createdb(f"flood{next(_names)}")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker = Broker(tmp_path / "broker")
    broker.start()
    yield broker
    broker.stop()


def _status(device: str, n: int) -> bytes:
    return json.dumps({"online": True, "device": device, "site": SITE, "n": n}).encode()


def _latest(store: CentralStore, n: int) -> bool:
    statuses = store.statuses()
    telemetry = store.telemetry()
    return all(
        statuses.get(d, {}).get("n") == n and telemetry.get(d, ({}, None))[0].get("n") == n for d in DEVICES
    )


def test_one_batch_keeps_each_devices_last_status_and_each_answer_once(db: str | Path) -> None:
    store = open_store(db)
    try:
        states = DeviceStates(
            statuses=[(SITE, "d1", {"n": 1}), (SITE, "d2", {"n": 1}), (SITE, "d1", {"n": 2})],
            telemetry=[(SITE, "d1", {"n": 1}, 0.5), (SITE, "d1", {"n": 2}, None)],
            replies=[(SITE, "d1", "n-1", {"id": "c-1", "ok": True})] * 2
            + [(SITE, "d2", "n-1", {"ok": False})],
        )
        assert store.record_states(states) == 2  # the repeat within the batch kept once
        assert store.record_states(DeviceStates(replies=states.replies)) == 0  # and once across batches
        assert store.statuses() == {"d1": {"n": 2}, "d2": {"n": 1}}
        assert store.telemetry() == {"d1": ({"n": 2}, None)}
        assert store.record_states(DeviceStates()) == 0  # nothing to write is no error
    finally:
        store.close()


def test_the_writer_keeps_a_devices_latest_status_over_one_still_waiting(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    replies: list[int] = []

    async def main() -> None:
        writer = StateWriter(db, on_replies=replies.append)
        try:
            for n in (1, 2, 3):  # in one turn of the loop: all wait for one write
                writer.status(SITE, "d1", {"n": n})
                writer.telemetry(SITE, "d1", {"n": n}, None)
                writer.reply(SITE, "d1", "n-1", {"id": "c-1", "ok": True})
            await writer.flush()
        finally:
            writer.close()
        assert writer.counters["state_writes"] == 1
        assert writer.counters["state_rows"] == 5  # one status, one telemetry, each of three answers

    asyncio.run(main())
    store = open_store(db)
    try:
        assert store.statuses() == {"d1": {"n": 3}}
        assert store.telemetry()["d1"][0] == {"n": 3}
    finally:
        store.close()
    assert replies == [1]  # the repeats kept once


def test_a_flood_after_a_broker_restart_ends_with_every_devices_latest_status(
    db: str | Path, broker: Broker
) -> None:
    counts: dict[str, Any] = {}

    async def main() -> None:
        loop = asyncio.get_running_loop()
        store = open_store(db)
        writer = StateWriter(db)
        link = new_link(broker.port, "hub-flood", session_expiry=60)
        hub = Hub(store, link, states=writer)
        fleet = new_link(broker.port, "fleet-flood")
        link.start(loop)
        fleet.start(loop)
        try:
            await link.wait_connected(10)
            await fleet.wait_connected(10)
            await asyncio.sleep(0.1)  # the hub's SUBSCRIBE lands
            async with serving(link, hub.run):
                await _publish_all(fleet, 1)
                await wait_until(lambda: _latest(store, 1), 30, "every device's first status")
                broker.restart()  # every device reconnects and republishes at once
                await wait_until(lambda: link.connected and fleet.connected, 10, "both links back")
                await asyncio.sleep(0.2)  # the hub's session (persistent) has its subscriptions again
                await _publish_all(fleet, 2, 3)
                await wait_until(lambda: _latest(store, 3), 60, "every device's latest status")
            counts.update(hub.status())
        finally:
            fleet.stop()
            writer.close()
            store.close()

    asyncio.run(asyncio.wait_for(main(), 120))
    assert counts["state_write_failures"] == 0
    assert counts["state_rows"] <= counts["statuses"] + counts["telemetry"]  # coalesced, never more


async def _publish_all(fleet: MqttLink, *ns: int) -> None:
    """Every device's status and telemetry `n`, all at once; then the same for the next of `ns`
    (the hub may still hold the earlier ones then: the later must win)."""
    for n in ns:
        sends = []
        for device in DEVICES:
            topics = Topics(SITE, device)
            sends.append(fleet.publish(topics.status, _status(device, n), 1, True))
            sends.append(fleet.publish(topics.telemetry, json.dumps({"n": n}).encode(), 1))
        await asyncio.gather(*sends)
