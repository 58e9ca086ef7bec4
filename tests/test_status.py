"""The retained status and its last will over a real broker, and periodic telemetry."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from device import __version__
from sync import status
from sync.transport import Inbound, MqttLink
from tests.support.broker import Broker
from tests.support.sim_device import SimDevice
from tests.support.sync import wait_until

ROOT = Path(__file__).resolve().parents[1]


class Watcher:
    """A central-side client that keeps every message of the topics it follows."""

    def __init__(self, port: int) -> None:
        self.link = MqttLink(
            client_id=f"watch-{uuid.uuid4().hex[:8]}", host="127.0.0.1", port=port, session_expiry=0
        )
        self.messages: list[tuple[str, dict[str, Any], bool]] = []

    async def start(self, *topics: str) -> None:
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(10)
        for topic in topics:
            self.link.subscribe(topic, self._keep, qos=1)

    def _keep(self, msg: Inbound) -> None:
        self.messages.append((msg.topic, json.loads(msg.payload), msg.retain))

    def last(self, topic: str) -> dict[str, Any] | None:
        found = [body for t, body, _ in self.messages if t == topic]
        return found[-1] if found else None


async def retained(port: int, topic: str) -> dict[str, Any]:
    """What a newcomer sees on `topic`: the retained message."""
    watcher = Watcher(port)
    await watcher.start(topic)
    try:
        body: dict[str, Any] = await wait_until(lambda: watcher.last(topic))
        assert watcher.messages[-1][2] is True
        return body
    finally:
        watcher.link.stop()


def test_status_is_retained_and_the_last_will_says_offline_when_the_device_dies(
    tmp_path: Path, broker: Broker
) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.sim_device",
            "--port",
            str(broker.port),
            "--dir",
            str(tmp_path / "d"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        topic = "pvz/v1/test-site/pvz-test-0001/status"
        online = asyncio.run(retained(broker.port, topic))
        assert online["online"] is True and online["version"] == __version__ and online["role"] == "counter"
        assert (
            online["counts"]["parcels"]["expected"] == 5 and online["counts"]["outbox_depth"] == 1
        )  # the manifest import
        assert online["config"]["active"] == {"version": 0, "hash": None}
        proc.send_signal(signal.SIGKILL)  # no DISCONNECT: the broker sees the socket close
        proc.wait(10)

        async def offline() -> Any:
            return await wait_until(lambda: _offline(broker.port, topic))

        gone = asyncio.run(offline())
        assert gone == {
            "online": False,
            "device": "pvz-test-0001",
            "site": "test-site",
            "role": "counter",
            "version": __version__,
            "reason": "connection lost",
        }
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


async def _offline(port: int, topic: str) -> dict[str, Any] | None:
    body = await retained(port, topic)
    return body if body["online"] is False else None


def test_telemetry_arrives_every_period_and_a_clean_stop_says_goodbye(
    tmp_path: Path, broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status, "TELEMETRY_S", 0.05)

    async def main() -> None:
        device = SimDevice(tmp_path / "d", broker.port)
        watcher = Watcher(broker.port)
        await watcher.start(device.topics.telemetry, device.topics.status)
        await device.start()
        ticks = await wait_until(
            lambda: [b for t, b, _ in watcher.messages if t == device.topics.telemetry][2:]
        )
        sample = ticks[0]
        assert sample["printers"]["s1"]["state"] == "ready" and sample["print_queue"] == 0
        assert sample["scanners"] == {"s1": [{"name": "scanner-s1", "connected": None}]}
        assert sample["outbox_depth"] == 1
        assert sample["disk_free_bytes"] > 0 and sample["uptime_s"] >= 0
        assert isinstance(sample["counters"], dict)
        await device.close()
        bye = await wait_until(lambda: (watcher.last(device.topics.status) or {}).get("reason") == "shutdown")
        assert bye is True
        assert watcher.last(device.topics.status) == {
            **status.offline_status(device.config, reason="shutdown"),
            "ts": watcher.last(device.topics.status)["ts"],  # type: ignore[index]
        }
        watcher.link.stop()

    asyncio.run(main())


def test_an_unchanged_status_is_not_republished_until_it_changes(tmp_path: Path, broker: Broker) -> None:
    async def main() -> None:
        device = SimDevice(tmp_path / "d", broker.port)
        await device.start()
        await wait_until(lambda: device.reporter.sent["status"] == 1)
        assert await device.reporter.publish_status() is False
        with device.store.transaction() as conn:
            conn.execute("UPDATE parcels SET state = 'missing' WHERE barcode = '11111111-0001-1'")
        assert await device.reporter.publish_status() is True
        await device.close()

    asyncio.run(main())
