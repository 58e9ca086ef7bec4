"""The outbox depth history the dashboard charts: sampled once a minute from the stored statuses,
kept once when two hubs sample one minute, pruned after the configured days; on SQLite and on a
real PostgreSQL (tests/support/postgres.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from central.dashboard.history import OutboxHistory
from central.store_api import CentralStore
from tests.support.alerting import Clock

T0 = datetime(2026, 12, 7, 10, 0, 30, tzinfo=UTC)


@pytest.fixture
def store(hub_store: CentralStore) -> CentralStore:
    """Each test that takes it runs on both hub stores (tests/conftest.py hub_store)."""
    return hub_store


def status(depth: int | None, site: str = "msk-01") -> dict[str, object]:
    body: dict[str, object] = {"online": depth is not None, "site": site, "version": "1.0"}
    if depth is not None:
        body["counts"] = {"outbox_depth": depth}
    return body


def test_one_sample_per_device_per_minute_an_offline_one_none(store: CentralStore) -> None:
    clock = Clock(T0)
    history = OutboxHistory(store, keep_days=1, clock=clock)
    store.record_status("msk-01", "pvz-a", status(3))
    store.record_status("msk-01", "pvz-b", status(None))  # its will: depth unknown
    history.tick()
    store.record_status("msk-01", "pvz-a", status(9))
    history.tick()  # the same minute: nothing more
    clock.now += timedelta(seconds=60)
    history.tick()
    store.record_status("msk-01", "pvz-c", status(4))
    clock.now += timedelta(seconds=60)
    history.tick()
    assert history.counters["samples"] == 4
    assert history.chart() == [
        ("2026-12-07T10:00:00+00:00", 3),
        ("2026-12-07T10:01:00+00:00", 9),
        ("2026-12-07T10:02:00+00:00", 13),  # the fleet's sum
    ]


def test_two_hubs_sampling_one_minute_keep_the_first(store: CentralStore) -> None:
    minute = T0.replace(second=0)
    assert store.record_outbox([("msk-01", "pvz-a", 4)], minute) == 1
    assert store.record_outbox([("msk-01", "pvz-a", 7)], minute) == 0
    assert store.outbox_totals(minute) == [("2026-12-07T10:00:00+00:00", 4)]


def test_samples_older_than_the_days_kept_are_pruned(store: CentralStore) -> None:
    clock = Clock(T0)
    old = T0.replace(second=0) - timedelta(days=2)
    store.record_outbox([("msk-01", "pvz-a", 1), ("msk-01", "pvz-b", 2)], old)
    store.record_outbox([("msk-01", "pvz-a", 5)], old + timedelta(days=1, minutes=30))
    store.record_status("msk-01", "pvz-a", status(6))
    OutboxHistory(store, keep_days=1, clock=clock).tick()  # the first round prunes
    assert [n for _, n in store.outbox_totals(old - timedelta(days=1))] == [5, 6]
