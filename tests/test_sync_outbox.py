"""The publisher's side of the outbox: batch format, window, forward-only acks, bogus acks, compaction."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sync.outbox import Outbox
from sync.publisher import ACK_REJECTED, WINDOW, Publisher
from sync.transport import Inbound, MqttLink
from tests.support.broker import Broker
from tests.support.factory import DEVICE, T0, new_store
from tests.support.sync import TOPICS, fill_journal, new_link, running_device, wait_until

BATCH = 100  # events per batch in these tests: a window of them is much less than the journal


def test_batches_window_and_forward_only_acks(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 2000)
    batches: list[dict[str, Any]] = []

    async def main() -> None:
        central = new_link(broker.port, "central")
        central.subscribe(TOPICS.events, lambda m: batches.append(json.loads(m.payload)))
        central.start(asyncio.get_running_loop())
        await central.wait_connected(10)
        await asyncio.sleep(0.1)

        async def ack(payload: Any) -> None:
            raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            await central.publish(TOPICS.ack, raw, 1)

        try:
            async with running_device(store, broker.port, batch=BATCH) as device:
                # Nobody acks: the device sends its window and waits (a PUBACK is not an ack).
                await wait_until(lambda: len(batches) >= WINDOW, 10, "a window of batches")
                assert device.status()["batches_out"] == WINDOW and device.sent == WINDOW * BATCH
                assert device.acked == 0 and Outbox(store).acked() == 0
                first = batches[0]
                assert set(first) == {"device", "first_seq", "last_seq", "events"}
                assert (first["device"], first["first_seq"], first["last_seq"]) == (DEVICE, 1, BATCH)
                assert [e["seq"] for e in first["events"]] == list(range(1, BATCH + 1))
                assert set(first["events"][0]) >= {"id", "seq", "device", "ts", "kind", "from", "to", "data"}

                await ack({"device": DEVICE, "acked_seq": 300})
                await wait_until(lambda: device.acked == 300, 10, "the ack")
                # The window slides: three more batches go out after the new mark.
                await wait_until(lambda: device.sent == 300 + WINDOW * BATCH, 10, "the window to slide")
                await ack({"device": DEVICE, "acked_seq": 100})  # an old ack never moves the mark back
                await wait_until(lambda: device.counters["acks"] == 2, 10, "the old ack")
                assert device.acked == Outbox(store).acked() == 300

                bogus: list[Any] = [
                    {"device": DEVICE, "acked_seq": last + 1},  # beyond the journal and what was sent
                    {"device": "pvz-other-0002", "acked_seq": 10},
                    {"device": DEVICE, "acked_seq": -5},
                    {"device": DEVICE, "acked_seq": 10, "extra": 1},
                    {"device": DEVICE, "acked_seq": "400"},
                    b"not json",
                    b"x" * 5000,
                ]
                for payload in bogus:
                    await ack(payload)
                await wait_until(lambda: device.counters[ACK_REJECTED] == len(bogus), 10, "rejections")
                assert device.acked == Outbox(store).acked() == 300
                stored = store.scalar("SELECT value FROM sync_counters WHERE name = ?", (ACK_REJECTED,))
                assert stored == len(bogus)

                await ack({"device": DEVICE, "acked_seq": device.sent})  # what went out so far
                await wait_until(lambda: device.sent == last, 10, "the rest to go out")
                await ack({"device": DEVICE, "acked_seq": last})
                await wait_until(lambda: device.acked == last, 10, "the final ack")
                assert Outbox(store).depth() == 0 and device.status()["batches_out"] == 0
        finally:
            central.stop()

    asyncio.run(asyncio.wait_for(main(), 60))
    store.close()


def test_no_ack_in_time_means_send_again_from_the_mark(tmp_path: Path, broker: Broker) -> None:
    store = new_store(tmp_path / "device.db")
    fill_journal(store, 250)
    firsts: list[int] = []

    def seen(msg: Inbound) -> None:
        firsts.append(json.loads(msg.payload)["first_seq"])

    async def main() -> None:
        central = new_link(broker.port, "central")
        central.subscribe(TOPICS.events, seen)
        central.start(asyncio.get_running_loop())
        await central.wait_connected(10)
        await asyncio.sleep(0.1)
        try:
            async with running_device(store, broker.port, ack_timeout=0.3, poll=0.1, batch=BATCH) as device:
                await wait_until(lambda: firsts.count(1) >= 2, 10, "a resend from the start")
                await central.publish(TOPICS.ack, json.dumps({"device": DEVICE, "acked_seq": 200}), 1)
                await wait_until(lambda: device.acked == 200, 10, "the ack")
                before = firsts.count(201)
                await wait_until(lambda: firsts.count(201) >= before + 2, 10, "two resends after the mark")
                since = len(firsts) - 1 - firsts[::-1].index(201, 1)  # from the second-to-last 201 on
                assert firsts[since:].count(1) == 0  # nothing before the mark goes out again
        finally:
            central.stop()

    asyncio.run(asyncio.wait_for(main(), 30))
    assert set(firsts) == {1, 101, 201}  # resends start at the mark: batches keep their bounds
    store.close()


def test_compaction_keeps_unacked_events_and_the_acked_row(tmp_path: Path) -> None:
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 1000, start=T0, step=timedelta(minutes=1))  # seq n at T0 + (n-1) min
    now = [T0]
    link = MqttLink(client_id=DEVICE, host="127.0.0.1", port=1)  # never started: no broker needed
    publisher = Publisher(store, link, TOPICS, clock=lambda: now[0])
    box = Outbox(store)

    def seqs() -> tuple[int, int, int]:
        row = store.conn.execute("SELECT min(seq), max(seq), count(*) FROM journal").fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    now[0] = T0 + timedelta(days=400)
    assert publisher.compact() == 0  # nothing acknowledged: nothing goes, however old
    box.ack(600)
    now[0] = T0 + timedelta(days=29)
    assert publisher.compact() == 0  # acknowledged but inside the retention window
    now[0] = T0 + timedelta(days=30, minutes=300)
    assert publisher.compact() == 300  # seq 1..300 are older than 30 days
    now[0] = T0 + timedelta(days=31)
    assert publisher.compact() == 299  # up to 599: the acked row 600 stays
    assert seqs() == (600, last, 401)
    assert box.batch(limit=1)[0].seq == 601 and box.depth() == 400

    box.ack(last)
    assert publisher.compact(now=T0 + timedelta(days=60)) == 400
    assert seqs() == (last, last, 1)  # the last acked row keeps the sequence
    assert box.last_seq() == box.acked() == last
    assert fill_journal(store, 1) == last + 1  # numbering goes on after compaction
    short = Publisher(store, link, TOPICS, retention_days=1, clock=lambda: T0 + timedelta(days=2))
    assert short.compact() == 0  # the new event is not acknowledged
    store.close()


def test_compaction_reads_timestamps_with_offsets(tmp_path: Path) -> None:
    """Journal times are local with an offset; the retention cut compares instants, not strings."""
    store = new_store(tmp_path / "device.db")
    moscow = datetime.fromisoformat("2026-11-21T12:00:00+03:00")  # 09:00 UTC
    fill_journal(store, 3, start=moscow, step=timedelta(hours=1))  # 09:00, 10:00, 11:00 UTC
    Outbox(store).ack(3)
    link = MqttLink(client_id=DEVICE, host="127.0.0.1", port=1)
    publisher = Publisher(store, link, TOPICS, retention_days=1)
    cut = datetime.fromisoformat("2026-11-22T10:30:00+00:00")  # one day after 10:30 UTC
    assert publisher.compact(now=cut) == 2
    assert store.scalar("SELECT min(seq) FROM journal") == 3
    store.close()


def test_a_reconnect_while_a_batch_is_read_makes_it_read_again_from_the_mark(tmp_path: Path) -> None:
    store = new_store(tmp_path / "device.db")
    fill_journal(store, 2500)
    link = MqttLink(client_id=DEVICE, host="127.0.0.1")
    sent: list[tuple[int, int]] = []

    async def publish(
        topic: str, payload: bytes | str, qos: int = 1, retain: bool = False, properties: Any = None
    ) -> None:
        batch = json.loads(payload)
        sent.append((batch["first_seq"], batch["last_seq"]))

    link.publish = publish  # type: ignore[method-assign]
    link.connected = True
    device = Publisher(store, link, TOPICS, window=2)
    device.sent = device.published = 1000  # as if 1..1000 were out, unacknowledged
    device._out = [1000]
    read = device.outbox.wire_batch
    reads: list[int] = []

    def reconnect_on_the_second_chunk(*, after: int, limit: int, max_bytes: int) -> Any:
        reads.append(after)
        if len(reads) == 2:
            device._on_connect(False)  # the broker came back: everything after the mark goes again
        return read(after=after, limit=limit, max_bytes=max_bytes)

    device.outbox.wire_batch = reconnect_on_the_second_chunk  # type: ignore[method-assign]

    async def main() -> None:
        assert await device.fill_window() == 2
        await asyncio.gather(*device._tasks)

    asyncio.run(main())
    assert reads[:2] == [1000, 1250] and reads[2] == 0  # the half-read batch 1001.. is dropped
    assert sent == [(1, 1000), (1001, 2000)] and device.sent == 2000
    store.close()
