"""The daemon and the demo sync through a real Mosquitto: every event reaches the hub exactly once."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from pathlib import Path

from central.cli import main as central_main
from central.hub import Hub
from central.hub_store import HubStore
from device.cli.main import main
from sync.transport import MqttLink
from tests.support.broker import Broker
from tests.support.config import example_daemon, station, write_config


def test_demo_sync_delivers_every_event_exactly_once(tmp_path: Path) -> None:
    assert central_main(["demo-sync", "--out", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    sync = summary["sync"]
    assert sync["exactly_once"] is True
    assert sync["hub_events"] == sync["journal_events"] == summary["journal_events"] > 200
    hub = sqlite3.connect(tmp_path / "hub.db")
    ids = {r[0] for r in hub.execute("SELECT event_id FROM events")}
    store = sqlite3.connect(tmp_path / "pvz.db")
    assert ids == {r[0] for r in store.execute("SELECT event_id FROM journal")}


def test_pvz_run_with_mqtt_sends_its_events_to_a_hub(tmp_path: Path, broker: Broker) -> None:
    db = tmp_path / "pvz.db"
    config = example_daemon(tmp_path, device="pvz-run-0001", site="lab", mqtt_port=broker.port)
    ready, done = threading.Event(), threading.Event()

    def hub_thread() -> None:
        async def run() -> None:
            link = MqttLink(client_id="test-hub", host="127.0.0.1", port=broker.port)
            hub_store = HubStore(tmp_path / "hub.db")  # used in this thread only
            Hub(hub_store, link)
            link.start(asyncio.get_running_loop())
            await link.wait_connected(10)
            ready.set()
            while not done.is_set():
                await asyncio.sleep(0.05)
            link.stop()
            hub_store.close()

        asyncio.run(run())

    thread = threading.Thread(target=hub_thread)
    thread.start()
    try:
        assert ready.wait(15)
        assert main(["run", "--config", str(config)]) == 0
    finally:
        done.set()
        thread.join(15)
    hub_store = HubStore(tmp_path / "hub.db")
    journal = sqlite3.connect(db).execute("SELECT count(*) FROM journal").fetchone()[0]
    assert hub_store.count("pvz-run-0001") == journal > 3
    assert (
        hub_store.acked("pvz-run-0001")
        == sqlite3.connect(db).execute("SELECT max(seq) FROM journal").fetchone()[0]
    )


def test_a_pushed_config_takes_effect_live_in_the_daemon(tmp_path: Path) -> None:
    from device.config import load_config
    from device.uplink.service import SyncService
    from device.wiring import build_runtime, open_store

    config_file = write_config(
        tmp_path, device="pvz-live-0001", site="lab", mqtt_port=1, stations=station("c")
    )
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    try:
        runtime = build_runtime(config, config_file, store)
        service = SyncService(runtime, config, config_file)
        assert runtime.lang == "ru"
        report = service.desired.apply(
            json.dumps({"version": 1, "config": {"device": {"language": "en"}}}).encode()
        )
        assert report["applied"] is True
        assert runtime.lang == "en" and runtime.engine.docs.lang == "en"
        assert service._status_message()["config"]["version"] == 1
    finally:
        store.close()
