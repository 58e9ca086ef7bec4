"""SiteMain in the test's own loop over a real Mosquitto, the runtime not reading inputs: an input
is refused `not_ready` and nothing is written; answers past [site] keep_answers_h are pruned."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.config import load_config
from device.site.main_service import SiteMain
from device.store import remote_inputs
from device.store.remote_inputs import RemoteInput
from device.wiring import build_runtime, open_store
from tests.support.broker import Broker
from tests.support.factory import CLERK, DEVICE, KEY, new_store, standard_manifest
from tests.support.site import main_config, remote
from tests.support.site_station import FakeStation
from tests.support.sync import new_link


def test_a_runtime_not_reading_inputs_refuses_them_and_old_answers_are_pruned(
    tmp_path: Path, broker: Broker
) -> None:
    new_store(tmp_path / "pvz.db", standard_manifest()).close()
    path = main_config(
        tmp_path, mqtt_port=broker.port, remotes=remote("c", "pvz-c"), device=DEVICE, key=KEY.hex()
    )
    config = load_config(path)
    store = open_store(config, path, owner=True)
    runtime = build_runtime(config, path, store)
    assert runtime.remote_stations == {"c"} and runtime.stations["c"].printer is not None

    async def scenario() -> None:
        link = new_link(broker.port, DEVICE)
        site = SiteMain(runtime, config, link)
        site.subscribe()
        link.start(asyncio.get_running_loop())
        await link.wait_connected(10)
        c = FakeStation(broker.port, "pvz-c", "c")
        await c.start()
        try:
            reply = await c.reply(await c.send(CLERK))
            assert reply.refused == "not_ready" and reply.feedback["msg"]["key"] == "site_refused_not_ready"
            assert remote_inputs.count(store.conn) == 0
            assert site.status()["refused"] == {"not_ready": 1}
        finally:
            await c.stop()
            link.stop()

    try:
        asyncio.run(scenario())
        runtime.engine.handle("c", CLERK, remote=RemoteInput("d" * 32, "pvz-c"))
        site = SiteMain(runtime, config, new_link(broker.port, "unused"))
        assert site.prune() == 0  # answered just now: kept for keep_answers_h
        store.conn.execute("UPDATE remote_inputs SET at = '2000-01-01T00:00:00+00:00'")
        assert site.prune() == 1 and site.status()["answers_pruned"] == 1
    finally:
        store.close()
