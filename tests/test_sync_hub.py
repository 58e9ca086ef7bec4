"""The reference hub: de-duplication, an ack held back by a gap, bad batches, `pvz-central hub` with manifests."""

from __future__ import annotations

import asyncio
import hashlib
import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import msgspec
import pytest

from central.hub import envelope
from central.hub_batches import BadBatch, check
from central.hub_store import HubStore
from sync.inbox import wrap
from sync.inbox_service import InboxService
from sync.outbox import Outbox
from sync.publisher import Publisher, WireBatch
from sync.transport import Inbound
from tests.support.broker import Broker
from tests.support.factory import DEVICE, SITE, new_store, standard_manifest
from tests.support.sync import (
    TOPICS,
    fill_journal,
    hub_counts,
    new_link,
    running_device,
    running_hub,
    wait_until,
)

ROOT = Path(__file__).resolve().parent.parent


def batch(first: int, last: int, *, device: str = DEVICE, **changes: Any) -> WireBatch:
    events = [
        {"seq": s, "id": f"ev-{device}-{s}", "device": device, "ts": "2026-11-21T09:00:00+03:00"}
        | {"kind": "placed", "parcel": f"P{s}", "from": "accepted", "to": "stored", "data": {"n": s}}
        for s in range(first, last + 1)
    ]
    body = {"device": device, "first_seq": first, "last_seq": last, "events": events} | changes
    return msgspec.json.decode(json.dumps(body), type=WireBatch)


def test_hub_store_dedups_and_holds_the_ack_at_a_gap(tmp_path: Path) -> None:
    hub = HubStore(tmp_path / "hub.db")
    assert hub.store_batch(SITE, batch(1, 100)).acked_seq == 100
    stored = hub.store_batch(SITE, batch(201, 300))  # 101..200 lost on the way
    assert (stored.inserted, stored.acked_seq) == (100, 100)
    assert hub.store_batch(SITE, batch(301, 350)).acked_seq == 100
    stored = hub.store_batch(SITE, batch(101, 200))  # the resend fills the gap
    assert (stored.inserted, stored.acked_seq) == (100, 350)
    again = hub.store_batch(SITE, batch(150, 249))  # a resend with other bounds: all duplicates
    assert (again.inserted, again.acked_seq) == (0, 350)
    assert hub.store_batch(SITE, batch(5, 7, device="pvz-other-0002")).acked_seq == 0  # starts at 5
    early = batch(351, 352)  # written before the store knew its device id: stamped "unknown"
    early = msgspec.structs.replace(
        early, events=[msgspec.structs.replace(e, device_id="unknown") for e in early.events]
    )
    check(SITE, DEVICE, early)  # the topic names the device
    assert hub.store_batch(SITE, early).acked_seq == 352
    assert hub.count() == 355 and hub.count(DEVICE) == 352
    assert hub.devices() == {DEVICE: 352, "pvz-other-0002": 0}
    row = hub.conn.execute(
        "SELECT from_state, to_state, data FROM events WHERE seq = 7 AND device = ?", (DEVICE,)
    )
    assert tuple(row.fetchone()) == ("accepted", "stored", '{"n": 7}')  # data as the device wrote it
    hub.close()


@pytest.mark.parametrize(
    ("bad", "reason", "path"),
    [
        (batch(1, 3, device="pvz-other-0002"), "wrong_device", "$.device"),
        (batch(1, 3, last_seq=4), "bad_sequence", "$.last_seq"),
        (batch(0, 2), "bad_sequence", "$.last_seq"),
        (batch(1, 3, first_seq=2, last_seq=4), "bad_sequence", "$.events[0].seq"),
    ],
)
def test_inconsistent_batches_are_rejected(bad: WireBatch, reason: str, path: str) -> None:
    with pytest.raises(BadBatch) as info:
        check(SITE, DEVICE, bad)
    assert (info.value.reason, info.value.path) == (reason, path)


def test_hub_counts_bad_payloads_and_keeps_going(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 300)
    db = tmp_path / "hub.db"

    async def main() -> None:
        async with running_hub(broker.port, db) as hub:
            sender = new_link(broker.port, "intruder")
            sender.start(asyncio.get_running_loop())
            await sender.wait_connected(10)
            wrong = json.dumps({"device": "pvz-other-0002", "first_seq": 1, "last_seq": 1, "events": []})
            for payload in (b"{", b"[]", wrong.encode(), json.dumps({"device": DEVICE}).encode()):
                await sender.publish(TOPICS.events, payload, 1)
            sender.stop()
            await wait_until(lambda: hub.counters["rejected"] == 4, 10, "four rejections")
            async with running_device(store, broker.port) as device:
                await wait_until(lambda: device.acked == last, 30, "the drain")

    asyncio.run(asyncio.wait_for(main(), 60))
    assert hub_counts(db) == (last, last, last)
    store.close()


def test_envelope_wraps_bare_files_and_leaves_the_rest() -> None:
    manifest = json.dumps(standard_manifest().to_json()).encode()
    wrapped = json.loads(envelope(manifest, "f-1"))
    assert (wrapped["type"], wrapped["id"], wrapped["version"]) == ("supply", "f-1", 1)
    assert wrapped["body"] == json.loads(manifest)
    updates = b'{"version": 7, "updates": []}'
    assert json.loads(envelope(updates, "f-2"))["type"] == "updates"
    ready = wrap("supply", manifest, message_id="m-1", version=1)
    for raw in (ready, b"not json", b"[1]", b'{"supply_id": "S9"}'):
        assert envelope(raw, "f-3") == raw


def test_pvz_hub_command_drains_and_delivers_manifests(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 500)
    folder = tmp_path / "manifests" / SITE / DEVICE
    folder.mkdir(parents=True)
    first = json.dumps(standard_manifest().to_json()).encode()
    received: list[Inbound] = []
    inbox = InboxService(store, device_id=DEVICE)
    db = tmp_path / "hub.db"
    args = ["--broker", f"127.0.0.1:{broker.port}", "--db", str(db), "--site", SITE]
    args += ["--manifests", str(tmp_path / "manifests"), "--client-id", "hub-cli"]
    hub = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "hub", *args], cwd=ROOT, stderr=subprocess.PIPE
    )
    head: list[bytes] = []  # stderr up to the "connected" line: the hub is up before the device

    def read_head() -> None:
        assert hub.stderr is not None
        for line in iter(hub.stderr.readline, b""):
            head.append(line)
            if b"connected to" in line:
                return

    reader = threading.Thread(target=read_head, daemon=True)
    reader.start()
    reader.join(20)

    def on_manifest(msg: Inbound) -> None:
        received.append(msg)
        inbox.on_message(msg)
        publisher.notify()  # the import wrote a journal event: it goes up like any other

    publisher: Publisher

    async def main() -> None:
        nonlocal publisher
        async with running_device(store, broker.port) as device:
            publisher = device
            device.link.subscribe(TOPICS.manifest, on_manifest)
            await wait_until(lambda: device.acked == last, 30, "the drain through `pvz-central hub`")
            (folder / "supply-1.json").write_bytes(first)  # now that the device listens
            await wait_until(lambda: len(received) == 1, 10, "the manifest")
            (folder / "broken.json").write_bytes(b'{"version": 2, "supply_id": "S-2"}')
            await wait_until(lambda: len(received) == 2, 10, "the second file")
            await wait_until(lambda: device.acked == last + 1, 10, "the import's own event")

    try:
        asyncio.run(asyncio.wait_for(main(), 60))
    finally:
        hub.send_signal(signal.SIGTERM)
        _, err = hub.communicate(timeout=10)
    assert hub.returncode == 0, err.decode()
    assert b"connected to" in b"".join(head) and b"stopped" in err
    assert received[0].topic == TOPICS.manifest
    assert dict(received[0].prop("UserProperty")) == {"name": "supply-1.json"}
    assert received[0].prop("ContentType") == "application/json"
    outcomes = dict(store.conn.execute("SELECT id, outcome FROM inbox_messages").fetchall())
    supply_id = "f-" + hashlib.sha256(first).hexdigest()[:48]
    assert outcomes[supply_id] == "applied" and len(outcomes) == 2
    assert "rejected" in outcomes.values()  # the broken file: rejected by the device, with a reason
    assert store.scalar("SELECT count(*) FROM parcels") == len(standard_manifest().parcels)
    assert hub_counts(db) == (last + 1, last + 1, last + 1) and Outbox(store).depth() == 0
    store.close()
