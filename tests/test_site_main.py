"""The site main device as a real `pvz run` over a real Mosquitto, its remote stations played by
plain MQTT clients speaking sync/site.py: inputs decided once, two stations racing for one order,
every refusal with its reason code, a job printed at the station that asked for it."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import IO, Any

import pytest

from sync.topics import Topics
from sync.transport import Inbound
from tests.support.broker import Broker
from tests.support.factory import CLERK, DEVICE, SITE
from tests.support.site_station import WAIT_S, FakeStation, main_device, new_id, rows, start_main
from tests.support.sync import new_link, wait_until
from workflows.inputs import Command


def journal(db: Path) -> int:
    return int(rows(db, "SELECT count(*) FROM journal")[0][0])


def answers(db: Path) -> int:
    return int(rows(db, "SELECT count(*) FROM remote_inputs")[0][0])


class Telemetry:
    """The main device's telemetry as the fleet sees it: its `site` object."""

    def __init__(self, port: int) -> None:
        self.link = new_link(port, f"watch-{new_id()[:8]}")
        self.site: dict[str, Any] | None = None

    async def start(self) -> None:
        self.link.subscribe(Topics(SITE, DEVICE).telemetry, self._on)
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(10)

    def _on(self, msg: Inbound) -> None:
        self.site = json.loads(msg.payload).get("site")


def run(scenario: Any, log_path: Path) -> None:
    with log_path.open("w", encoding="utf-8") as log:
        try:
            asyncio.run(scenario(log))
        except BaseException:
            log.flush()
            print(log_path.read_text(encoding="utf-8")[-6000:])
            raise


def test_inputs_are_decided_once_refused_with_reasons_and_printed_at_their_station(
    tmp_path: Path, broker: Broker
) -> None:
    config = main_device(tmp_path / "main", broker.port)
    db = tmp_path / "main" / "pvz.db"

    async def scenario(log: IO[str]) -> None:
        a, b, c = (FakeStation(broker.port, f"pvz-{n}", n) for n in "abc")
        stranger = FakeStation(broker.port, "pvz-x", "x")
        watch = Telemetry(broker.port)
        for party in (a, b, c, stranger, watch):
            await party.start()
        daemon = start_main(config, log)
        try:
            await c.ask("PING-NOTHING")  # the main device is up and answers
            before, kept = journal(db), answers(db)

            # A clerk signs in at c; the reply is "lost": c sends the same id again before reading.
            signed = new_id()
            await c.send(CLERK, input_id=signed)
            await c.send(CLERK, input_id=signed)
            first, again = await c.reply(signed), await c.reply(signed, count=2)
            assert first.feedback["msg"]["key"] == "signed_in" and not first.duplicate
            assert again.duplicate and again.feedback == first.feedback and again.refused is None
            assert journal(db) == before + 1
            assert answers(db) == kept + 1

            # Two counters key in the same order at the same instant: exactly one gets it.
            ids = await asyncio.gather(
                a.send("22222222*222222", keyed=True), b.send("22222222*222222", keyed=True)
            )
            got = [await a.reply(ids[0]), await b.reply(ids[1])]
            keys = sorted(r.feedback["msg"]["key"] for r in got)
            assert keys == ["iss_claimed", "iss_found"], keys
            winner = "a" if got[0].feedback["msg"]["key"] == "iss_found" else "b"
            loser = got[1] if winner == "a" else got[0]
            assert loser.feedback["msg"]["params"] == {"order": "22222222", "station": winner}
            assert loser.level == "error" and loser.title  # rendered for the clerk, in words
            won = got[0] if winner == "a" else got[1]
            assert won.lit == ["A-03-1"]

            # Every refusal: answered with its reason, nothing decided or written.
            before, kept = journal(db), answers(db)
            refused = {
                "unknown_station": await stranger.send("22222222-0001-1"),
                "not_your_station": await a.send("22222222-0001-1", station="b"),
                "too_old": await a.send("22222222-0001-1", age_ms=31_000),
            }
            bad = new_id()
            await a.publish(json.dumps({"id": bad, "station": "a", "raw": 7}).encode())
            refused["bad_input"] = bad
            await a.publish(b"\xff{not json at all")
            await a.publish(b'{"id": "short", "station": "a"}')
            for reason, input_id in refused.items():
                party = stranger if reason == "unknown_station" else a
                reply = await party.reply(input_id)
                assert reply.refused == reason and not reply.duplicate and reply.jobs == []
                assert reply.feedback["msg"]["key"] == f"site_refused_{reason}"
            assert journal(db) == before and answers(db) == kept

            # The winner finishes the issue: the receipt is rendered here and printed at its station.
            station = a if winner == "a" else b
            for code in ("22222222-0001-1", "22222222-0002-1"):
                await station.ask(code)
            done = await station.ask(Command.DONE.barcode)
            assert done.feedback["msg"]["key"] == "iss_done" and len(done.jobs) == 1
            await wait_until(lambda: station.jobs, WAIT_S, "the receipt at the station")
            job = station.jobs[-1]
            assert job.job == done.jobs[0] and job.station == station.name
            assert job.data.startswith(b"\x1b@")  # ESC @: python-escpos's own bytes
            await wait_until(
                lambda: rows(db, "SELECT state FROM print_jobs WHERE id = ?", job.job) == [("printed",)],
                WAIT_S,
                "the job printed in the queue",
            )

            site = await wait_until(
                lambda: watch.site if watch.site and watch.site["refused"].get("bad_input") else None,
                WAIT_S,
                "the counters in telemetry",
            )
            assert site["refused"] == {
                "unknown_station": 1,
                "not_your_station": 1,
                "too_old": 1,
                "bad_input": 1,
            }
            assert site["bad_payloads"] == 2
            assert site["duplicates_suppressed"] == 1
            assert site["stations"]["a"] == {"device": "pvz-a", "online": True}
            assert daemon.poll() is None  # nothing of it stopped the daemon
        finally:
            daemon.send_signal(signal.SIGTERM)
            await asyncio.to_thread(daemon.wait, WAIT_S)
            for party in (a, b, c, stranger):
                await party.stop()
            watch.link.stop()

    run(scenario, tmp_path / "main.log")


@pytest.mark.parametrize("crash", ["scan_tx:1", "after_commit:1"])
def test_a_main_device_killed_mid_input_decides_the_retried_id_at_most_once(
    tmp_path: Path, broker: Broker, crash: str
) -> None:
    config = main_device(tmp_path / "main", broker.port)
    db = tmp_path / "main" / "pvz.db"

    async def scenario(log: IO[str]) -> None:
        c = FakeStation(broker.port, "pvz-c", "c")
        await c.start()
        before = journal(db)
        daemon = start_main(config, log, crash=crash)
        try:
            signed = new_id()
            while daemon.poll() is None:  # sent again until it arrives, as a station does
                await c.send(CLERK, input_id=signed)
                await asyncio.sleep(0.3)
            assert daemon.returncode == -signal.SIGKILL
            assert not c.replies.get(signed)
            daemon = start_main(config, log)
            reply = await retry(c, CLERK, signed)
            assert reply.feedback["msg"]["key"] == "signed_in"
            assert reply.duplicate is (crash == "after_commit:1")
            assert journal(db) == before + 1
            assert rows(db, "SELECT count(*) FROM remote_inputs WHERE id = ?", signed) == [(1,)]
        finally:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
                await asyncio.to_thread(daemon.wait, WAIT_S)
            await c.stop()

    run(scenario, tmp_path / "main.log")


async def retry(station: FakeStation, raw: str, input_id: str) -> Any:
    """Send `input_id` again every second until it is answered, as a station does within its window."""
    for _ in range(int(WAIT_S)):
        await station.send(raw, input_id=input_id)
        try:
            return await station.reply(input_id, timeout=1.0)
        except AssertionError:
            continue
    raise AssertionError(f"{input_id} never answered")


def test_a_job_the_station_never_confirms_stays_queued_and_prints_once_when_it_answers(
    tmp_path: Path, broker: Broker
) -> None:
    config = main_device(tmp_path / "main", broker.port, site="[site]\nprint_timeout_s = 0.5\n")
    db = tmp_path / "main" / "pvz.db"

    async def scenario(log: IO[str]) -> None:
        a = FakeStation(broker.port, "pvz-a", "a")
        await a.start()
        a.answer_prints = False
        daemon = start_main(config, log)
        try:
            await a.ask("22222222*222222", keyed=True)
            for code in ("22222222-0001-1", "22222222-0002-1"):
                await a.ask(code)
            job = (await a.ask(Command.DONE.barcode)).jobs[0]
            await wait_until(
                lambda: rows(db, "SELECT attempts FROM print_jobs WHERE id = ?", job)[0][0] >= 1,
                WAIT_S,
                "a failed attempt",
            )
            assert rows(db, "SELECT state FROM print_jobs WHERE id = ?", job) in (
                [("queued",)],
                [("printing",)],
            )
            await a.say_online(False)  # the station's Pi restarts: down, then back
            a.answer_prints = True
            await a.say_online(True)
            await wait_until(
                lambda: rows(db, "SELECT state FROM print_jobs WHERE id = ?", job) == [("printed",)],
                WAIT_S,
                "the job printed once the station answers",
            )
            assert [j.job for j in a.jobs] == [job]
        finally:
            daemon.send_signal(signal.SIGTERM)
            await asyncio.to_thread(daemon.wait, WAIT_S)
            await a.stop()

    run(scenario, tmp_path / "main.log")


def test_an_input_sent_while_the_main_device_is_down_is_never_decided_after_its_restart(
    tmp_path: Path, broker: Broker
) -> None:
    config = main_device(tmp_path / "main", broker.port)
    db = tmp_path / "main" / "pvz.db"

    async def scenario(log: IO[str]) -> None:
        c = FakeStation(broker.port, "pvz-c", "c")
        await c.start()
        daemon = start_main(config, log)
        try:
            await c.ask("PING-NOTHING")  # up, subscribed: the broker knows its session from now on
            before = journal(db)
            daemon.send_signal(signal.SIGTERM)
            await asyncio.to_thread(daemon.wait, WAIT_S)
            stale = await c.send(CLERK)  # nobody decides it now, and the station gives it up
            daemon = start_main(config, log)
            await c.ask("PING-NOTHING")
            assert not c.replies.get(stale)
            assert rows(db, "SELECT count(*) FROM remote_inputs WHERE id = ?", stale) == [(0,)]
            assert journal(db) == before  # the clerk was never signed in by it
        finally:
            if daemon.poll() is None:
                daemon.send_signal(signal.SIGTERM)
                await asyncio.to_thread(daemon.wait, WAIT_S)
            await c.stop()

    run(scenario, tmp_path / "main.log")
