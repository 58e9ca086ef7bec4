"""Central learns each manifest-topic message's fate: the device reports it on its outcome topic."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from central.cli import main as central_main
from central.hub_store import HubStore
from device.engine import Engine
from device.store.db import Store
from sync.inbox_service import InboxService
from tests.support.broker import Broker
from tests.support.factory import DEVICE, SITE
from tests.support.sync import TOPICS, new_link, running_hub, wait_until
from tests.test_inbox import NOW, s9, supply
from tests.test_inbox_mqtt import publish


def test_each_message_outcome_reaches_the_hub(
    deadline_day: tuple[Store, Engine], broker: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, _ = deadline_day
    service = InboxService(store, device_id=DEVICE, clock=lambda: NOW)
    db = tmp_path / "hub.db"
    messages = [
        supply(s9(3, "99999999-0003-1"), mid="m3"),
        supply(s9(3, "99999999-0003-1"), mid="m3"),  # delivered twice
        supply(s9(2, "99999999-0002-1"), mid="m2"),  # older, arriving late
        b'{"id": "m4", "id": "m5", "type": "supply", "version": 4, "body": {}}',  # a key twice
        b'{"id": "m6", "type": "updates", "version": 1, "body": {"version": 1, "updates": [], "why": 1}}',
    ]

    async def main() -> None:
        async with running_hub(broker.port, db) as hub:
            link = new_link(broker.port, DEVICE)
            service.subscribe(link, TOPICS)
            link.start(asyncio.get_running_loop())
            try:
                await link.wait_connected(10)
                await asyncio.sleep(0.2)  # let the SUBSCRIBE land
                await asyncio.to_thread(publish, broker.port, messages)
                await wait_until(lambda: service.outcomes["sent"] == len(messages), 15, "the outcomes sent")
            finally:
                link.stop()
            await wait_until(
                lambda: hub.counters["outcomes"] == len(messages), 15, "every outcome at the hub"
            )

    asyncio.run(asyncio.wait_for(main(), 60))
    assert service.status()["outcomes"] == {"sent": len(messages), "failed": 0}
    hub_store = HubStore(db)
    try:
        rows = list(reversed(hub_store.outcomes(DEVICE)))
    finally:
        hub_store.close()
    got = [(r["site"], r["message_id"], r["outcome"], r["code"], r["path"]) for r in rows]
    assert got == [
        (SITE, "m3", "applied", None, None),
        (SITE, "m3", "duplicate", None, None),
        (SITE, "m2", "stale", None, None),
        (SITE, None, "rejected", "duplicate_key", "$"),  # no id can be trusted when it is there twice
        (SITE, "m6", "rejected", "unknown_field", "$.body.why"),
    ]
    assert rows[0]["counts"]["parcels"] == 1 and rows[0]["ts"] == "2026-11-25T06:00:00+00:00"

    assert central_main(["outcomes", "--db", str(db), "--device", DEVICE, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["outcome"] for r in shown] == ["rejected", "rejected", "stale", "duplicate", "applied"]
    assert central_main(["outcomes", "--db", str(db)]) == 0
    assert "m6  rejected  unknown_field $.body.why" in capsys.readouterr().out
