"""The journal as an outbox: ordered batches, acknowledgements that only move forward."""

from __future__ import annotations

import json

import msgspec
import pytest

from device.engine import Engine
from device.store.db import Store
from device.store.journal import Event
from sync.outbox import Outbox, OutboxError
from tests.support.factory import scan
from workflows.inputs import Command


def test_events_come_out_in_sequence_order_until_acked(engine: Engine, store: Store) -> None:
    scan(engine, "BOX00000001", "11111111-0001-1", "22222222-0001-1", Command.DONE, Command.DONE)
    box = Outbox(store)
    total = box.last_seq()
    assert box.depth() == total >= 5
    first = box.batch(limit=3)
    assert [e.seq for e in first] == sorted(e.seq for e in first) and len(first) == 3
    assert {e.kind for e in box.batch(limit=100)} >= {
        "manifest_imported",
        "accepted",
        "missing",
        "supply_closed",
    }
    accepted = next(e for e in box.batch(limit=100) if e.kind == "accepted")
    assert accepted.to_json()["from"] == "expected" and accepted.station == "s1"
    assert box.ack(first[-1].seq) == first[-1].seq
    assert box.depth() == total - 3
    assert box.batch(limit=1)[0].seq == first[-1].seq + 1
    assert box.ack(1) == first[-1].seq  # an old ack never moves the mark back
    with pytest.raises(OutboxError, match="journal ends at"):
        box.ack(total + 1)
    box.ack(total)
    assert box.depth() == 0 and box.batch() == []
    assert box.status() == {"acked_seq": total, "last_seq": total, "depth": 0}


def test_an_event_goes_out_in_the_protocol_shape_and_the_hub_keeps_its_data_raw(
    engine: Engine, store: Store
) -> None:
    scan(engine, "BOX00000001", "11111111-0001-1")
    accepted = next(e for e in Outbox(store).batch(limit=100) if e.kind == "accepted")
    row = store.conn.execute("SELECT * FROM journal WHERE seq = ?", (accepted.seq,)).fetchone()
    wire = {
        "seq": row["seq"],
        "id": row["event_id"],
        "device": row["device_id"],
        "ts": row["ts"],
        "station": row["station"],
        "clerk": row["clerk"],
        "kind": row["kind"],
        "parcel": row["parcel"],
        "from": row["from_state"],
        "to": row["to_state"],
        "cell": row["cell"],
        "data": json.loads(row["data"]),
    }
    encoded = msgspec.json.encode(accepted)  # as the publisher sends it: docs/protocol.md, in order
    assert encoded == json.dumps(wire, ensure_ascii=False, separators=(",", ":")).encode()
    assert accepted.to_json() == wire
    back = msgspec.json.decode(encoded, type=Event[msgspec.Raw])
    assert bytes(back.data) == b'{"supply":"S1"}'
    decoded = msgspec.structs.asdict(back) | {"data": json.loads(bytes(back.data))}
    assert decoded == msgspec.structs.asdict(accepted)
