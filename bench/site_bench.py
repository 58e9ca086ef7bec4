"""Site benchmark: input to feedback at a remote station, through a local Mosquitto and the main device.

`python -m bench.site_bench [--scans 2000] [--each 1000] [--out FILE]`

Three remote stations (device/site_station/, the real StationDaemon, in this process on one loop)
and the site's main device (a real `pvz run` process of its own, as on its own Pi) share a real
Mosquitto on a free port. Each scan is a parcel accepted at a station: the station gives it an
id, sends it, the main device decides it once (Engine.handle with the id, one transaction,
`synchronous=FULL`), answers, and the station shows the answer (light, buzzer, screen).

- `latency`: one station, `--scans` parcels one after another: from the station reading the
  code to the answer shown there (p50, p99). `station_figures` is the station's own record of the
  same thing (its status's latency window).
- `throughput`: the three stations at once, `--each` parcels each, as fast as each gets its
  answers (one input in flight per station, as a clerk works): scans per second across the site,
  and the latency under that load.
- `main_cpu_share`, `stations_cpu_share`: CPU seconds per second of the main device's process and
  of this one during `throughput`: which side a higher rate waits on. `PVZ_BENCH_PROFILE=FILE` runs
  the main device under cProfile.
- `local`: the same acceptance scans through `Runtime.process` at a local station in this process,
  on a store built the same way: the baseline; `ratio_p50` is the remote p50 over the local one.

Targets (issue 16): latency p99 <= 30 ms, throughput >= 500 scans/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import publish
from bench.stats import stats
from device.config import load_config
from device.site_station.daemon import StationDaemon
from device.store.db import Store
from drivers.base import RawScan
from tests.support.broker import Broker
from tests.support.config import PICKUP_KEY, SCRIPT, station
from tests.support.factory import CLERK, M, P, cells, load
from tests.support.site import MAIN, main_config, remote, station_config
from workflows.outcome import Feedback, Level

ROOT = Path(__file__).resolve().parents[1]
STATIONS = ("c1", "c2", "c3")
TARGET_P99_MS = 30.0
TARGET_SCANS_PER_S = 500.0
WAIT_S = 60.0
# PVZ_BENCH_PROFILE=FILE: the main device runs under cProfile, its profile written to FILE.
_PROFILE_TO = os.environ.get("PVZ_BENCH_PROFILE")
PROFILE = ["-m", "cProfile", "-o", _PROFILE_TO] if _PROFILE_TO else []


def barcode(station: int, i: int) -> str:
    return f"{7 + station}{i:07d}-0001-1"


def supplies(per_station: int) -> list[M]:
    """One supply per station, so that the stations' acceptances never meet."""
    return [
        M(f"S{n}", [P(barcode(n, i), f"{7 + n}{i:07d}") for i in range(per_station)])
        for n in range(len(STATIONS))
    ]


def build_store(path: Path, device: str, per_station: int) -> None:
    from device.intake.rack import import_cells

    store = Store.open(path)
    try:
        with store.transaction():
            store.set_meta("device_id", device)
        import_cells(store, cells())
        for manifest in supplies(per_station):
            load(store, manifest)
    finally:
        store.close()


class Site:
    """The broker, the main device's process, and the three station daemons on this loop."""

    def __init__(self, tmp: Path, per_station: int) -> None:
        self.tmp = tmp
        # As the site broker's generated config has it: no Nagle delay on the broker's small packets.
        self.broker = Broker(tmp / "broker", nodelay=True)
        self.per_station = per_station
        self.main: subprocess.Popen[bytes] | None = None
        self.daemons: list[StationDaemon] = []
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.shown: dict[str, asyncio.Future[Feedback]] = {}

    async def __aenter__(self) -> Site:
        self.broker.start()
        main_dir = self.tmp / "main"
        main_dir.mkdir()
        build_store(main_dir / "pvz.db", MAIN, self.per_station)
        remotes = "".join(remote(name, f"pvz-{name}") for name in STATIONS)
        config = main_config(main_dir, mqtt_port=self.broker.port, remotes=remotes, clerks={CLERK: "Анна С."})
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.main = subprocess.Popen(
            [sys.executable, *PROFILE, "-m", "device.cli.main", "run", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(self.tmp / "main.log").open("wb"),
        )
        loop = asyncio.get_running_loop()
        for name in STATIONS:
            folder = self.tmp / name
            folder.mkdir()
            (folder / "codes.txt").write_text("", encoding="utf-8")  # the script scanner ends at once
            path = station_config(
                folder, device=f"pvz-{name}", name=name, mqtt_port=self.broker.port, scanner=SCRIPT
            )
            daemon = StationDaemon(load_config(path), path)
            daemon.inputs.shows.shown.append(self._shown)
            self.daemons.append(daemon)
            self.tasks.append(loop.create_task(daemon.run(self.stop)))
        deadline = time.monotonic() + WAIT_S
        while not all(d.main_up() for d in self.daemons):
            if time.monotonic() > deadline or (self.main.poll() is not None):
                raise RuntimeError(f"the main device did not come up: {(self.tmp / 'main.log').read_text()}")
            await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        for task in self.tasks:
            await task
        if self.main is not None:
            self.main.terminate()
            self.main.wait(30)
        self.broker.stop()

    def main_cpu_s(self) -> float:
        """CPU seconds (user and system) the main device's process has used so far."""
        assert self.main is not None
        fields = Path(f"/proc/{self.main.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _shown(self, station_name: str, feedback: Feedback) -> None:
        waiting = self.shown.pop(station_name, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(feedback)

    async def scan(self, index: int, code: str) -> int:
        """One code read at station `index`: nanoseconds until its answer is shown there."""
        daemon, name = self.daemons[index], STATIONS[index]
        shown = asyncio.get_running_loop().create_future()
        self.shown[name] = shown
        start = time.monotonic_ns()
        daemon.inputs.read(name, RawScan("bench", code.encode()))
        feedback = await asyncio.wait_for(shown, WAIT_S)
        elapsed = time.monotonic_ns() - start
        if feedback.level is not Level.OK:
            raise RuntimeError(f"{code} at {name}: {feedback.msg.key}")
        return elapsed


async def remote_run(scans: int, each: int) -> dict[str, Any]:
    per_station = scans + each
    with tempfile.TemporaryDirectory(prefix="pvz-site-bench-") as folder:
        async with Site(Path(folder), per_station) as site:
            for i in range(len(STATIONS)):
                await site.scan(i, CLERK)  # the clerk signs in at each station
            alone = [await site.scan(0, barcode(0, i)) for i in range(scans)]
            figures = site.daemons[0].inputs.figures.latency_status()

            async def work(i: int) -> list[int]:
                start = scans if i == 0 else 0
                return [await site.scan(i, barcode(i, n)) for n in range(start, start + each)]

            began, main_cpu, own_cpu = time.monotonic(), site.main_cpu_s(), time.process_time()
            together = await asyncio.gather(*(work(i) for i in range(len(STATIONS))))
            wall = time.monotonic() - began
            main_busy = (site.main_cpu_s() - main_cpu) / wall
            stations_busy = (time.process_time() - own_cpu) / wall
    loaded = [ns for one in together for ns in one]
    return {
        "latency": stats(alone),
        "station_figures": figures,
        "throughput": {
            "stations": len(STATIONS),
            "scans": len(loaded),
            "seconds": round(wall, 3),
            "scans_per_s": round(len(loaded) / wall, 1),
            "latency": stats(loaded),
            # CPU seconds per second of the main device's process, and of this one (the three
            # stations, their links): which side a higher rate would need.
            "main_cpu_share": round(main_busy, 2),
            "stations_cpu_share": round(stations_busy, 2),
        },
    }


def local_run(scans: int) -> dict[str, Any]:
    """The baseline: the same acceptance scans at a local station of a runtime in this process."""
    with tempfile.TemporaryDirectory(prefix="pvz-site-bench-local-") as folder:
        directory = Path(folder)
        build_store(directory / "pvz.db", "pvz-local", scans)
        text = '[device]\nid = "pvz-local"\nsite = "bench"\n[store]\npath = "pvz.db"\n'
        text += f'[security]\npickup_key = "{PICKUP_KEY}"\n[screen]\nlisten = "off"\n'
        text += station("c1", SCRIPT) + f'[[clerks]]\nbadge = "{CLERK}"\nname = "Анна С."\n'
        (directory / "codes.txt").write_text("", encoding="utf-8")
        config_file = directory / "pvz.toml"
        config_file.write_text(text, encoding="utf-8")
        from device.wiring import build_runtime, open_store

        config = load_config(config_file)
        store = open_store(config, config_file, owner=True)
        try:
            runtime = build_runtime(config, config_file, store)
            runtime.start()
            runtime.process("c1", CLERK)
            samples = []
            for i in range(scans):
                start = time.monotonic_ns()
                result = runtime.process("c1", barcode(0, i))
                samples.append(time.monotonic_ns() - start)
                assert result.feedback.level is Level.OK, result.feedback.msg.key
        finally:
            store.close()
    return stats(samples)


def run(scans: int = 2000, each: int = 1000) -> dict[str, Any]:
    report = asyncio.run(remote_run(scans, each))
    local = local_run(scans)
    latency, throughput = report["latency"], report["throughput"]
    return {
        **report,
        "local": local,
        "ratio_p50": round(latency["p50_ms"] / local["p50_ms"], 2),
        "targets": {"p99_ms": f"<= {TARGET_P99_MS}", "scans_per_s": f">= {TARGET_SCANS_PER_S}"},
        "met": {
            "p99_ms": latency["p99_ms"] <= TARGET_P99_MS,
            "scans_per_s": throughput["scans_per_s"] >= TARGET_SCANS_PER_S,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=2000, help="scans at one station, one after another")
    parser.add_argument("--each", type=int, default=1000, help="scans at each of three stations at once")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    publish(run(args.scans, args.each), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
