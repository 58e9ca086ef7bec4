"""A staged rollout the hubs carry out (`fleet rollout --stages`, central/rollout_widen.py), on
SQLite and a real PostgreSQL, a real Mosquitto, the devices' statuses as the hub keeps them:
widened once its interval has passed (the widener's clock moved, not waited), stopped once
rolled-back outcomes pass the threshold, resumed with a higher one; a stale step refused and
a stage its hub never published published again; and two real `pvz-central hub` processes carrying a plan to its end, each stage taken once."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from central.cli import main as central_main
from central.hub_store import open_store
from central.rollout_widen import REPUBLISH_AFTER_S, Widener
from central.store_api import CentralStore
from sync.topics import Topics
from sync.transport import Inbound
from tests.support import postgres as pgsupport
from tests.support.broker import Broker
from tests.support.debs import make_deb
from tests.support.sync import running_hub, wait_until
from tests.test_rollout_publish import DEVICES, connected, retained_statuses

ROOT = Path(__file__).resolve().parent.parent
_names = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hub.db")
    cluster: pgsupport.Postgres = request.getfixturevalue("pg")
    return cluster.createdb(f"stages{next(_names)}")


def rollout_args(tmp_path: Path, port: int, db: str) -> list[str]:
    assert central_main(["pki", "release-key", "--dir", str(tmp_path / "pki")]) == 0
    deb = make_deb(tmp_path, "pvzt", "2.0")
    return [
        "fleet",
        "rollout",
        str(deb),
        "--broker",
        f"127.0.0.1:{port}",
        "--pki",
        str(tmp_path / "pki"),
        "--serve-dir",
        str(tmp_path / "www"),
        "--url-base",
        "http://127.0.0.1:8088/releases",
        "--db",
        db,
    ]


def rollouts(capsys: pytest.CaptureFixture[str], db: str, *extra: str) -> Any:
    capsys.readouterr()
    code = central_main(["fleet", "rollouts", "--db", db, *extra])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out) if "--json" in extra else out


async def ato(fn: Any, *args: Any) -> Any:
    """A CLI call from inside the test's loop: the CLI runs its own, so in a thread."""
    return await asyncio.to_thread(fn, *args)


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--stages", "25,10,100", "bad_stages"),
        ("--stages", "0,50", "bad_stages"),
        ("--stages", "50,150", "bad_stages"),
        ("--stages", "half", "bad_stages"),
        ("--every", "30", "bad_interval"),
        ("--every", "0m", "bad_interval"),
        ("--every", "soon", "bad_interval"),
    ],
)
def test_stages_and_interval_are_read_strictly_and_nothing_is_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, reason: str
) -> None:
    """Refused before any broker or store is reached (the broker here is a closed port)."""
    args = rollout_args(tmp_path, 1, str(tmp_path / "hub.db"))
    plan = {"--stages": "25,50,100", "--every": "30m"} | {option: value}
    capsys.readouterr()
    code = central_main([*args, "--sites", "msk-1", *itertools.chain(*plan.items())])
    assert code == 2 and f"({reason})" in capsys.readouterr().err
    assert not (tmp_path / "hub.db").exists() and not (tmp_path / "www").exists()


class Clock:
    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.shift


def test_a_plan_widens_after_its_interval_and_stops_at_the_failure_threshold(
    tmp_path: Path, broker: Broker, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = rollout_args(tmp_path, broker.port, db)

    async def scenario() -> None:
        async with running_hub(broker.port, db) as hub:  # keeps the statuses, as every hub does
            await retained_statuses(broker)
            await wait_until(lambda: len(hub.store.statuses()) == 5, what="the statuses at the hub")
            capsys.readouterr()
            code = await ato(
                central_main, [*args, "--sites", "msk-1", "--stages", "25,50,100", "--every", "30m", "--json"]
            )
            assert code == 0
            first = json.loads(capsys.readouterr().out)
            assert len(first["devices"]) == 1 and first["plan"]
            store = open_store(db)
            clock = Clock()
            widener = Widener(store, hub.link, clock=clock)
            try:
                clock.shift = timedelta(minutes=29)
                assert await widener.check() == 0
                [plan] = await ato(rollouts, capsys, db, "--json")
                assert (plan["stage"], plan["state"], plan["devices"]) == (1, "running", 1)

                clock.shift = timedelta(minutes=31)
                assert await widener.check() == 1
                [plan] = await ato(rollouts, capsys, db, "--json")
                assert (plan["stage"], plan["state"], plan["devices"]) == (2, "running", 2)
                assert widener.counters["release_publishes"] == 1

                # One of the two rolls back, the other is healthy: 50 % failed, more than 10 %.
                await report(broker, store, plan["plan_id"], first["release"]["sha256"])
                assert await widener.check() == 0
                [plan] = await ato(rollouts, capsys, db, "--json")
                assert plan["state"] == "paused_failures"
                assert plan["progress"] | {"total": 0} == {
                    "total": 0,
                    "healthy": 1,
                    "failed": 1,
                    "refused": 0,
                    "installing": 0,
                    "waiting": 0,
                }
                words = await ato(rollouts, capsys, db, "--lang", "en")
                assert "stage 2 of 3 (50 % of the devices, 2 got it)" in words
                assert "stopped: more than 10 % of the finished installs failed" in words
                assert "healthy on 1, rolled back or failed on 1" in words
                assert "остановлен: сбоев больше 10 % завершённых установок" in await ato(
                    rollouts, capsys, db
                )

                clock.shift = timedelta(hours=3)
                assert await widener.check() == 0  # paused: no stage, however long
                await ato(rollouts, capsys, db, "resume", plan["plan_id"], "--max-failures", "60")
                assert await widener.check() == 1
                [plan] = await ato(rollouts, capsys, db, "--json")
                assert (plan["stage"], plan["state"], plan["devices"]) == (3, "done", 4)
                events = [h["event"] for h in plan["history"]]
                assert events == ["stage", "stage", "paused_failures", "resumed", "stage", "done"]
                assert (
                    await ato(central_main, ["fleet", "rollouts", "cancel", plan["plan_id"], "--db", db]) == 2
                )
                assert "(plan_state)" in capsys.readouterr().err
                got = await releases(broker, 4)
                assert sorted(got) == sorted(Topics(*d.split("/")).release for d in DEVICE_IDS["msk-1"])
            finally:
                store.close()

    asyncio.run(scenario())


def test_a_paused_plan_waits_a_cancelled_one_ends_and_an_expired_release_is_not_published(
    tmp_path: Path, broker: Broker, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three stages 30 minutes apart, the release signed for 0.1 h after the last one (1.1 h)."""
    args = rollout_args(tmp_path, broker.port, db)
    asyncio.run(retained_statuses(broker))
    store = open_store(db)
    for site, devices in DEVICES.items():  # as the hubs keep them
        for device in devices:
            store.record_status(site, device, {"online": True, "version": "1.0"})
    plan = ["--sites", "msk-1", "--stages", "25,50,100", "--every", "30m", "--expires-h", "0.1"]
    assert central_main([*args, *plan]) == 0
    assert central_main([*args, *plan]) == 0  # a second plan of the same package, signed anew
    later, first = (p.plan_id for p in store.plans.all())

    async def rounds() -> None:
        link = await connected(broker, "test-hub")
        clock = Clock()
        widener = Widener(store, link, clock=clock)
        try:
            await ato(central_main, ["fleet", "rollouts", "pause", first, "--db", db])
            await ato(central_main, ["fleet", "rollouts", "cancel", later, "--db", db])
            clock.shift = timedelta(minutes=31)
            assert await widener.check() == 0  # one paused, one cancelled: neither widens
            await ato(central_main, ["fleet", "rollouts", "resume", first, "--db", db])
            clock.shift = timedelta(hours=1, minutes=7)  # past the expiry: stage 2 is due, not sent
            assert await widener.check() == 0
            assert widener.counters["release_publishes"] == 0
        finally:
            link.stop()

    try:
        asyncio.run(rounds())
        states = {p.plan_id: (p.state, p.stage) for p in store.plans.all()}
        assert states == {first: ("expired", 0), later: ("cancelled", 0)}
        events = [h["event"] for h in store.plans.history(first)]
        assert events == ["stage", "paused", "resumed", "expired"]
    finally:
        store.close()
    words = rollouts(capsys, db, "--lang", "en")
    assert "the release expired before the next stage" in words and "cancelled" in words


DEVICE_IDS = {site: [f"{site}/{d}" for d in devices] for site, devices in DEVICES.items()}


async def report(broker: Broker, store: CentralStore, plan_id: str, sha: str) -> None:
    """The two devices of the plan's second stage report: one healthy, one rolled back."""
    plan = store.plans.get(plan_id)
    assert plan is not None
    healthy, back = plan.devices
    await retained_statuses(
        broker,
        {
            healthy: {"version": "2.0", "result": "installed", "sha256": sha},
            back: {"version": "2.0", "result": "rolled_back", "reason": "unhealthy", "sha256": sha},
        },
    )

    def arrived() -> bool:
        found = store.statuses()
        return all("release" in found[d.split("/")[1]] for d in plan.devices)

    await wait_until(arrived, what="the outcomes at the hub")


async def releases(broker: Broker, count: int) -> dict[str, bytes]:
    from tests.test_rollout_publish import releases as read

    return await read(broker, count)


def test_a_stale_step_is_refused_and_a_stage_left_unpublished_is_published_again(
    tmp_path: Path, broker: Broker, db: str
) -> None:
    """Two hubs that read the plan at stage 1 both try to step it: one UPDATE changes the row.
    The winner dies before publishing: after REPUBLISH_AFTER_S any hub publishes the stage."""
    args = rollout_args(tmp_path, broker.port, db)
    asyncio.run(retained_statuses(broker))
    assert central_main([*args, "--sites", "msk-1", "--stages", "25,100", "--every", "1m"]) == 0
    one, two = open_store(db), open_store(db)
    try:
        [seen_by_one] = one.plans.all()
        [seen_by_two] = two.plans.all()
        now = datetime.now(UTC)
        assert one.plans.step(seen_by_one, [*seen_by_one.devices, "msk-1/msk-c9"], now, state="done")
        assert not two.plans.step(seen_by_two, [*seen_by_two.devices, "msk-1/msk-c8"], now, state="done")
        [plan] = two.plans.all()
        assert (plan.stage, plan.published, plan.devices[-1]) == (1, 0, "msk-1/msk-c9")
        assert [h["event"] for h in two.plans.history(plan.plan_id)] == ["stage", "stage", "done"]

        async def survivor() -> dict[str, bytes]:
            link = await connected(broker, "test-hub-2")
            clock = Clock()
            widener = Widener(two, link, clock=clock)
            try:
                assert await widener.check() == 0 and widener.counters["release_publishes"] == 0
                clock.shift = timedelta(seconds=REPUBLISH_AFTER_S)
                assert await widener.check() == 0 and widener.counters["release_publishes"] == 2
            finally:
                link.stop()
            return await releases(broker, 2)

        got = asyncio.run(survivor())
        assert sorted(got) == sorted(Topics(*d.split("/")).release for d in plan.devices)
        [plan] = two.plans.all()
        assert plan.published == 1
    finally:
        one.close()
        two.close()


def test_two_hub_processes_carry_a_plan_to_its_end_each_stage_once(
    tmp_path: Path, broker: Broker, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = rollout_args(tmp_path, broker.port, db)
    hub_args = ["--broker", f"127.0.0.1:{broker.port}", "--db", db]
    hubs = [
        subprocess.Popen(
            [sys.executable, "-m", "central.cli", "hub", *hub_args, "--client-id", f"hub-{n}"],
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for n in (1, 2)
    ]
    seen: Counter[str] = Counter()

    async def scenario() -> None:
        watcher = await connected(broker, "test-release-watcher")
        watcher.subscribe("pvz/v1/+/+/release", lambda msg: _count(seen, msg))
        store = open_store(db)
        try:

            async def statuses_kept() -> bool:
                await retained_statuses(broker)  # again until both hubs are up: a live status is kept
                return len(store.statuses()) == 5

            await wait_until(statuses_kept, timeout=30, what="the statuses at the hubs", step=0.3)
            code = await ato(
                central_main, [*args, "--sites", "msk-1", "--stages", "25,50,75,100", "--every", "1s"]
            )
            assert code == 0

            def finished() -> bool:
                return [p.state for p in store.plans.all()] == ["done"]

            await wait_until(finished, timeout=40, what="the plan's last stage")
            await wait_until(lambda: len(seen) == 4, what="a release on each device")
        finally:
            store.close()
            watcher.stop()

    try:
        asyncio.run(scenario())
    finally:
        errs = []
        for proc in hubs:
            proc.send_signal(signal.SIGTERM)
            errs.append(proc.communicate(timeout=30)[1].decode())
    assert [p.returncode for p in hubs] == [0, 0], errs
    widened = sum(int(m) for e in errs for m in re.findall(r"'stages_widened': (\d+)", e))
    published = sum(int(m) for e in errs for m in re.findall(r"'release_publishes': (\d+)", e))
    assert (widened, published) == (3, 3)  # stages 2, 3 and 4, one device each, by one hub or the other
    assert sorted(seen.values()) == [1, 1, 1, 1]
    [plan] = rollouts(capsys, db, "--json")
    assert [h["stage"] for h in plan["history"] if h["event"] == "stage"] == [0, 1, 2, 3]


def _count(seen: Counter[str], msg: Inbound) -> None:
    seen[msg.topic] += 1
