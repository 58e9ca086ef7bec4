"""A courier's list from central: the 'courier' downstream message, applied, versioned, refused whole."""

from __future__ import annotations

import asyncio
import json

import pytest

from device.engine import Engine
from device.store.db import Store
from sync.inbox import wrap
from sync.inbox_service import InboxService
from sync.outbox import Outbox
from tests.support.broker import Broker
from tests.support.factory import DEVICE, scan, state
from tests.support.outbound import add_outbound, courier_body, courier_message
from tests.test_inbox import NOW, domain, put
from tests.test_inbox_mqtt import deliver
from workflows.inputs import Command

CODE = "CR-00000042"


def expected(store: Store) -> list[tuple[str, str, list[str], list[str]]]:
    rows = store.conn.execute("SELECT code, state, parcels, bags FROM couriers ORDER BY code")
    return [(r[0], r[1], json.loads(r[2]), json.loads(r[3])) for r in rows]


def test_a_newer_list_replaces_an_older_one_and_an_older_one_is_stale(store: Store) -> None:
    assert put(store, courier_message(CODE, mid="c1", version=2, parcels=("DRP-1",))).outcome == "applied"
    assert put(store, courier_message(CODE, mid="c0", version=1, parcels=("DRP-0",))).outcome == "stale"
    assert put(store, courier_message(CODE, mid="c1", version=2, parcels=("DRP-1",))).outcome == "duplicate"
    r = put(store, courier_message(CODE, mid="c3", version=3, parcels=("DRP-1", "DRP-2"), bags=("OBAG1",)))
    assert r.outcome == "applied" and r.counts == {"parcels": 2, "bags": 1}
    assert expected(store) == [(CODE, "expected", ["DRP-1", "DRP-2"], ["OBAG1"])]


def _raw(body: dict[str, object]) -> bytes:
    return wrap("courier", json.dumps(body).encode(), message_id="bad", version=1)


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        (courier_body(CODE), "too_short", "$.body.parcels"),
        (courier_body(CODE, bags=("OBAG1", "OBAG1")), "duplicate_barcode", "$.body.bags[1]"),
        ({**courier_body(CODE, parcels=("DRP-1",)), "phone": "+7"}, "unknown_field", "$.body.phone"),
        ({**courier_body(CODE, parcels=("DRP-1",)), "name": ""}, "too_short", "$.body.name"),
        ({**courier_body(CODE, parcels=("DRP-1",)), "code": "CR 42"}, "bad_format", "$.body.code"),
        ({**courier_body(CODE), "parcels": "DRP-1"}, "wrong_type", "$.body.parcels"),
    ],
)
def test_a_bad_list_is_refused_whole_naming_the_field(
    store: Store, body: dict[str, object], code: str, path: str
) -> None:
    before = domain(store)
    r = put(store, _raw(body))
    assert (r.outcome, r.code, r.path) == ("rejected", code, path)
    assert domain(store) == before
    assert store.scalar("SELECT kind FROM inbox_messages WHERE id = 'bad'") == "courier"


def test_the_list_comes_over_a_real_broker_and_the_courier_then_collects(
    stocked: Engine, store: Store, broker: Broker
) -> None:
    add_outbound(store, "DRP-00000001", "dropoff")
    service = InboxService(store, device_id=DEVICE, clock=lambda: NOW)
    message = courier_message(CODE, mid="courier-1", parcels=("DRP-00000001",))
    asyncio.run(deliver(store, broker.port, service, [message], total=1))
    assert expected(store) == [(CODE, "expected", ["DRP-00000001"], [])]
    assert (
        service.outcomes["sent"] == 1
        and store.scalar("SELECT value FROM sync_counters WHERE name = 'inbox_applied:manifest'") == 1
    )
    acked = Outbox(store).last_seq()
    r = scan(stocked, Command.START_RETURN_TO_SENDER, "OBAG00054321", "DRP-00000001", Command.DONE, CODE)
    assert r.feedback.msg.key == "out_handed_over"
    assert state(store, "DRP-00000001") == ("dispatched", None)
    # the hub hears of the parcel leaving, in its bag, and of the courier collecting
    events = [(e.kind, e.parcel, dict(e.data)) for e in Outbox(store).batch(after=acked)]
    assert ("dispatched", "DRP-00000001", {"bag": "OBAG00054321"}) in events
    assert any(kind == "courier_collected" and data["courier"] == CODE for kind, _, data in events)
