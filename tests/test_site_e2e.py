"""A remote station and its main device, both real `pvz run` processes over a real Mosquitto: an
order issued at the station, the main device killed half-way (its last will): every input refused
at once; restarted, the session goes on from its store, and the receipt prints on the station's
own printer."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from subprocess import Popen
from typing import IO

from tests.support.broker import Broker
from tests.support.factory import DEVICE
from tests.support.site import station_config
from tests.support.site_peer import FakeMain, scan, start_station, stop_station, until
from tests.support.site_station import main_device, start_main
from workflows.inputs import Command

STATION = "pvz-a"


async def issue(watch: FakeMain, station: Popen[str], codes: list[tuple[str, str | None]]) -> None:
    """Scan each code and wait for its answer; `key`: the message the answer must show."""
    for code, key in codes:
        wanted = watch.counters().get("answered", 0) + 1
        scan(station, code)
        await watch.station_says(lambda m: m.counters().get("answered") == wanted)  # noqa: B023
        if key is not None:
            assert watch.shown_key("a") == key, watch.shown("a")


def test_an_order_issued_at_a_remote_station_and_the_main_device_killed(
    tmp_path: Path, broker: Broker
) -> None:
    main_file = main_device(tmp_path / "main", broker.port)  # stations a and b signed in
    station_file = station_config(
        tmp_path / "station",
        device=STATION,
        name="a",
        main=DEVICE,
        mqtt_port=broker.port,
        prints="prints",
        mqtt_keys="telemetry_s = 1\n",
    )
    prints = tmp_path / "station" / "prints"

    async def scenario(log: IO[str]) -> None:
        watch = FakeMain(broker.port, STATION, main=DEVICE)  # only watches: the real main answers
        watch.answering = False
        await watch.start()
        main = start_main(main_file, log)
        station: Popen[str] = start_station(station_file, log)
        try:
            await watch.station_says(lambda m: m.reachable() is True)
            await issue(watch, station, [("22222222*222222", "iss_found"), ("22222222-0001-1", None)])

            main.send_signal(signal.SIGKILL)  # the broker publishes its last will: offline
            await asyncio.to_thread(main.wait, 30)
            await watch.station_says(lambda m: m.reachable() is False)
            scan(station, "22222222-0002-1")
            await watch.station_says(lambda m: m.counters().get("refused_while_main_down") == 1)
            assert watch.shown_key("a") == "stn_refused" and watch.light("a") == ("red", "fast_blink")
            assert not prints.exists()

            main = start_main(main_file, log)
            await watch.station_says(lambda m: m.reachable() is True)
            assert watch.shown_key("a") == "stn_main_back"
            # The session open on the main device's store goes on where it was.
            await issue(watch, station, [("22222222-0002-1", None), (Command.DONE.barcode, "iss_done")])
            assert watch.light("a") == ("green", "steady")
            await until(lambda: prints.is_dir() and any(prints.iterdir()))
            [receipt] = prints.iterdir()
            assert receipt.suffix == ".bin" and receipt.read_bytes().startswith(b"\x1b@")
            counters = watch.counters()
            assert counters["answered"] == 4 and counters["inputs"] == 5
            assert counters["given_up"] == counters["refused_by_main"] == 0
        finally:
            if main.poll() is None:
                main.send_signal(signal.SIGTERM)
                await asyncio.to_thread(main.wait, 30)
            assert await asyncio.to_thread(stop_station, station) == 0
            watch.stop()

    log_path = tmp_path / "site.log"
    with log_path.open("w", encoding="utf-8") as log:
        try:
            asyncio.run(scenario(log))
        except BaseException:
            log.flush()
            print(log_path.read_text(encoding="utf-8")[-6000:])
            raise
