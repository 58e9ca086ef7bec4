"""The screen's event stream: numbered ids, replay after a lost connection, snapshots when it cannot."""

from __future__ import annotations

import asyncio

from device.screen.feed import QUEUE, REPLAY_GRACE_S, Feed


def test_ids_carry_the_run_and_grow_by_one() -> None:
    feed = Feed(boot="b1")
    first = feed.publish("station", "s1", {"n": 1})
    second = feed.publish("rack", "s1", {"n": 2})
    assert (first.id, second.id) == ("b1-1", "b1-2")
    assert feed.last_id == "b1-2"
    assert first.wire() == b'id: b1-1\nevent: station\ndata: {"n":1}\n\n'


def test_a_page_that_comes_back_gets_exactly_what_it_missed_for_its_station() -> None:
    feed = Feed(boot="b1")
    for n in range(5):
        feed.publish("station", "s1" if n % 2 == 0 else "s2", {"n": n})
    missed = feed.since("b1-2", "s1")
    assert missed is not None
    assert [e.data["n"] for e in missed] == [2, 4]
    assert feed.since(feed.last_id, "s1") == []


def test_an_id_of_another_run_a_future_id_or_one_no_longer_kept_asks_for_a_snapshot() -> None:
    feed = Feed(boot="b2", keep=3)
    for n in range(6):
        feed.publish("station", "s1", {"n": n})
    assert feed.since(None, "s1") is None
    assert feed.since("b1-5", "s1") is None  # the daemon restarted since
    assert feed.since("b2-99", "s1") is None
    assert feed.since("b2-x", "s1") is None
    assert feed.since("b2-2", "s1") is None  # events 3.. are no longer all kept
    kept = feed.since("b2-3", "s1")
    assert kept is not None and [e.seq for e in kept] == [4, 5, 6]


def test_a_page_that_reads_nothing_is_cut_off_instead_of_holding_memory() -> None:
    async def go() -> None:
        feed = Feed(boot="b")
        slow = feed.subscribe("s1")
        other = feed.subscribe("s2")
        for n in range(QUEUE + 1):
            feed.publish("station", "s1", {"n": n})
        assert slow.dropped
        assert not other.dropped and other.queue.empty()
        drained = [slow.queue.get_nowait() for _ in range(slow.queue.qsize())]
        assert drained[-1] is None  # its stream ends; the page reconnects with its last id
        assert feed.status()["pages"] == 1

    asyncio.run(go())


def test_close_ends_every_stream() -> None:
    async def go() -> None:
        feed = Feed()
        sub = feed.subscribe("s1")
        feed.close()
        assert await sub.queue.get() is None
        assert feed.status()["pages"] == 0

    asyncio.run(go())


def test_nobody_watching_a_station_costs_nothing_and_a_page_coming_back_starts_afresh() -> None:
    async def go() -> None:
        now = [0.0]
        feed = Feed(boot="b", clock=lambda: now[0])
        assert not feed.watching("s1")  # a headless counter: no event is built
        feed.skip("s1")
        snapshot_id = feed.last_id  # a page connecting now gets a snapshot made after the change
        assert feed.since(snapshot_id, "s1") == []
        page = feed.subscribe("s1")
        assert feed.watching("s1") and not feed.watching("s2")
        seen = feed.publish("station", "s1", {"n": 1})
        feed.unsubscribe(page)
        # The page's Wi-Fi dropped: for a while its station's events are still built and kept.
        now[0] = REPLAY_GRACE_S - 1
        assert feed.watching("s1")
        missed = feed.publish("station", "s1", {"n": 2})
        assert feed.since(seen.id, "s1") == [missed]
        now[0] = REPLAY_GRACE_S + 1
        assert not feed.watching("s1")
        feed.skip("s1")
        assert feed.since(missed.id, "s1") is None  # something changed that nobody kept
        assert feed.since(missed.id, "s2") == []  # another station's page lost nothing

    asyncio.run(go())
