"""Alert durations kept in the central store (SQLite and a real PostgreSQL): a hub that restarts
while a condition holds raises its alert at the moment the first one would have, two hubs of one
group count from the same moment and store the alert once, and a condition that stopped holding
leaves no row behind. The clock is moved as in tests/test_alerts.py."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from central.alert_rules import parse_rules
from central.alerts import AlertEngine
from central.hub_store import open_store
from central.store_api import CentralStore
from tests.support import postgres as pgsupport

T0 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
RULES = """
[[rule]]
name = "paper_out"
field = "paper_out"
op = "=="
value = true
for_minutes = 10

[[rule]]
name = "offline"
field = "online"
op = "=="
value = false
for_minutes = 15
"""
_names = itertools.count(1)


@pytest.fixture(scope="module")
def pg() -> Iterator[pgsupport.Postgres]:
    if not pgsupport.available():
        pytest.skip("Debian's postgresql-15 is not installed")
    with pgsupport.postgres() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One central store's name; each open_store(db) is another hub's connection to it."""
    if request.param == "sqlite":
        return str(tmp_path / "hub.db")
    return str(request.getfixturevalue("pg").createdb(f"timers{next(_names)}"))


@pytest.fixture
def store(db: str) -> Iterator[CentralStore]:
    s = open_store(db)
    yield s
    s.close()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _paper(store: CentralStore, device: str, out: bool) -> None:
    health = {"printers": {"s1": {"state": "ready", "paper": "out" if out else "ok"}}}
    store.record_status("s", device, {"online": True, "site": "s", "device": device, "health": health})


def test_a_condition_is_kept_from_its_first_moment_and_removed_when_it_ends(store: CentralStore) -> None:
    rules = ["paper_out", "offline"]
    store.track_conditions([("d1", "paper_out"), ("d2", "offline")], [], T0, rules)
    # Another hub saw it begin a round later: the first moment stays.
    store.track_conditions([("d1", "paper_out")], [], T0 + timedelta(seconds=2), rules)
    assert store.alert_conditions() == {("d1", "paper_out"): T0, ("d2", "offline"): T0}
    store.track_conditions([], [("d2", "offline")], T0 + timedelta(minutes=1), rules)
    assert store.alert_conditions() == {("d1", "paper_out"): T0}
    store.track_conditions([], [], T0, ["offline"])  # a rule taken out of the file
    assert store.alert_conditions() == {}


def test_a_restarted_hub_raises_the_alert_when_the_first_would_have(db: str) -> None:
    clock = Clock(T0)
    first = open_store(db)
    _paper(first, "d1", out=True)
    AlertEngine(parse_rules(RULES), first, clock=clock).check()  # the condition begins at T0
    first.close()  # the hub stops

    clock.now = T0 + timedelta(minutes=9)
    restarted = open_store(db)
    engine = AlertEngine(parse_rules(RULES), restarted, clock=clock)
    engine.check()
    assert restarted.alerts() == []
    clock.now = T0 + timedelta(minutes=10)
    engine.check()
    [alert] = restarted.alerts()
    assert (alert["rule"], alert["raised_at"]) == ("paper_out", "2026-12-07T07:10:00+00:00")
    assert alert["detail"]["since"] == T0.isoformat()
    restarted.close()


def test_two_hubs_count_from_the_same_moment_and_raise_once(db: str) -> None:
    clock = Clock(T0)
    a, b = open_store(db), open_store(db)
    hub_a = AlertEngine(parse_rules(RULES), a, clock=clock)
    hub_b = AlertEngine(parse_rules(RULES), b, clock=clock)
    _paper(a, "d1", out=True)
    hub_a.check()
    clock.now = T0 + timedelta(minutes=6)
    hub_b.check()  # B first sees it now, yet counts from A's moment
    assert b.alert_conditions() == {("d1", "paper_out"): T0}
    clock.now = T0 + timedelta(minutes=10)
    hub_b.check()
    hub_a.check()
    assert [(x["rule"], x["raised_at"]) for x in a.alerts()] == [("paper_out", "2026-12-07T07:10:00+00:00")]
    assert hub_b.counters["alerts_raised"] == 1 and hub_a.counters["alerts_raised"] == 0

    _paper(b, "d1", out=False)
    clock.now = T0 + timedelta(minutes=11)
    hub_a.check()
    assert a.alert_conditions() == {} and a.alerts(open_only=True) == []
    # Paper out again: a new condition, counted from its own moment, not from T0.
    _paper(a, "d1", out=True)
    clock.now = T0 + timedelta(minutes=12)
    hub_b.check()
    clock.now = T0 + timedelta(minutes=21)
    hub_a.check()
    assert a.alerts(open_only=True) == []
    clock.now = T0 + timedelta(minutes=22)
    hub_a.check()
    assert [x["raised_at"] for x in a.alerts(open_only=True)] == ["2026-12-07T07:22:00+00:00"]
    a.close()
    b.close()


def test_a_rule_taken_out_of_the_file_leaves_no_condition(store: CentralStore) -> None:
    clock = Clock(T0)
    store.record_status("s", "d1", {"online": False, "site": "s", "device": "d1"})
    engine = AlertEngine(parse_rules(RULES), store, clock=clock)
    engine.check()
    assert store.alert_conditions() == {("d1", "offline"): T0}
    engine.rules = [r for r in engine.rules if r.name != "offline"]  # the hub restarted with fewer rules
    engine.check()
    assert store.alert_conditions() == {}
