"""docs/protocol.md checked with an independent party: Mosquitto's command-line clients talk to the device.

The device side is the project's own code (MqttLink, Publisher, StatusReporter, InboxService) on a real
store with real scans; `mosquitto_sub` and `mosquitto_pub` play the central system, using only what
docs/protocol.md says.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from device import __version__
from device.config import load_config
from device.config_schema import Config
from device.engine import Engine
from device.store.db import Store
from sync import status
from sync.commands import parse_request
from sync.desired_config import parse_desired
from sync.inbox import decode_message
from sync.inbox_service import InboxService, WireOutcome
from sync.outbox import Outbox
from sync.publisher import ACK_REJECTED, Publisher, WireAck, WireBatch
from tests.support.broker import Broker
from tests.support.config import write_config
from tests.support.factory import DEVICE, SITE, new_engine, new_store, scan, standard_manifest
from tests.support.sync import TOPICS, new_link, wait_until

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = ROOT / "docs" / "protocol.md"
CLI_TIMEOUT_S = 25.0  # a hard bound on one command-line client (they carry their own -W 20)
EVENT_FIELDS = {
    "seq",
    "id",
    "device",
    "ts",
    "station",
    "clerk",
    "kind",
    "parcel",
    "from",
    "to",
    "cell",
    "data",
}

pytestmark = pytest.mark.skipif(
    shutil.which("mosquitto_sub") is None or shutil.which("mosquitto_pub") is None,
    reason="mosquitto-clients are not installed",
)


async def cli(*args: str) -> str:
    """Run one mosquitto command-line client to its end; its stdout (a failure fails the test)."""
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), CLI_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"{args[0]} did not finish within {CLI_TIMEOUT_S} s") from None
    assert proc.returncode == 0, f"{' '.join(args)}: exit {proc.returncode}: {err.decode(errors='replace')}"
    return out.decode("utf-8")


def journal(store: Store) -> list[tuple[int, str, str]]:
    return [
        (int(r[0]), str(r[1]), str(r[2]))
        for r in store.conn.execute("SELECT seq, event_id, kind FROM journal ORDER BY seq")
    ]


def envelope() -> dict[str, Any]:
    """A supply in the inbox envelope, in the shape of the manifest example of docs/protocol.md."""
    return {
        "id": "sup-SUP-2026-000124-v1",
        "type": "supply",
        "version": 1,
        "body": {
            "version": 1,
            "supply_id": "SUP-2026-000124",
            "carrier": "СДЭК",
            "orders": [{"id": "ORD-77130", "customer": "Олег Н.", "pickup_code_hmac": None}],
            "parcels": [
                {
                    "barcode": "1000012345718",
                    "order": "ORD-77130",
                    "size": "S",
                    "deadline": "2026-03-20",
                    "cod_kopecks": 0,
                    "age_restricted": False,
                },
                {
                    "barcode": "1000012345725",
                    "order": "ORD-77130",
                    "size": "M",
                    "deadline": "2026-03-20",
                    "cod_kopecks": 149900,
                    "age_restricted": False,
                },
            ],
        },
    }


class Device:
    """The device's sync side as the daemon wires it: one link, publisher, status, inbox."""

    def __init__(self, store: Store, config: Config, port: int) -> None:
        self.store = store
        self.link = new_link(port, DEVICE, will=status.will(TOPICS, config))
        # No resend by timeout while the test runs: every batch on the wire is one we expect.
        self.publisher = Publisher(store, self.link, TOPICS, ack_timeout=60.0, poll=0.2)
        self.reporter = status.StatusReporter(
            self.link,
            TOPICS,
            status=lambda: status.device_status(store, config, config_report=None, now=datetime.now(UTC)),
        )
        self.inbox = InboxService(store, device_id=DEVICE)
        self.inbox.subscribe(self.link, TOPICS)
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.link.start(asyncio.get_running_loop())
        self.task = asyncio.create_task(self.publisher.run(self.stop))

    async def close(self) -> None:
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)
        self.link.stop()


def counter(store: Store, name: str) -> int:
    row = store.conn.execute("SELECT value FROM sync_counters WHERE name = ?", (name,)).fetchone()
    return 0 if row is None else int(row[0])


def test_a_mosquitto_cli_client_is_central_for_a_real_device(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    engine: Engine = new_engine(store)
    scan(engine, "BOX00000001", "11111111-0001-1")  # acceptance: real journal events
    config = load_config(write_config(tmp_path / "etc"))
    base = ["-V", "mqttv5", "-h", "127.0.0.1", "-p", str(broker.port)]
    sub_id = f"central-{uuid.uuid4().hex[:8]}"
    # A persistent session for the events topic: the broker queues batches for it from now on.
    events_sub = [*base, "-c", "-i", sub_id, "-x", "300", "-q", "1", "-t", TOPICS.events]

    async def scenario() -> None:
        await cli("mosquitto_sub", *events_sub, "-E")
        before = journal(store)
        device = Device(store, config, broker.port)
        device.start()
        try:
            await device.link.wait_connected(10)
            # The device subscribes before it publishes its status: once the status is on the
            # broker, ack and manifest messages reach the device.
            await wait_until(lambda: device.reporter.sent["status"] >= 1, 10, "the status")

            # Status: retained, JSON, the documented fields.
            out = await cli(
                "mosquitto_sub", *base, "-t", TOPICS.status, "-C", "1", "-W", "20", "-F", "%r %C %p"
            )
            retain, content_type, payload = out.rstrip("\n").split(" ", 2)
            assert (retain, content_type) == ("1", "application/json")
            st = json.loads(payload)
            assert set(st) == {"online", "device", "site", "role", "version", "config", "counts", "ts"}
            assert st["online"] is True and (st["device"], st["site"]) == (DEVICE, SITE)
            assert st["role"] == "counter" and st["version"] == __version__ and st["config"] == {}
            assert st["counts"]["outbox_depth"] == len(before)
            assert st["counts"]["parcels"]["accepted"] == 1 and st["counts"]["parcels"]["expected"] == 4
            assert datetime.fromisoformat(st["ts"]).tzinfo is not None

            # Events: one batch of every journal event, ids as in the store.
            out = await cli("mosquitto_sub", *events_sub, "-C", "1", "-W", "20")
            batch = json.loads(out)
            assert set(batch) == {"device", "first_seq", "last_seq", "events"}
            assert (batch["device"], batch["first_seq"], batch["last_seq"]) == (DEVICE, 1, len(before))
            assert [(e["seq"], e["id"], e["kind"]) for e in batch["events"]] == before
            for event in batch["events"]:
                assert set(event) == EVENT_FIELDS and event["device"] == DEVICE
                assert re.fullmatch(r"[0-9a-f]{32}", event["id"]) and isinstance(event["data"], dict)
            accepted = batch["events"][-1]
            assert (accepted["parcel"], accepted["from"], accepted["to"]) == (
                "11111111-0001-1",
                "expected",
                "accepted",
            )

            # Ack: the device's mark moves to what central holds; one beyond the journal is refused.
            last = len(before)
            assert Outbox(store).acked() == 0
            ack = json.dumps({"device": DEVICE, "acked_seq": last})
            await cli("mosquitto_pub", *base, "-q", "1", "-t", TOPICS.ack, "-m", ack)
            await wait_until(lambda: Outbox(store).acked() == last, 10, "the acked sequence")
            assert device.publisher.acked == last and Outbox(store).depth() == 0
            too_far = json.dumps({"device": DEVICE, "acked_seq": last + 5})
            await cli("mosquitto_pub", *base, "-q", "1", "-t", TOPICS.ack, "-m", too_far)
            await wait_until(lambda: counter(store, ACK_REJECTED) == 1, 10, "the rejected ack")
            assert Outbox(store).acked() == last

            # Manifest: an envelope from a file; the supply and its parcels land in the store.
            message = envelope()
            path = tmp_path / "envelope.json"
            path.write_text(json.dumps(message, ensure_ascii=False), encoding="utf-8")
            await cli("mosquitto_pub", *base, "-q", "1", "-t", TOPICS.manifest, "-f", str(path))

            def parcels() -> list[tuple[str, str]]:
                rows = store.conn.execute(
                    "SELECT barcode, state FROM parcels WHERE supply_id = ? ORDER BY barcode",
                    ("SUP-2026-000124",),
                )
                return [(str(r[0]), str(r[1])) for r in rows]

            await wait_until(lambda: len(parcels()) == 2, 10, "the supply from the manifest topic")
            assert parcels() == [("1000012345718", "expected"), ("1000012345725", "expected")]
            supply = store.conn.execute("SELECT version, status FROM supplies WHERE id = 'SUP-2026-000124'")
            assert tuple(supply.fetchone()) == (1, "open")
            assert device.inbox.last is not None and device.inbox.last.outcome == "applied"

            # The same message again (at-least-once delivery): a duplicate by its id, nothing applied twice.
            await cli("mosquitto_pub", *base, "-q", "1", "-t", TOPICS.manifest, "-f", str(path))
            await wait_until(lambda: counter(store, "inbox_duplicate:manifest") == 1, 10, "the duplicate")
            assert counter(store, "inbox_applied:manifest") == 1 and len(parcels()) == 2

            # Central learns of the import from the journal: the next batch carries manifest_imported.
            out = await cli("mosquitto_sub", *events_sub, "-C", "1", "-W", "20")
            batch = json.loads(out)
            assert batch["first_seq"] == last + 1
            imported = [e for e in batch["events"] if e["kind"] == "manifest_imported"]
            assert [e["data"]["supply"] for e in imported] == ["SUP-2026-000124"]
            assert [e["id"] for e in batch["events"]] == [i for s, i, _ in journal(store) if s > last]
        finally:
            await device.close()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def examples() -> dict[str, Any]:
    """The first JSON example of each topic section of docs/protocol.md, by topic kind."""
    found: dict[str, Any] = {}
    for section in re.split(r"^## ", PROTOCOL.read_text(encoding="utf-8"), flags=re.M)[1:]:
        head = re.match(r"`pvz/v1/<site>/<device>/(\w+)`", section)
        block = re.search(r"```json\n(.*?)\n```", section, re.S)
        if head and block:
            found[head.group(1)] = json.loads(block.group(1))
    return found


def test_the_examples_of_protocol_md_pass_the_devices_own_checks() -> None:
    ex = examples()
    assert set(ex) == {"status", "events", "telemetry", "ack", "manifest", "outcome", "config", "cmd"}
    msgspec.json.decode(json.dumps(ex["events"]), type=WireBatch)
    msgspec.json.decode(json.dumps(ex["outcome"]), type=WireOutcome)
    msgspec.json.decode(json.dumps(ex["ack"]), type=WireAck)
    decode_message(json.dumps(ex["manifest"]).encode())
    parse_desired(json.dumps(ex["config"]).encode())
    parse_request(json.dumps(ex["cmd"]).encode())
    assert set(ex["status"]) == {"online", "device", "site", "role", "version", "config", "counts", "ts"}
    assert set(ex["events"]["events"][0]) == EVENT_FIELDS
    assert set(envelope()) == set(ex["manifest"]) and set(envelope()["body"]) == set(ex["manifest"]["body"])
