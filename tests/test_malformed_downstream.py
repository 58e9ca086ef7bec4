"""Garbage on every downstream topic: refused with a logged reason, counted, nothing half-applied."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from device.config import load_config
from device.uplink.service import SyncService
from device.wiring import build_runtime, open_store
from sync.topics import Topics
from tests.support.broker import Broker
from tests.support.config import SCRIPT, station, write_config
from tests.support.factory import dump

TEN_MB = b"{" + b'"x": "' + b"y" * (10 * 1024 * 1024) + b'"}'
GARBAGE = {
    "not-json": b"\xff\x00 this is not json",
    "wrong-schema": json.dumps({"hello": "world"}).encode(),
    "wrong-types": json.dumps({"id": 7, "version": "two", "type": ["supply"], "body": 1}).encode(),
    "ten-mb": TEN_MB,
    # {"acked_seq":304,"acked_seq":306} was read as 306: the last key won
    "duplicate-keys": b'{"version": 1, "version": 2}',
    "unknown-fields": json.dumps(
        {"id": "m-1", "type": "updates", "version": 1, "body": {"version": 1, "updates": []}, "extra": True}
    ).encode(),
}
# The reason code and path each part of the device refuses a payload with (commands have their own).
REFUSED = {
    "manifest": {
        "not-json": ("not_utf8", "$"),
        "wrong-schema": ("missing_field", "$.type"),
        "wrong-types": ("wrong_type", "$.type"),
        "ten-mb": ("too_large", "$"),
        "duplicate-keys": ("duplicate_key", "$"),
        "unknown-fields": ("unknown_field", "$.extra"),
    },
    "config": {
        "not-json": ("not_utf8", "$"),
        "wrong-schema": ("unknown_field", "$.hello"),
        "wrong-types": ("wrong_type", "$.version"),
        "ten-mb": ("too_large", "$"),
        "duplicate-keys": ("duplicate_key", "$"),
        "unknown-fields": ("unknown_field", "$.type"),
    },
    "ack": {
        "not-json": ("not_utf8", "$"),
        "wrong-schema": ("unknown_field", "$.hello"),
        "wrong-types": ("unknown_field", "$.id"),
        "ten-mb": ("too_large", "$"),
        "duplicate-keys": ("duplicate_key", "$"),
        "unknown-fields": ("unknown_field", "$.id"),
    },
}
# Tables that record the refusal itself; everything else must stay exactly as it was.
BOOKKEEPING = {"sync_counters", "inbox_messages"}


def domain(tables: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    return {name: rows for name, rows in tables.items() if name not in BOOKKEEPING}


@pytest.mark.parametrize("kind", ["ack", "manifest", "config", "cmd"])
def test_garbage_on_a_downstream_topic_is_refused_counted_and_changes_nothing(
    tmp_path: Path, broker: Broker, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    config_file = write_config(
        tmp_path,
        device="pvz-bad-0001",
        site="lab",
        mqtt_port=broker.port,
        stations=station("counter-1", SCRIPT),
    )
    (tmp_path / "codes.txt").write_text("", encoding="utf-8")
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    runtime = build_runtime(config, config_file, store)
    topic = getattr(Topics("lab", "pvz-bad-0001"), kind)
    caplog.set_level(logging.WARNING)

    def counters() -> int:
        return int(store.scalar("SELECT coalesce(sum(value), 0) FROM sync_counters"))

    async def main() -> None:
        service = SyncService(runtime, config, config_file)
        stop = asyncio.Event()
        task = asyncio.create_task(service.run(stop))
        await service.link.wait_connected(10)
        # The first status is published after the subscriptions on the same connection, and the
        # broker handles a connection's packets in order: once it is acked, we are subscribed.
        deadline = time.monotonic() + 15
        while service.reporter.sent["status"] < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert service.reporter.sent["status"] >= 1
        sender = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        sender.connect("127.0.0.1", broker.port)
        sender.loop_start()
        try:
            for name, payload in GARBAGE.items():
                before_tables, before_count = domain(dump(store)), counters()
                sender.publish(topic, payload, qos=1).wait_for_publish(10)
                deadline = time.monotonic() + 15
                while counters() == before_count and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                assert counters() > before_count, f"{kind}/{name} was not counted"
                assert domain(dump(store)) == before_tables, f"{kind}/{name} changed the store"
        finally:
            sender.loop_stop()
            sender.disconnect()
            stop.set()
            await asyncio.wait_for(task, 20)
        telemetry = service._telemetry()
        assert sum(telemetry["counters"].values()) >= len(GARBAGE)  # counted in telemetry

    try:
        asyncio.run(main())
    finally:
        store.close()
    # every refusal is logged with its reason, by the part of the device that refused it
    refusals = [r for r in caplog.records if r.name.startswith("pvz") and r.levelno >= logging.WARNING]
    assert len(refusals) >= len(GARBAGE), [r.getMessage() for r in refusals]
    lines = [r.getMessage() for r in refusals]
    for name, (code, path) in REFUSED.get(kind, {}).items():
        assert any(code in line and f"{path}: " in line for line in lines), (name, code, path, lines)
