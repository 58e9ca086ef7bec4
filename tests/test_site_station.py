"""A remote station as a real `pvz run` process over a real Mosquitto, the main device played by a raw
MQTT client (tests/support/site_peer.py): answers shown, waiting and giving up, the main device
down and back, the site broker restarted, print jobs printed once, door requests served."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from subprocess import Popen
from typing import IO

from sync.site import PrintJob
from tests.support.broker import Broker
from tests.support.notify import notify_socket
from tests.support.site import station_config
from tests.support.site_peer import FakeMain, scan, start_station, stop_station, until

DEVICE = "pvz-station-1"
NAME = "counter-2"
FAST = "reply_wait_s = 0.3\nreplay_window_s = 2.0\n"
TELEMETRY = "telemetry_s = 1\n"


def config(tmp_path: Path, broker: Broker, extra: str = "") -> Path:
    return station_config(
        tmp_path,
        device=DEVICE,
        name=NAME,
        mqtt_port=broker.port,
        prints="prints",
        site_keys=FAST,
        mqtt_keys=TELEMETRY,
        extra=extra,
    )


def with_station(
    tmp_path: Path,
    broker: Broker,
    scenario: Callable[[FakeMain, Popen[str]], Awaitable[None]],
    extra: str = "",
    **environ: str,
) -> str:
    """Run `scenario(main, station)` against a real station process (`environ` added to its
    environment); the station's log."""
    path = config(tmp_path, broker, extra)
    log_path = tmp_path / "station.log"

    async def run(log: IO[str]) -> None:
        main = FakeMain(broker.port, DEVICE)
        await main.start()
        station = start_station(path, log, **environ)
        try:
            await scenario(main, station)
        finally:
            code = await asyncio.to_thread(stop_station, station)
            main.stop()
        assert code == 0

    with log_path.open("w", encoding="utf-8") as log:
        asyncio.run(run(log))
    return log_path.read_text(encoding="utf-8")


def test_an_answered_scan_is_shown_and_its_receipt_printed_once(tmp_path: Path, broker: Broker) -> None:
    async def scenario(main: FakeMain, station: Popen[str]) -> None:
        await main.online(True)
        await main.station_says(lambda m: m.reachable() is True)
        scan(station, "BADGE-0009")
        await main.station_says(lambda m: m.counters().get("answered") == 1)
        assert main.light(NAME) == ("green", "steady")
        shown = main.shown(NAME)
        assert shown is not None and (shown["level"], shown["key"]) == ("ok", "hw_ok")
        [sent] = main.inputs
        assert sent.station == NAME and sent.raw == b"BADGE-0009" and sent.attempt == 1 and len(sent.id) == 32
        latency = main.station_status["site"]["latency_ms"]
        assert latency["n"] == 1 and 0 < latency["p50"] <= latency["p99"]
        assert main.counters()["given_up"] == main.counters()["waited"] == 0
        main.reply_fields = {"duplicate": True}  # answered from the main device's store
        scan(station, "BADGE-0009")
        await main.station_says(lambda m: m.counters().get("answered") == 2)
        assert main.counters()["duplicates"] == 1 and main.station_status["site"]["latency_ms"]["n"] == 2

        job = PrintJob(job=7, station=NAME, kind="receipt", data=b"\x1b@receipt 7\n")
        await main.print_job(job)
        await main.print_job(job)  # the first answer was lost: sent again
        await until(lambda: len(main.printed) == 2)
        assert [(d.job, d.ok) for d in main.printed] == [(7, True), (7, True)]
        assert [p.name for p in (tmp_path / "prints").iterdir()] == ["0001-receipt.bin"]
        assert (tmp_path / "prints" / "0001-receipt.bin").read_bytes() == job.data

        wrong = PrintJob(job=8, station="elsewhere", kind="receipt", data=b"x")
        await main.print_job(wrong)
        await until(lambda: len(main.printed) == 3)
        assert (main.printed[2].ok, main.printed[2].reason) == (False, "unknown_station")

    with_station(tmp_path, broker, scenario)
    # The printed ids outlive the process: a job sent again after a restart is not printed twice.
    assert "7" in (tmp_path / "site-printed.json").read_text(encoding="utf-8")


def test_a_job_printed_before_a_restart_is_not_printed_again(tmp_path: Path, broker: Broker) -> None:
    (tmp_path / "site-printed.json").write_text('{"printed": [41]}', encoding="utf-8")

    async def scenario(main: FakeMain, station: Popen[str]) -> None:
        await main.online(True)
        await main.station_says(lambda m: m.reachable() is True)
        await main.print_job(PrintJob(job=41, station=NAME, kind="receipt", data=b"again"))
        await main.print_job(PrintJob(job=42, station=NAME, kind="label", data=b"new"))
        await until(lambda: len(main.printed) == 2)
        assert sorted((d.job, d.ok) for d in main.printed) == [(41, True), (42, True)]

    with_station(tmp_path, broker, scenario)
    assert [p.name for p in (tmp_path / "prints").iterdir()] == ["0001-label.bin"]


def test_no_answer_waits_then_gives_up_and_is_never_green(tmp_path: Path, broker: Broker) -> None:
    async def scenario(main: FakeMain, station: Popen[str]) -> None:
        await main.online(True)
        await main.station_says(lambda m: m.reachable() is True)
        main.answering = False
        scan(station, "2000000000001")
        await main.station_says(lambda m: m.counters().get("waited") == 1)
        assert main.light(NAME) == ("amber", "blink")
        assert main.shown_key(NAME) == "stn_waiting"
        await main.station_says(lambda m: m.counters().get("given_up") == 1)
        assert main.light(NAME) == ("red", "blink")
        assert main.shown_key(NAME) == "stn_given_up"
        # The same input, sent again every reply_wait_s with its attempt counted, never after the window.
        ids = {i.id for i in main.inputs}
        attempts = [i.attempt for i in main.inputs]
        assert len(ids) == 1 and attempts == list(range(1, len(attempts) + 1)) and len(attempts) >= 3
        assert all(i.age_ms < 2000 for i in main.inputs)
        assert main.counters()["answered"] == 0

        # A late answer is the truth: shown, counted.
        await main.reply(main.inputs[0])
        await main.station_says(lambda m: m.counters().get("late_answers") == 1)
        assert main.light(NAME) == ("green", "steady")

    with_station(tmp_path, broker, scenario)


def test_main_down_refuses_at_once_and_the_station_survives_a_broker_restart(
    tmp_path: Path, broker: Broker
) -> None:
    async def scenario(main: FakeMain, station: Popen[str]) -> None:
        await main.online(False)  # the main device's last will
        await main.station_says(lambda m: m.reachable() is False)
        assert main.light(NAME) == ("red", "fast_blink")
        scan(station, "2000000000001")
        await main.station_says(lambda m: m.counters().get("refused_while_main_down") == 1)
        assert main.shown_key(NAME) == "stn_refused"
        assert main.light(NAME) == ("red", "fast_blink")
        assert main.inputs == []

        await main.online(True)
        await main.station_says(lambda m: m.reachable() is True)
        assert main.shown_key(NAME) == "stn_main_back"
        assert main.light(NAME) == ("off", "off")
        scan(station, "2000000000002")
        await main.station_says(lambda m: m.counters().get("answered") == 1)

        broker.restart()  # the retained main status survives in the broker's persistence
        await main.link.wait_connected(30)
        await main.station_says(lambda m: m.reachable() is True and m.station_status["link"]["connects"] == 2)
        scan(station, "2000000000003")
        await main.station_says(lambda m: m.counters().get("answered") == 2)
        assert main.counters()["refused_while_main_down"] == 1
        assert [i.raw for i in main.inputs] == [b"2000000000002", b"2000000000003"]

    with_station(tmp_path, broker, scenario)


def test_door_requests_are_served_by_the_stations_own_doors(tmp_path: Path, broker: Broker) -> None:
    async def scenario(main: FakeMain, station: Popen[str]) -> None:
        await main.online(True)
        await main.station_says(lambda m: m.reachable() is True)
        described = await main.door("describe")
        assert (described.ok, described.count, described.sensors) == (True, 4, [True] * 4)
        before = await main.door("read", 2)
        assert before.ok and [(r.door, r.state) for r in before.readings] == [(2, "closed")]
        assert (await main.door("pulse", 2)).ok
        after = await main.door("read_all")
        assert [r.state for r in after.readings] == ["closed", "closed", "open", "closed"]
        wrong = await main.door("pulse", 9)
        assert (wrong.ok, wrong.reason) == (False, "bad_request")

    with_station(tmp_path, broker, scenario, extra='[doors]\nbackend = "sim"\ncount = 4\n')


def test_the_station_is_ready_pings_its_watchdog_opens_no_store_and_stops_cleanly(
    tmp_path: Path, broker: Broker
) -> None:
    with notify_socket(abstract=f"pvz-station-{os.getpid()}") as systemd:

        async def scenario(main: FakeMain, station: Popen[str]) -> None:
            ready = await asyncio.to_thread(systemd.wait_for, "READY=1")
            assert systemd.messages[ready][1].startswith("READY=1\nSTATUS=ready: remote station, 1 station")
            await asyncio.to_thread(systemd.wait_for, "WATCHDOG=1", after=ready)
            await main.online(True)
            await main.station_says(lambda m: m.reachable() is True)
            await until(lambda: any("main device reachable" in s for s in systemd.statuses()))

        with_station(tmp_path, broker, scenario, NOTIFY_SOCKET=systemd.env, WATCHDOG_USEC="1000000")
        assert systemd.statuses()[-1] == "stopping"
    assert not (tmp_path / "pvz.db").exists()
