"""`pvz-central demo-sync`: the demo day's events sent through a local Mosquitto to a reference hub."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from central.hub import Hub
from central.hub_store import HubStore
from device.demo.stage import DEVICE_ID, SITE
from device.store.db import Store
from sync.publisher import Publisher
from sync.topics import Topics
from sync.transport import MqttLink

DRAIN_TIMEOUT_S = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_broker(workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A throwaway Mosquitto on a free loopback port, with its own config in `workdir`."""
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        raise FileNotFoundError("mosquitto is not installed (apt-get install mosquitto)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    config = workdir / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 100000\n", encoding="utf-8"
    )
    proc = subprocess.Popen([binary, "-c", str(config)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("mosquitto did not start")


async def _drain(store: Store, hub_db: Path, port: int) -> dict[str, Any]:
    topics = Topics(SITE, DEVICE_ID)
    loop = asyncio.get_running_loop()
    hub_store = HubStore(hub_db)
    hub_link = MqttLink(client_id="pvz-demo-hub", host="127.0.0.1", port=port)
    Hub(hub_store, hub_link)
    device_link = MqttLink(client_id=DEVICE_ID, host="127.0.0.1", port=port)
    publisher = Publisher(store, device_link, topics)
    hub_link.start(loop)
    await hub_link.wait_connected(10)
    device_link.start(loop)
    stop = asyncio.Event()
    sending = asyncio.create_task(publisher.run(stop))
    last = int(store.scalar("SELECT coalesce(max(seq), 0) FROM journal"))
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while publisher.outbox.acked() < last and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    stop.set()
    await sending
    device_link.stop()
    hub_link.stop()
    distinct = int(hub_store.conn.execute("SELECT count(DISTINCT event_id) FROM events").fetchone()[0])
    result = {
        "journal_events": int(store.scalar("SELECT count(*) FROM journal")),
        "hub_events": hub_store.count(),
        "hub_distinct_event_ids": distinct,
        "acked_seq": publisher.outbox.acked(),
        "last_seq": last,
    }
    hub_store.close()
    result["exactly_once"] = (
        result["journal_events"] == result["hub_events"] == distinct and result["acked_seq"] == last
    )
    return result


def sync_day(out: Path) -> dict[str, Any]:
    """Send every journal event of the demo store to a hub; report what the hub holds."""
    proc, port = start_broker(out / "broker")
    try:
        with Store.open(out / "pvz.db") as store:
            return asyncio.run(_drain(store, out / "hub.db", port))
    finally:
        proc.terminate()
        proc.wait(10)
