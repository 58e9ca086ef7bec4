"""The journal as an outbox: ordered batches, acknowledgements that only move forward."""

from __future__ import annotations

import pytest

from device.engine import Engine
from device.store.db import Store
from sync.outbox import Outbox, OutboxError
from tests.support.factory import scan
from workflows.inputs import Command


def test_events_come_out_in_sequence_order_until_acked(engine: Engine, store: Store) -> None:
    scan(engine, "BOX00000001", "11111111-0001-1", "22222222-0001-1", Command.DONE)
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
