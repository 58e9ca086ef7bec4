"""The hub's central store on a real PostgreSQL (Debian's server, its own initdb on a free port):
migrations, the same behaviour as the SQLite file through one interface, and two `pvz-central hub`
processes of one shared-subscription group on one database through a real Mosquitto."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec
import psycopg
import pytest

from central import hub_tickets
from central.hub_store_pg import PgHubStore
from central.pg_migrate import migrate, migrations
from central.store_api import CentralStore, HubStoreUnavailable
from device.exc import StoreTooNew
from sync.inbox_service import WireOutcome
from sync.outbox import ACKED_KEY
from sync.topics import Topics
from sync.transport import Inbound
from tests.support import postgres as pgsupport
from tests.support.broker import Broker
from tests.support.factory import DEVICE, SITE, new_store
from tests.support.sync import fill_journal, new_link, running_device, running_hub, wait_until
from tests.test_sync_hub import batch

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not pgsupport.available(), reason="Debian's postgresql-15 is not installed")
_names = itertools.count(1)


@pytest.fixture
def url(pg: pgsupport.Postgres) -> str:
    """A fresh, empty database of the module's cluster."""
    return pg.createdb(f"hub{next(_names)}")


@pytest.fixture
def store(hub_store: CentralStore) -> CentralStore:
    """Each test that takes it runs on both hub stores (tests/conftest.py hub_store)."""
    return hub_store


def test_migrations_from_empty_then_again_change_nothing(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        assert migrate(conn) == (0, len(migrations()))
        assert migrate(conn) == (len(migrations()), len(migrations()))  # a second hub starting
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"events", "devices", "manifest_outcomes", "tickets", "schema_version"} <= tables
        rows = conn.execute("SELECT version, name FROM schema_version ORDER BY version").fetchall()
        assert rows == [(v, name) for v, name, _ in migrations()]


def test_a_database_of_an_older_hub_gets_the_later_migrations_only(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = migrations()
    with psycopg.connect(url, autocommit=True) as conn:
        monkeypatch.setattr("central.pg_migrate.migrations", lambda: shipped[:1])
        assert migrate(conn) == (0, 1)
        conn.execute(
            "INSERT INTO events (event_id, device, seq, ts, kind, data) VALUES ('e1', 'd', 1, 't', 'k', '{}')"
        )
        monkeypatch.setattr("central.pg_migrate.migrations", lambda: shipped)
        assert migrate(conn) == (1, len(shipped))
        assert conn.execute(
            "SELECT count(*), to_regclass('command_replies') IS NOT NULL FROM events"
        ).fetchone() == (
            1,
            True,
        )


def test_a_database_newer_than_the_code_is_refused(url: str) -> None:
    PgHubStore(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version, name) VALUES (99, '0099_future.sql')")
    with pytest.raises(StoreTooNew):
        PgHubStore(url)


def test_a_failed_migration_leaves_nothing_behind(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = migrations()
    broken = [*shipped, (len(shipped) + 1, "0099_broken.sql", "CREATE TABLE later (x INT); SELECT nope;")]
    monkeypatch.setattr("central.pg_migrate.migrations", lambda: broken)
    with psycopg.connect(url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedColumn):
            migrate(conn)
        assert conn.execute("SELECT to_regclass('events'), to_regclass('schema_version')").fetchone() == (
            None,
            None,
        )


def test_store_dedups_and_holds_the_ack_at_a_gap(store: CentralStore) -> None:
    assert store.store_batch(SITE, batch(1, 100)).acked_seq == 100
    stored = store.store_batch(SITE, batch(201, 300))  # 101..200 lost on the way
    assert (stored.inserted, stored.acked_seq) == (100, 100)
    stored = store.store_batch(SITE, batch(101, 200))  # the resend fills the gap
    assert (stored.inserted, stored.acked_seq) == (100, 300)
    again = store.store_batches([(SITE, batch(150, 249)), (SITE, batch(5, 7, device="pvz-other-0002"))])
    assert [(s.inserted, s.acked_seq) for s in again] == [(0, 300), (3, 0)]  # the other starts at 5
    assert store.count() == 303 and store.count(DEVICE) == 300
    assert store.devices() == {DEVICE: 300, "pvz-other-0002": 0}
    assert store.acked(DEVICE) == 300 and store.acked("pvz-never-seen") == 0


def test_outcomes_are_kept_once(store: CentralStore) -> None:
    report: dict[str, object] = {
        "device": DEVICE,
        "id": "f-1",
        "outcome": "rejected",
        "code": "wrong_type",
        "path": "$.x",
    }
    report |= {"reason": "bad", "counts": {"parcels": 0}, "ts": "2026-11-21T09:00:00+03:00"}
    outcome = msgspec.json.decode(json.dumps(report), type=WireOutcome)
    assert store.record_outcome(SITE, outcome) and not store.record_outcome(SITE, outcome)
    [row] = store.outcomes(DEVICE)
    assert (row["message_id"], row["code"], row["path"], row["counts"]) == (
        "f-1",
        "wrong_type",
        "$.x",
        {"parcels": 0},
    )


def test_the_latest_status_and_each_answer_once(store: CentralStore) -> None:
    store.record_status(SITE, DEVICE, {"online": True, "version": "1.0"})
    store.record_status(SITE, DEVICE, {"online": False, "version": "1.1"})
    assert store.statuses() == {DEVICE: {"online": False, "version": "1.1"}}
    answer = {"id": "c-1", "ok": True, "result": {"printer": "ready"}}
    assert store.record_reply(SITE, DEVICE, "n1", answer)
    assert not store.record_reply(SITE, DEVICE, "n1", answer)  # a QoS 1 repeat
    assert store.record_reply(SITE, DEVICE, "n1", {"ok": False, "error": "unknown"})  # names no command
    assert store.replies(DEVICE) == [
        {
            "site": SITE,
            "device": DEVICE,
            "nonce": "n1",
            "command_id": "",
            "body": {"ok": False, "error": "unknown"},
        },
        {"site": SITE, "device": DEVICE, "nonce": "n1", "command_id": "c-1", "body": answer},
    ]


def test_tickets_open_answer_send_resolve(store: CentralStore) -> None:
    opened: dict[str, object] = {
        "ticket_id": "T-1",
        "kind": "damaged",
        "evidence_from": "a",
        "evidence_to": "b",
    }
    opened |= {"opened_at": "2026-11-21T09:00:00+03:00", "detail": {"note": "дверь"}}
    first = batch(1, 2)
    events = [
        msgspec.structs.replace(
            first.events[0], kind="ticket_opened", data=msgspec.Raw(json.dumps(opened).encode())
        ),
        msgspec.structs.replace(first.events[1], kind="ticket_opened", data=msgspec.Raw(b'{"kind": 1}')),
    ]
    store.store_batch(SITE, msgspec.structs.replace(first, events=events))  # the unreadable one is skipped
    store.store_batch(SITE, msgspec.structs.replace(first, events=events))  # a repeat changes nothing
    [ticket] = store.tickets("open")
    assert (ticket["ticket_id"], ticket["device"], ticket["detail"]) == ("T-1", DEVICE, {"note": "дверь"})
    with pytest.raises(hub_tickets.UnknownTicket):
        store.resolve_ticket("T-404", "x")
    store.resolve_ticket("T-1", "replace it")
    [(site, device, message)] = store.unsent_resolutions()
    assert (site, device, json.loads(message)["body"]) == (
        SITE,
        DEVICE,
        {"ticket": "T-1", "text": "replace it"},
    )
    store.mark_sent(message)
    assert store.unsent_resolutions() == []
    done = {"ticket_id": "T-1", "resolution": "replace it"}
    resolved = msgspec.structs.replace(
        batch(3, 3).events[0], kind="ticket_resolved", data=msgspec.Raw(json.dumps(done).encode())
    )
    store.store_batch(SITE, msgspec.structs.replace(batch(3, 3), events=[resolved]))
    assert [t["state"] for t in store.tickets()] == ["resolved"]
    with pytest.raises(hub_tickets.AlreadyResolved):
        store.resolve_ticket("T-1", "again")


def test_the_ack_comes_from_the_database_not_from_the_hub_that_stored(url: str) -> None:
    a, b = PgHubStore(url), PgHubStore(url)  # two hub processes' connections
    assert a.store_batch(SITE, batch(1, 50)).acked_seq == 50
    assert b.store_batch(SITE, batch(51, 100)).acked_seq == 100  # b never saw 1..50 itself
    assert a.store_batch(SITE, batch(91, 120)).acked_seq == 120
    a.close()
    b.close()


def test_two_hubs_storing_one_device_at_once_take_turns(url: str) -> None:
    """Without the per-device lock, b would not see a's rows (not committed yet) and ack 0."""
    a, b = PgHubStore(url), PgHubStore(url)
    second: list[int] = []
    with psycopg.connect(url, autocommit=True) as admin:
        with a.conn.transaction():  # a's group commit, halfway
            first = a._store([(SITE, batch(1, 50))])[0]  # its device's lock taken
            other = threading.Thread(
                target=lambda: second.append(b.store_batch(SITE, batch(51, 100)).acked_seq)
            )
            other.start()
            waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            asyncio.run(wait_until(lambda: admin.execute(waiting).fetchone() == (1,), 10, "b waiting for a"))
        other.join(10)
    assert (first.acked_seq, second) == (50, [100])
    a.close()
    b.close()


def test_a_dropped_connection_fails_one_commit_and_the_next_reconnects(url: str) -> None:
    store = PgHubStore(url)
    assert store.store_batch(SITE, batch(1, 10)).acked_seq == 10
    with psycopg.connect(url, autocommit=True) as admin:  # what a server restart does to the hub
        admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))
    with pytest.raises(HubStoreUnavailable):
        store.store_batch(SITE, batch(11, 20))  # not acked: the device sends it again
    again = store.store_batch(SITE, batch(11, 20))
    assert (again.inserted, again.acked_seq, store.reconnects) == (10, 20, 1)
    assert store.count() == 20
    store.close()


@pytest.mark.parametrize(
    "read",
    [
        lambda s: s.alert_conditions(),
        lambda s: s.statuses(),
        lambda s: s.alerts(open_only=True),
        lambda s: s.requests(),
    ],
    ids=["alert_conditions", "statuses", "alerts", "requests"],
)
def test_every_read_of_the_alert_round_on_a_dropped_connection_is_unavailable(
    url: str, read: Callable[[PgHubStore], object]
) -> None:
    """What the hub's alert and dashboard rounds read: a restarted server is one skipped round
    (HubStoreUnavailable, which Hub._watch logs), then the next call connects anew."""
    store = PgHubStore(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (store.conn.info.backend_pid,))
    with pytest.raises(HubStoreUnavailable):
        read(store)
    read(store)
    assert store.reconnects == 1
    store.close()


def test_an_unreachable_database_is_one_line_and_exit_code_2(pg: pgsupport.Postgres) -> None:
    missing = pg.url("no_such_db")
    with pytest.raises(HubStoreUnavailable):
        PgHubStore(missing)
    done = subprocess.run(
        [sys.executable, "-m", "central.cli", "outcomes", "--db", missing],
        check=False,
        cwd=ROOT,
        capture_output=True,
    )
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[-1] == (
        "pvz-central outcomes: the hub's PostgreSQL database cannot be reached"
    )


def test_a_device_drains_into_a_hub_on_postgresql_and_its_full_resend_is_all_duplicates(
    tmp_path: Path, broker: Broker, url: str
) -> None:
    """The daemon's own publisher against the hub on PostgreSQL; then its acked mark is lost (a
    restored SD card), the device sends everything again, and nothing is stored twice."""
    store = new_store(tmp_path / "device.db")
    last = fill_journal(store, 300)

    async def drain() -> dict[str, int]:
        async with running_hub(broker.port, url) as hub:
            async with running_device(store, broker.port) as device:
                await wait_until(lambda: device.acked == last, 30, "the drain")
            store.set_meta(ACKED_KEY, "0")
            async with running_device(store, broker.port) as device:
                await wait_until(lambda: hub.counters["duplicates"] == last, 30, "the resend")
                await wait_until(lambda: device.acked == last, 30, "the ack after the resend")
            return dict(hub.counters)

    counters = asyncio.run(asyncio.wait_for(drain(), 60))
    assert (counters["events_new"], counters["duplicates"], counters["rejected"]) == (last, last, 0)
    central = PgHubStore(url)
    assert (central.count(), central.devices()) == (last, {DEVICE: last})
    central.close()
    store.close()


DEVICES = [f"pvz-load-{i:04d}" for i in range(6)]
LAST = 150
# Overlapping batches, as resends after a lost ack and a hub taken over produce them.
RANGES = [(1, 50), (26, 100), (1, 100), (101, 150), (80, 150), (140, 150)]
SENT = sum(b - a + 1 for a, b in RANGES)


def _start_hub(port: int, url: str, name: str) -> subprocess.Popen[bytes]:
    args = ["--broker", f"127.0.0.1:{port}", "--db", url, "--group", "fleet", "--client-id", name]
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "hub", *args], cwd=ROOT, stderr=subprocess.PIPE
    )
    connected = threading.Event()

    def read_head() -> None:
        assert proc.stderr is not None
        for line in iter(proc.stderr.readline, b""):
            if b"connected to" in line:
                connected.set()
                return

    threading.Thread(target=read_head, daemon=True).start()
    assert connected.wait(20), f"{name} did not connect"
    return proc


def _stop_hub(proc: subprocess.Popen[bytes]) -> dict[str, int]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    names = ("batches", "events_new", "duplicates", "replies")
    found = {name: re.search(rb"stopped; .*'" + name.encode() + rb"': (\d+)", err) for name in names}
    assert all(found.values()), err.decode()
    return {name: int(m.group(1)) for name, m in found.items() if m}


def test_two_hub_processes_share_one_database_and_one_group(broker: Broker, url: str) -> None:
    PgHubStore(url).close()  # migrated once here; the hubs find it done
    hubs = [_start_hub(broker.port, url, name) for name in ("hub-a", "hub-b")]
    acked = dict.fromkeys(DEVICES, 0)

    def on_ack(msg: Inbound) -> None:
        ack = json.loads(msg.payload)
        acked[ack["device"]] = max(acked[ack["device"]], ack["acked_seq"])

    async def main() -> None:
        link = new_link(broker.port, "devices")
        for device in DEVICES:
            link.subscribe(Topics(SITE, device).ack, on_ack)
        link.start(asyncio.get_running_loop())
        await link.wait_connected(10)
        await asyncio.sleep(0.2)  # the acks' SUBSCRIBE lands; a batch is resent below anyway
        for first, last in RANGES:  # every device's batch of a round, then the next round
            for device in DEVICES:
                payload = msgspec.json.encode(batch(first, last, device=device))
                await link.publish(Topics(SITE, device).events, payload, 1)
        while not await _acked_all(acked):  # a device resends what is not acked, as the daemon does
            for device in (d for d in DEVICES if acked[d] < LAST):
                await link.publish(
                    Topics(SITE, device).events, msgspec.json.encode(batch(1, LAST, device=device)), 1
                )
        for device in DEVICES:  # then each device's status, and its answer to a command, twice
            status = {"device": device, "online": True, "outbox": {"depth": 0}}
            await link.publish(Topics(SITE, device).status, json.dumps(status).encode(), 1, True)
            for _ in range(2):
                answer = json.dumps({"id": "c-1", "ok": True}).encode()
                await link.publish(f"pvz/v1/replies/{SITE}/{device}/n-1", answer, 1)
        central = PgHubStore(url)
        await wait_until(lambda: len(central.statuses()) == len(DEVICES), 10, "every status kept")
        await wait_until(lambda: len(central.replies()) == len(DEVICES), 10, "every answer kept")
        central.close()
        link.stop()

    try:
        asyncio.run(asyncio.wait_for(main(), 60))
    finally:
        counts = [_stop_hub(h) for h in hubs]
    assert acked == dict.fromkeys(DEVICES, LAST)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT device, count(*), count(DISTINCT seq), min(seq), max(seq) FROM events GROUP BY device"
        )
        assert sorted(rows.fetchall()) == [(d, LAST, LAST, 1, LAST) for d in DEVICES]
        assert conn.execute("SELECT device, acked_seq FROM devices ORDER BY device").fetchall() == [
            (d, LAST) for d in DEVICES
        ]
    assert all(c["batches"] > 0 for c in counts), counts  # the group split the batches between the hubs
    assert sum(c["events_new"] for c in counts) == LAST * len(DEVICES)  # no event new at both hubs
    assert sum(c["duplicates"] for c in counts) >= (SENT - LAST) * len(DEVICES)
    assert sum(c["replies"] for c in counts) == len(DEVICES)  # the repeats were kept once


async def _acked_all(acked: dict[str, int]) -> bool:
    try:
        await wait_until(lambda: all(v == LAST for v in acked.values()), 5, "every device acked")
    except AssertionError:
        return False
    return True
