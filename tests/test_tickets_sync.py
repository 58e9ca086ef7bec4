"""A ticket's round trip over a real Mosquitto: the device's ticket_opened reaches the hub, an operator
answers with `pvz-central tickets resolve`, the hub sends it down as a ticket_resolution message,
the device records and shows it, and its ticket_resolved event brings the hub's ticket to resolved."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from central.cli import main as central_main
from device.cli.main import main
from device.store.db import Store
from device.store.tickets import list_tickets
from sync.inbox_service import InboxService
from sync.publisher import Publisher
from tests.support.broker import Broker
from tests.support.factory import DEVICE, new_engine, scan
from tests.support.sync import TOPICS, new_link, running_hub, serving, wait_until
from workflows.context import Evidence, Policy

ANSWER = "Посылку заберёт курьер 12.12, наклейте ярлык возврата"


async def round_trip(store: Store, port: int, hub_db: Path) -> dict[str, object]:
    async with running_hub(port, hub_db) as hub:
        link = new_link(port, DEVICE)
        inbox = InboxService(store, device_id=DEVICE)
        inbox.subscribe(link, TOPICS)
        publisher = Publisher(store, link, TOPICS, ack_timeout=3.0, poll=0.2)
        inbox.on_written = publisher.notify
        link.start(asyncio.get_running_loop())
        async with serving(link, publisher.run):
            [opened] = await wait_until(hub.store.tickets, 30, "the hub's ticket")
            argv = ["tickets", "resolve", str(opened["ticket_id"]), "--db", str(hub_db), "--text", ANSWER]
            assert await asyncio.to_thread(central_main, argv) == 0
            await wait_until(
                lambda: list_tickets(store.conn, open_only=True) == [], 30, "the device's resolution"
            )
            done = await wait_until(lambda: hub.store.tickets("resolved"), 30, "the hub's resolved")
            outcomes = hub.store.outcomes(DEVICE)
    return {"opened": opened, "resolved": done[0], "outcomes": outcomes}


def test_a_ticket_goes_to_the_hub_and_its_resolution_comes_back(
    store: Store, broker: Broker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = Policy(evidence=Evidence(cameras={"s1": "cam-7"}))
    engine = new_engine(store, policy=policy)
    scan(engine, "BOX00000001", "99999999-0001-1")
    hub_db = tmp_path / "hub.db"
    seen = asyncio.run(round_trip(store, broker.port, hub_db))
    opened, resolved = seen["opened"], seen["resolved"]
    assert isinstance(opened, dict) and isinstance(resolved, dict)
    assert (opened["kind"], opened["parcel"], opened["camera"], opened["station"]) == (
        "unknown_barcode",
        "99999999-0001-1",
        "cam-7",
        "s1",
    )
    assert (resolved["state"], resolved["resolution"]) == ("resolved", ANSWER)
    [outcome] = [o for o in seen["outcomes"] if isinstance(o, dict)]  # type: ignore[attr-defined]
    assert outcome["outcome"] == "applied"
    [device_ticket] = list_tickets(store.conn)
    assert (device_ticket["state"], device_ticket["resolution"]) == ("resolved", ANSWER)
    assert store.scalar("SELECT kind FROM inbox_messages") == "ticket_resolution"
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'ticket_resolved'") == 1
    # The device shows it: `pvz tickets show` in words, `ls --open` empty.
    ticket = str(device_ticket["ticket_id"])
    assert main(["tickets", "show", ticket, "--store", str(store.path), "--lang", "en"]) == 0
    shown = capsys.readouterr().out
    assert f"Support's answer ({device_ticket['resolved_at']}): {ANSWER}" in shown
    assert "Video: camera cam-7, from " in shown and "Unknown barcode" in shown
    assert main(["tickets", "ls", "--open", "--json", "--store", str(store.path)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    # A second answer to a ticket its device already resolved is refused at the hub.
    argv = ["tickets", "resolve", ticket, "--db", str(hub_db), "--text", "again"]
    assert central_main(argv) == 2
