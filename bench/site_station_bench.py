"""Remote station benchmark: an input read at a remote station to its answer shown there (light,
buzzer, screen), through a local Mosquitto and the site's main device as a real `pvz run` process.

    python -m bench.site_station_bench [--scans 2000] [--stations 3] [--out FILE] [--nagle]

bench/site_bench.py times the main device's side with plain MQTT clients as stations; this one runs
the real station daemons (device/site_station/), on one loop in this process, each with its own
MQTT link: a scan is handed to a station's input path as its scanner would (`StationInputs.read`)
and timed until its answer is shown, which is what the station's own `site.latency_ms` measures
(reported beside it). Each input is a parcel's barcode looked up at a signed-in counter.

- `latency`: one station, `--scans` inputs one after another: p50, p99 and max in ms.
- `throughput`: `--stations` stations at once, each one input in flight (a session is sequential),
  `--scans` inputs in all: inputs answered per second, and the latency under that load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import publish
from bench.stats import stats
from device.config import load_config
from device.site_station.daemon import StationDaemon
from drivers.base import RawScan
from tests.support.broker import Broker, free_port
from tests.support.factory import CLERK, DEVICE
from tests.support.site import remote, station_config
from tests.support.site_station import main_device, start_main
from workflows.outcome import Feedback

CODES = (b"11111111-0001-1", b"22222222-0001-1", b"33333333-0001-1", b"44444444-0001-1")
WAIT_S = 60.0


class Station:
    """One station daemon and a way to await the answer of each input."""

    def __init__(self, daemon: StationDaemon) -> None:
        self.daemon = daemon
        self.name = next(iter(daemon.stations))
        self.keys: dict[str, int] = {}
        self._answer: asyncio.Future[int] | None = None
        daemon.inputs.shows.shown.append(self._shown)

    def _shown(self, _station: str, feedback: Feedback) -> None:
        self.keys[feedback.msg.key] = self.keys.get(feedback.msg.key, 0) + 1
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(time.perf_counter_ns())

    async def scan(self, code: bytes) -> int:
        """One input to its answer shown, in ns (bench.stats reads ns)."""
        self._answer = asyncio.get_running_loop().create_future()
        began = time.perf_counter_ns()
        self.daemon.inputs.read(self.name, RawScan("bench", code))
        shown = await asyncio.wait_for(self._answer, WAIT_S)
        return shown - began

    async def scans(self, count: int) -> list[int]:
        return [await self.scan(CODES[i % len(CODES)]) for i in range(count)]


def configs(root: Path, port: int, count: int) -> tuple[Path, list[Path]]:
    """The stocked main device (tests/support/site_station.py) and `count` station devices."""
    names = [f"s{i}" for i in range(1, count + 1)]
    main = main_device(root / "main", port, remotes="".join(remote(n, f"pvz-{n}") for n in names))
    stations = []
    for n in names:
        (root / n).mkdir()
        (root / n / "codes.txt").write_text("", encoding="utf-8")
        script = 'backend = "script"\npath = "codes.txt"'
        stations.append(
            station_config(root / n, device=f"pvz-{n}", name=n, main=DEVICE, mqtt_port=port, scanner=script)
        )
    return main, stations


async def measure(station_files: list[Path], scans: int) -> dict[str, Any]:
    stop = asyncio.Event()
    stations = [Station(StationDaemon(load_config(f), f)) for f in station_files]
    runs = [asyncio.create_task(s.daemon.run(stop)) for s in stations]
    try:
        deadline = time.monotonic() + WAIT_S
        while not all(s.daemon.main_up() for s in stations):
            if time.monotonic() > deadline:
                raise RuntimeError("the stations never saw the main device online")
            await asyncio.sleep(0.05)
        for station in stations:
            await station.scan(CLERK.encode())  # signed in: a parcel's barcode is looked up
            await station.scans(20)  # warm-up: the first inputs open connections and caches
        alone = await stations[0].scans(scans)
        reported = stations[0].daemon.inputs.figures.latency_status()  # the station's own figure
        each = max(1, scans // len(stations))
        began = time.perf_counter()
        together = await asyncio.gather(*(s.scans(each) for s in stations))
        elapsed = time.perf_counter() - began
        loaded = [ms for part in together for ms in part]
        return {
            "latency": {**stats(alone), "scans": len(alone)},
            "station_reported": reported,  # site.latency_ms after the phase: its last 2048 inputs
            "throughput": {
                "stations": len(stations),
                "scans": len(loaded),
                "scans_per_s": round(len(loaded) / elapsed, 1),
                **stats(loaded),
            },
            "answers": {s.name: s.keys for s in stations},
        }
    finally:
        stop.set()
        for task in runs:
            with contextlib.suppress(asyncio.CancelledError):
                await task


def run(scans: int = 2000, stations: int = 3, *, nodelay: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pvz-site-bench-") as tmp:
        root = Path(tmp)
        port = free_port()
        # Mosquitto's default leaves Nagle's algorithm on for what it sends: a PUBLISH right behind
        # a PUBACK then waits for the client's delayed ACK (about 40 ms, twice per input).
        extra = f"listener {port} 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay {str(nodelay).lower()}"
        broker = Broker(root / "broker", port=port, extra=extra)
        broker.start()
        log = (root / "main.log").open("w", encoding="utf-8")
        main = None
        try:
            main_file, station_files = configs(root, broker.port, stations)
            main = start_main(main_file, log)
            result = asyncio.run(measure(station_files, scans))
        finally:
            if main is not None and main.poll() is None:
                main.send_signal(signal.SIGTERM)
                main.wait(30)
            log.close()
            broker.stop()
    return {
        **result,
        "broker_tcp_nodelay": nodelay,
        "targets": {"p99_ms": 30, "scans_per_s": 500},
        "machine": {"cpus": os.cpu_count()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.site_station_bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scans", type=int, default=2000, help="timed inputs per phase (default 2000)")
    parser.add_argument("--stations", type=int, default=3, help="stations at once (default 3)")
    parser.add_argument("--out", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument(
        "--nagle", action="store_true", help="the broker with Mosquitto's default (set_tcp_nodelay false)"
    )
    args = parser.parse_args()
    publish(run(args.scans, args.stations, nodelay=not args.nagle), args.out)


if __name__ == "__main__":
    main()
