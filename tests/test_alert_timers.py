"""Alert durations kept in the central store (SQLite and a real PostgreSQL): a hub that restarts
while a condition holds raises its alert at the moment the first one would have, two hubs of one
group count from the same moment and store the alert once, and a condition that stopped holding
leaves no row behind. The clock is moved as in tests/test_alerts.py."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from central.alert_rules import parse_rules
from central.alerts import AlertEngine
from central.hub_store import open_store
from central.store_api import CentralStore
from tests.support.alerting import Clock
from tests.support.broker import Broker

ROOT = Path(__file__).resolve().parent.parent

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


def test_a_restarted_pvz_central_hub_process_raises_at_the_moment_the_condition_began_plus_its_minutes(
    tmp_path: Path, broker: Broker
) -> None:
    """The process as an operator restarts it, on a store where an earlier hub recorded that a
    printer ran out of paper 11 minutes ago: the rule's 10 minutes have passed, so the new hub
    raises the alert at its first round, with the earlier moment as `since`; a second condition
    that began a minute ago raises nothing."""
    db = tmp_path / "hub.db"
    began = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=11)
    earlier = open_store(db)
    _paper(earlier, "d1", out=True)
    _paper(earlier, "d2", out=True)
    earlier.track_conditions([("d1", "paper_out")], [], began, ["paper_out"])
    earlier.track_conditions([("d2", "paper_out")], [], began + timedelta(minutes=10), ["paper_out"])
    earlier.close()
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    args = ["--broker", f"127.0.0.1:{broker.port}", "--db", str(db), "--alerts", str(rules)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "hub", *args], cwd=ROOT, stderr=subprocess.PIPE
    )
    store = open_store(db)
    try:
        deadline = time.monotonic() + 20  # a bound on a failure, not a wait the test relies on
        while not store.alerts():
            assert proc.poll() is None and time.monotonic() < deadline, "the hub raised nothing"
            time.sleep(0.05)
        [alert] = store.alerts()
        assert (alert["device"], alert["rule"], alert["detail"]["since"]) == (
            "d1",
            "paper_out",
            began.isoformat(),
        )
        assert set(store.alert_conditions()) == {("d1", "paper_out"), ("d2", "paper_out")}
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
        store.close()
    assert proc.returncode == 0, err.decode()
