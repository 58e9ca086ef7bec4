"""The publisher's fast read of the outbox says on the wire exactly what the journal holds."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from central.hub import MAX_BATCH_BYTES
from central.hub_batches import BadBatch, check
from device.decode import decode
from device.store.db import Store
from device.store.journal import read_events
from sync.outbox import Outbox
from sync.publisher import WireBatch
from sync.status import wire_time
from tests.support.factory import DEVICE, SITE, new_store
from tests.support.strategies import json_values
from tests.support.sync import fill_journal

OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
MOMENTS = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(9998, 1, 1), timezones=OFFSETS)
STAMPS = (
    MOMENTS.map(lambda m: m.isoformat(timespec="seconds"))  # what pvz writes
    | MOMENTS.map(lambda m: m.isoformat())  # with fractions of a second
    | MOMENTS.map(lambda m: m.replace(tzinfo=None).isoformat(timespec="seconds"))  # naive: taken as UTC
    | MOMENTS.map(lambda m: m.isoformat(timespec="seconds").replace("+00:00", "Z"))
)
DATA = st.dictionaries(st.text(max_size=6), json_values(8), max_size=4).map(
    lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True)
)
ROWS = st.lists(
    st.tuples(STAMPS, DATA | st.sampled_from(["[1]", "3", '"x"', "null"])), min_size=1, max_size=8
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    db = new_store(tmp_path_factory.mktemp("wire") / "device.db")
    yield db
    db.close()


def append(store: Store, rows: list[tuple[str, str]]) -> int:
    """Journal rows with these stamps and data texts; return the seq before the first."""
    after = int(store.scalar("SELECT coalesce(max(seq), 0) FROM journal"))
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO journal (event_id, device_id, ts, station, kind, data) VALUES (?, ?, ?, 's1', 'placed', ?)",
            [(uuid.uuid4().hex, DEVICE, ts, data) for ts, data in rows],
        )
    return after


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=ROWS)
@example(rows=[("2026-11-21T09:00:00.999999+03:00", "{}")])  # SQLite would round this one up a second
@example(rows=[("2026-03-29T02:30:00", '{"a": 1}')])
@example(rows=[("2026-11-21T09:00:00Z", '{"a": -Infinity, "b": "NaN"}')])  # json.dumps writes these
def test_the_wire_read_matches_the_journal_decoded_and_the_hub_accepts_it(
    store: Store, rows: list[tuple[str, str]]
) -> None:
    after = append(store, rows)
    wire = Outbox(store).wire_batch(after=after, limit=len(rows), max_bytes=1 << 20)
    journal = read_events(store.conn, "seq > ?", (after,))
    assert len(wire) == len(journal) == len(rows)
    for sent, held in zip(wire, journal, strict=True):
        assert sent.ts == wire_time(held.when)
        assert json.loads(bytes(sent.data)) == json.loads(msgspec.json.encode(held.data))  # inf as null
        assert {**msgspec.structs.asdict(sent), "ts": held.ts, "data": held.data} == msgspec.structs.asdict(
            held
        )
    payload = msgspec.json.encode(WireBatch(DEVICE, wire[0].seq, wire[-1].seq, wire))
    batch = decode(payload, WireBatch, max_bytes=MAX_BATCH_BYTES, error=BadBatch)
    check(SITE, DEVICE, batch)


def test_a_batch_stops_at_its_byte_budget_but_always_holds_one_event(tmp_path: Path) -> None:
    store = new_store(tmp_path / "device.db")
    big = json.dumps({"note": "x" * 3000})
    append(store, [("2026-11-21T09:00:00+03:00", big)] * 10)
    box = Outbox(store)
    sizes: list[Any] = [len(box.wire_batch(after=0, limit=100, max_bytes=n)) for n in (1, 7000, 1 << 20)]
    assert sizes == [1, 3, 10]  # 3,250 bytes counted an event: the third reaches 7,000
    assert len(box.wire_batch(after=0, limit=4, max_bytes=1 << 20)) == 4
    assert box.wire_batch(after=10, limit=100, max_bytes=1 << 20) == []
    store.close()


def test_the_wire_read_starts_after_the_given_seq(tmp_path: Path) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 30)
    wire = Outbox(store).wire_batch(after=10, limit=5, max_bytes=1 << 20)
    assert [e.seq for e in wire] == [11, 12, 13, 14, 15] and last == 30
    store.close()
