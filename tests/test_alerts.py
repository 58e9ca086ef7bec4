"""Health and alerts at the hub: the rules file checked at start (reason codes and key paths), the
alerts kept once per device and rule in both stores (SQLite and a real PostgreSQL), and a real hub on
a real Mosquitto raising and clearing alerts from a simulated device's own statuses, on a clock the
test moves (minutes pass without being waited)."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from central import cli
from central.alert_rules import load_rules, parse_rules
from central.alerts import AlertEngine
from central.health import derive
from central.hub import Hub
from central.hub_store import open_store
from central.hub_store_pg import PgHubStore
from central.store_api import CentralStore
from device.exc import ConfigError
from sync.status import wire_time
from tests.support import postgres as pgsupport
from tests.support.alerting import Clock, alerting_hub
from tests.support.broker import Broker
from tests.support.sync import new_link, wait_until

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "examples" / "alerts.toml"
MONDAY_10_MSK = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # 10:00 in Europe/Moscow, a Monday
SUNDAY_10_MSK = MONDAY_10_MSK - timedelta(days=1)  # the example's offline rule skips Sundays
_names = itertools.count(1)

RULE = '[[rule]]\nname = "r"\nfield = "online"\nop = "=="\nvalue = false\n'


@pytest.mark.parametrize(
    ("text", "reason", "path"),
    [
        ("[[rule]\n", "not_toml", "$"),
        (RULE.replace('"online"', '"temperature"'), "bad_value", "$.rule[0].field"),
        (RULE.replace("false", "3"), "wrong_type", "$.rule[0].value"),
        (RULE.replace('"=="', '">"'), "bad_value", "$.rule[0].op"),
        (RULE.replace('"=="', '"~"'), "bad_value", "$.rule[0].op"),
        (RULE + "for_minutes = -1\n", "out_of_range", "$.rule[0].for_minutes"),
        (RULE + "colour = 1\n", "unknown_field", "$.rule[0].colour"),
        (RULE + RULE, "duplicate", "$.rule[1].name"),
        (
            RULE + 'hours = { zone = "Mars/Olympus", open = "09:00", close = "21:00" }\n',
            "bad_value",
            "$.rule[0].hours.zone",
        ),
        (
            RULE + 'hours = { zone = "UTC", open = "9am", close = "21:00" }\n',
            "bad_format",
            "$.rule[0].hours.open",
        ),
        (
            RULE + 'hours = { zone = "UTC", open = "21:00", close = "09:00" }\n',
            "out_of_range",
            "$.rule[0].hours.close",
        ),
        (
            RULE + 'hours = { zone = "UTC", open = "09:00", close = "21:00", days = [0] }\n',
            "out_of_range",
            "$.rule[0].hours.days",
        ),
    ],
)
def test_a_bad_rules_file_is_refused_with_its_reason_and_key(text: str, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules(text)
    assert (caught.value.reason, caught.value.path) == (reason, path)


def test_the_hub_refuses_to_start_on_a_bad_rules_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text(RULE.replace("false", "3"))
    db = tmp_path / "hub.db"
    code = cli.main(["hub", "--broker", "127.0.0.1:1", "--db", str(db), "--alerts", str(bad)])
    assert code == 2 and not db.exists()  # refused before the store or the broker is touched
    err = capsys.readouterr().err
    assert "$.rule[0].value" in err and "(wrong_type)" in err


def test_the_example_rules_file_loads() -> None:
    names = [r.name for r in load_rules(EXAMPLE)]
    assert names == [
        "outbox_stuck",
        "paper_out",
        "offline_while_open",
        "clock_wrong",
        "store_damaged",
        "store_set_aside",
    ]


def test_health_of_a_status_without_health_reads_harmless() -> None:
    offline = derive({"online": False, "device": "d", "site": "s", "reason": "will"})
    assert offline["online"] is False and offline["outbox_depth"] == 0 and offline["paper_out"] is False
    assert offline["events_set_aside"] == 0


def test_a_rollback_that_set_a_store_aside_is_health_an_example_rule_alerts_on() -> None:
    release = {"result": "rolled_back", "store_set_aside": "store-2.0.db", "events_set_aside": 3}
    health = derive({"online": True, "release": release})
    assert health["events_set_aside"] == 3
    rule = next(r for r in load_rules(EXAMPLE) if r.field == "events_set_aside")
    assert rule.holds(health, datetime.now(UTC))
    assert not rule.holds(
        derive({"online": True, "release": release | {"events_set_aside": 0}}), datetime.now(UTC)
    )


@pytest.fixture
def store(hub_store: CentralStore) -> CentralStore:
    """Each test that takes it runs on both hub stores (tests/conftest.py hub_store)."""
    return hub_store


def test_an_alert_is_kept_once_while_open_and_again_after_it_cleared(store: CentralStore) -> None:
    t0 = MONDAY_10_MSK
    assert store.raise_alert("s", "d1", "paper_out", t0, {"value": True})
    assert not store.raise_alert("s", "d1", "paper_out", t0 + timedelta(minutes=1), {"value": True})
    assert store.raise_alert("s", "d2", "paper_out", t0, {"value": True})
    assert store.clear_alert("d1", "paper_out", t0 + timedelta(minutes=5))
    assert not store.clear_alert("d1", "paper_out", t0 + timedelta(minutes=6))
    assert store.raise_alert("s", "d1", "paper_out", t0 + timedelta(minutes=7), {"value": True})
    assert [(a["device"], a["cleared_at"]) for a in store.alerts(open_only=True)] == [
        ("d1", None),
        ("d2", None),
    ]
    history = [(a["device"], a["raised_at"], a["cleared_at"]) for a in store.alerts() if a["cleared_at"]]
    assert history == [("d1", "2026-12-07T07:00:00+00:00", "2026-12-07T07:05:00+00:00")]


def test_pvz_central_alerts_lists_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "hub.db"
    store = open_store(db)
    store.raise_alert("msk-0001", "d1", "paper_out", MONDAY_10_MSK, {"value": True})
    store.raise_alert("msk-0001", "d2", "outbox_stuck", MONDAY_10_MSK, {"value": 12})
    store.clear_alert("d2", "outbox_stuck", MONDAY_10_MSK + timedelta(minutes=3))
    store.close()
    assert cli.main(["alerts", "--db", str(db), "--open"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "msk-0001/d1" in lines[0] and "paper_out" in lines[0] and "open" in lines[0]
    assert cli.main(["alerts", "--db", str(db), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["device"], r["cleared_at"]) for r in rows} == {
        ("d1", None),
        ("d2", "2026-12-07T07:03:00+00:00"),
    }


def test_telemetry_is_kept_latest_with_its_skew(store: CentralStore) -> None:
    store.record_telemetry("s", "d1", {"ts": "x", "outbox_depth": 3}, None)
    store.record_telemetry("s", "d1", {"ts": "y", "outbox_depth": 4}, -2.5)
    assert store.telemetry() == {"d1": ({"ts": "y", "outbox_depth": 4}, -2.5)}


def test_a_real_hub_raises_and_clears_alerts_from_a_devices_statuses(tmp_path: Path, broker: Broker) -> None:
    clock = Clock(MONDAY_10_MSK)

    async def main() -> None:
        # The device's outbox holds its manifest import, written on its own clock: outbox_stuck
        # is tested on that clock in tests/test_outbox_age.py.
        rules = [r for r in load_rules(EXAMPLE) if r.name != "outbox_stuck"]
        async with alerting_hub(tmp_path, broker.port, rules, clock) as at:
            store, engine, hub, device, name = at.store, at.engine, at.hub, at.device, at.name
            assert engine.health()[name]["online"] is True

            device.printer.set_fault("paper out")
            await device.reporter.publish_status(force=True)
            await wait_until(lambda: engine.health()[name]["paper_out"], what="paper out at the hub")
            engine.check()  # the condition begins to hold now
            clock.now += timedelta(minutes=9)
            engine.check()
            assert store.alerts() == []
            clock.now += timedelta(minutes=1)
            engine.check()
            engine.check()  # held on: still one alert
            [alert] = store.alerts()
            assert (alert["device"], alert["rule"], alert["raised_at"], alert["cleared_at"]) == (
                name,
                "paper_out",
                "2026-12-07T07:10:00+00:00",
                None,
            )
            assert alert["detail"]["since"] == MONDAY_10_MSK.isoformat()

            device.printer.set_fault(None)
            await device.reporter.publish_status(force=True)
            await wait_until(lambda: not engine.health()[name]["paper_out"], what="paper back at the hub")
            clock.now += timedelta(minutes=2)
            engine.check()
            assert store.alerts(open_only=True) == []
            assert store.alerts()[0]["cleared_at"] == "2026-12-07T07:12:00+00:00"

            await device.close()  # goodbye: its status says offline
            await wait_until(lambda: not engine.health()[name]["online"], what="offline at the hub")
            clock.now = SUNDAY_10_MSK  # closed on Sundays: an hour offline raises nothing
            engine.check()
            clock.now += timedelta(hours=1)
            engine.check()
            assert store.alerts(open_only=True) == []
            clock.now = MONDAY_10_MSK + timedelta(hours=1)
            engine.check()
            clock.now += timedelta(minutes=15)
            engine.check()
            assert [a["rule"] for a in store.alerts(open_only=True)] == ["offline_while_open"]
            assert hub.status()["alerts_raised"] == 2 and hub.status()["alerts_cleared"] == 1

    asyncio.run(main())


def test_telemetry_gives_the_store_check_and_the_clock_skew(tmp_path: Path, broker: Broker) -> None:
    """A device's own telemetry, then one whose clock is an hour behind: the skew rule fires."""
    clock = Clock(MONDAY_10_MSK)

    async def main() -> None:
        rules = [r for r in load_rules(EXAMPLE) if r.name == "clock_wrong"]
        async with alerting_hub(tmp_path, broker.port, rules, clock) as at:
            store, engine, device, name = at.store, at.engine, at.device, at.name
            await device.reporter.publish_telemetry()
            await wait_until(lambda: name in store.telemetry(), what="the telemetry at the hub")
            health = engine.health()[name]
            assert health["store_damaged"] is False and health["disk_free_mb"] > 0
            assert health["clock_skew_s"] <= 5 and health["hardware_problems"] == 0

            late = device.telemetry() | {"ts": wire_time(datetime.now(UTC) - timedelta(hours=1))}
            await device.link.publish(device.topics.telemetry, json.dumps(late), qos=0)
            await wait_until(
                lambda: engine.health()[name]["clock_skew_s"] >= 3590, what="the skew at the hub"
            )
            engine.check()
            clock.now += timedelta(minutes=5)
            engine.check()
            [alert] = store.alerts(open_only=True)
            assert alert["rule"] == "clock_wrong" and alert["detail"]["value"] >= 3590
            await device.close()

    asyncio.run(main())


def test_a_database_away_skips_one_round_of_alerts_and_the_next_catches_up(pg: pgsupport.Postgres) -> None:
    """The hub's loop must not die when PostgreSQL restarts: the round fails, the next one raises."""
    url = pg.createdb(f"alerts{next(_names)}")
    store = PgHubStore(url)
    store.record_status("s", "d1", {"online": False, "site": "s", "device": "d1"})
    rules = parse_rules(RULE)  # offline, no duration
    hub = Hub(
        store, new_link(1, "never-started"), alerts=AlertEngine(rules, store, clock=Clock(MONDAY_10_MSK))
    )
    with psycopg.connect(url, autocommit=True) as admin:  # what a server restart does to the hub
        admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))
    hub._watch()
    assert store.alerts() == []
    hub._watch()
    assert [a["rule"] for a in store.alerts(open_only=True)] == ["r"] and store.reconnects == 1
    store.close()
