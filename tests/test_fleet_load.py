"""The fleet load simulator (bench/fleet_sim.py) against two real `pvz-central hub` processes of one
group on a real PostgreSQL through a real Mosquitto: every event stored exactly once and every
device acked to its last event, also when one hub is killed (SIGKILL) in the middle of the run
and the devices resend to the one that survives. No timing is asserted: bench/fleet_load.py
measures."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fleet_procs import HubProcess, check_stored, fleet_broker, start_hub
from bench.fleet_sim import SimFleet
from central.hub_store_pg import PgHubStore
from tests.support import postgres as pgsupport
from tests.support.broker import Broker

pytestmark = pytest.mark.skipif(not pgsupport.available(), reason="Debian's postgresql-15 is not installed")
DEVICES = 30
SITE = "load-site"
ACK_TIMEOUT_S = 2.0  # a device resends after this long without an ack (the daemon: 15 s)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    broker = fleet_broker(tmp_path / "broker", DEVICES)
    broker.start()
    yield broker
    broker.stop()


def _hubs(broker: Broker, url: str, workdir: Path) -> list[HubProcess]:
    PgHubStore(url).close()  # migrated once here; the hubs find it done
    return [start_hub(broker.port, url, name, workdir) for name in ("hub-a", "hub-b")]


async def _drive(broker: Broker, hubs: list[HubProcess], *, kill_after: float | None) -> SimFleet:
    fleet = SimFleet(asyncio.get_running_loop(), ack_timeout=ACK_TIMEOUT_S)
    await fleet.connect(SITE, DEVICES, host="127.0.0.1", port=broker.port)
    run = asyncio.create_task(fleet.run(rate=2, seconds=4))
    if kill_after is not None:
        await asyncio.sleep(kill_after)
        hubs[0].kill()
    await run
    drained = await fleet.drain(60)
    await fleet.close()
    assert drained, {d: v for d, v in fleet.acked().items() if v[0] != v[1]}
    return fleet


def _check(url: str, fleet: SimFleet) -> None:
    sent = {d.topics.device: d.ids for d in fleet.devices}
    result = check_stored(url, sent, {d.topics.device: d.last_seq for d in fleet.devices})
    assert result["sent"] == fleet.totals.created == DEVICES * 8
    assert result | {"ok": True} == {
        "sent": result["sent"],
        "stored": result["sent"],
        "duplicates": 0,
        "missing": 0,
        "unexpected": 0,
        "acked_behind": [],
        "ok": True,
    }
    assert result["ok"]
    assert fleet.totals.acked == fleet.totals.created
    assert len(fleet.totals.lags) == fleet.totals.created  # each event's lag measured once, at its ack
    assert fleet.totals.acks_rejected == 0


def test_simulated_devices_are_stored_once_and_acked_to_their_last_event(
    pg: pgsupport.Postgres, broker: Broker, tmp_path: Path
) -> None:
    url = pg.createdb("steady")
    hubs = _hubs(broker, url, tmp_path)
    try:
        fleet = asyncio.run(_drive(broker, hubs, kill_after=None))
    finally:
        counts = [hub.stop() for hub in hubs]
    _check(url, fleet)
    assert all(c["batches"] > 0 for c in counts), counts  # the group split the batches between the hubs
    assert sum(c["events_new"] for c in counts) == fleet.totals.created
    assert sum(c["statuses"] for c in counts) >= DEVICES  # each device's status at its connect


def test_a_hub_killed_mid_run_loses_nothing_and_stores_nothing_twice(
    pg: pgsupport.Postgres, broker: Broker, tmp_path: Path
) -> None:
    url = pg.createdb("killed")
    hubs = _hubs(broker, url, tmp_path)
    try:
        fleet = asyncio.run(_drive(broker, hubs, kill_after=2.0))
    finally:
        survivor = hubs[1].stop()
    assert hubs[0].proc.returncode == -9
    _check(url, fleet)
    assert survivor["batches"] > 0
    assert fleet.totals.resends > 0  # what the killed hub had, and its share while its session lived
