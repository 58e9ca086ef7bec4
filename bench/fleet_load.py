"""Fleet load benchmark: simulated devices (bench/fleet_sim.py), each creating `--rate` events a
second for `--minutes`, against two `pvz-central hub` processes of one group on one PostgreSQL
through one Mosquitto, all started here on free ports (PostgreSQL with fsync on, as an operator
runs it).

    .venv/bin/python -m bench.fleet_load --devices 1000 --rate 1 --minutes 5 [--burst | --restart-broker] [--out FILE]

Measured: events stored per second while the devices create them (from the rows in PostgreSQL,
sampled every SAMPLE_S, the first WARMUP_S left out), each event's lag from its creation to the
ack that covers it on its device (p50, p99, max), each hub's VmRSS and peak VmHWM and CPU, the
simulator's own CPU. Checked afterwards in PostgreSQL: every event id sent stored, nothing
else, no (device, seq) twice, every device's acked seq its last seq. Target on the 2-core
machine: exactly once, p99 lag ≤ 2 s. Writes bench/results/fleet_load.json unless --out.

--burst: half-way through, every device publishes its status and telemetry at once, as the whole
fleet does when it reconnects after a broker restart; --restart-broker: half-way through, the
Mosquitto is restarted on its port (its persistence file kept), and every device and hub
reconnects, each device republishing its status and resending what was not acked. Either is
reported apart: the lag of the events created from BURST_BEFORE_S before it to BURST_AFTER_S
after it, and each hub's loop counters (the longest late wake-up of its LoopProbe and their sum,
central/loop_probe.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from bench.fleet_procs import ROOT, HubProcess, check_stored, fleet_broker, start_hub
from bench.fleet_sim import SimFleet
from bench.stats import percentile
from central.hub_store_pg import PgHubStore
from tests.support import postgres as pgsupport

SITE = "load-site"
SAMPLE_S = 5.0
WARMUP_S = 10.0  # connects done, the devices' first batches in: left out of the sustained rate
DRAIN_S = 180.0  # after the last event is created, how long every device may take to be acked
TARGET_P99_S = 2.0
BURST_BEFORE_S = 1.0
BURST_AFTER_S = 10.0
RECONNECT_S = 60.0  # after a broker restart, how long the devices may take to reconnect
OUT = ROOT / "bench" / "results" / "fleet_load.json"


class Sampler(threading.Thread):
    """Every SAMPLE_S: the events stored (count in PostgreSQL), each hub's memory and CPU. A thread
    with its own connection, so the simulator's loop never waits on it."""

    def __init__(self, url: str, hubs: list[HubProcess]) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.hubs = hubs
        self.samples: list[dict[str, Any]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                row = conn.execute("SELECT count(*) FROM events").fetchone()
                sample: dict[str, Any] = {
                    "t": round(time.monotonic() - start, 2),
                    "stored": row[0] if row else 0,
                }
                for hub in self.hubs:
                    if hub.proc.poll() is None:
                        sample[hub.name] = hub.memory_mb() | {"cpu_s": hub.cpu_s()}
                self.samples.append(sample)
                self.stop.wait(SAMPLE_S)


def sustained(samples: list[dict[str, Any]], start: float, end: float) -> float:
    """Events stored per second between the first sample after `start` and the last before `end`."""
    inside = [s for s in samples if start <= s["t"] <= end]
    if len(inside) < 2:
        return 0.0
    first, last = inside[0], inside[-1]
    stored: int = last["stored"] - first["stored"]
    seconds: float = last["t"] - first["t"]
    return round(stored / seconds, 1)


async def burst_at(
    fleet: SimFleet, after: float, times: dict[str, float], restart: Callable[[], None] | None
) -> None:
    """`after` seconds on, every device's status and telemetry at once, or the broker restarted
    (`restart`, in a thread: the devices' loop goes on); when (epoch s) and how many devices."""
    await asyncio.sleep(after)
    times["burst_at"] = time.time()
    if restart is None:
        times["burst_devices"] = float(fleet.burst())
        return
    connects = fleet.totals.connects
    await asyncio.to_thread(restart)
    deadline = time.monotonic() + RECONNECT_S
    while fleet.totals.connects - connects < len(fleet.devices) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)  # a device not back by then shows in `devices` and in the check
    times["burst_devices"] = float(fleet.totals.connects - connects)
    times["reconnected_s"] = round(time.time() - times["burst_at"], 2)


async def drive(
    port: int,
    devices: int,
    rate: float,
    seconds: float,
    *,
    burst: bool = False,
    restart: Callable[[], None] | None = None,
) -> tuple[SimFleet, dict[str, float]]:
    fleet = SimFleet(asyncio.get_running_loop())
    t0 = time.monotonic()
    await fleet.connect(SITE, devices, host="127.0.0.1", port=port)
    connected = time.monotonic()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    burst_times: dict[str, float] = {}
    burster = None
    if burst or restart is not None:
        burster = asyncio.create_task(burst_at(fleet, seconds / 2, burst_times, restart))
    await fleet.run(rate=rate, seconds=seconds)
    if burster is not None:
        await burster
    created = time.monotonic()
    drained = await fleet.drain(DRAIN_S)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    await fleet.close()
    cpu = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
    times = {"connect_s": round(connected - t0, 2), "created_s": round(created - connected, 2)}
    times |= {"drain_s": round(time.monotonic() - created, 2), "drained": float(drained)}
    return fleet, times | burst_times | {"sim_cpu_per_s": round(cpu / (time.monotonic() - connected), 3)}


def lag_figures(lags_s: list[float]) -> dict[str, float | None]:
    lags = sorted(round(x * 1e6) for x in lags_s)  # microseconds
    return {
        f"{name}_s": round(percentile(lags, p) / 1e6, 3) if lags else None
        for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100))
    }


def burst_figures(
    fleet: SimFleet, times: dict[str, float], hubs: dict[str, dict[str, int]]
) -> dict[str, Any]:
    """The lag of the events created around the burst, and each hub's loop counters."""
    at = times["burst_at"]
    totals = fleet.totals
    around = [
        lag
        for lag, c in zip(totals.lags, totals.created_at, strict=True)
        if -BURST_BEFORE_S <= c - at <= BURST_AFTER_S
    ]
    loops = {name: {k: v for k, v in c.items() if k.startswith("loop_")} for name, c in hubs.items()}
    window = [-BURST_BEFORE_S, BURST_AFTER_S]
    kind = "restart" if "reconnected_s" in times else "republish"
    figures = {
        "kind": kind,
        "devices": int(times["burst_devices"]),
        "window_s": window,
        "events": len(around),
    }
    if "reconnected_s" in times:
        figures["reconnected_s"] = times["reconnected_s"]
    return figures | {
        "lag": lag_figures(around),
        "hub_loops": loops,
    }


def run(
    devices: int, rate: float, minutes: float, *, burst: bool = False, restart_broker: bool = False
) -> dict[str, Any]:
    seconds = minutes * 60
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="pvz-fleet-load-") as tmp, pgsupport.postgres(fsync=True) as pg:
        work = Path(tmp)
        broker = fleet_broker(work / "broker", devices)
        broker.start()
        url = pg.createdb("fleet")
        PgHubStore(url).close()  # migrated once; the hubs find it done
        hubs = [start_hub(broker.port, url, name, work) for name in ("hub-a", "hub-b")]
        sampler = Sampler(url, hubs)
        try:
            sampler.start()  # its clock starts with the devices' connects
            fleet, times = asyncio.run(
                drive(
                    broker.port,
                    devices,
                    rate,
                    seconds,
                    burst=burst,
                    restart=broker.restart if restart_broker else None,
                )
            )
            sampler.stop.set()
            sampler.join()
            memory = {hub.name: hub.memory_mb() | {"cpu_s": hub.cpu_s()} for hub in hubs}
        finally:
            counters = {hub.name: hub.stop() for hub in hubs}
            broker.stop()
        check = check_stored(
            url,
            {d.topics.device: d.ids for d in fleet.devices},
            {d.topics.device: d.last_seq for d in fleet.devices},
        )
    window = (times["connect_s"] + WARMUP_S, times["connect_s"] + times["created_s"])
    lag = lag_figures(fleet.totals.lags)
    totals = {k: v for k, v in vars(fleet.totals).items() if k not in ("lags", "created_at")}
    report: dict[str, Any] = {
        "devices": devices,
        "rate_per_device": rate,
        "minutes": minutes,
        "events_per_s_stored": sustained(sampler.samples, *window),
        "events_per_s_offered": round(devices * rate, 1),
        "lag": lag,
        "target_met": check["ok"] and lag["p99_s"] is not None and lag["p99_s"] <= TARGET_P99_S,
        "exactly_once": check,
        "hubs": {name: memory[name] | {"counters": counters[name]} for name in memory},
        "sim": times | totals,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "samples": sampler.samples,
        "postgres": "Debian's 15, fsync on",
    }
    if burst or restart_broker:
        report["burst"] = burst_figures(fleet, times, counters)
    return report


def summary(r: dict[str, Any]) -> str:
    lag, check = r["lag"], r["exactly_once"]
    lines = [
        f"{r['devices']} devices × {r['rate_per_device']} event/s for {r['minutes']} min, two hubs, PostgreSQL",
        f"stored: {r['events_per_s_stored']} events/s sustained (offered {r['events_per_s_offered']})",
        f"lag creation → ack: p50 {lag['p50_s']} s, p99 {lag['p99_s']} s, max {lag['max_s']} s",
        f"exactly once: {'yes' if check['ok'] else 'NO'} (sent {check['sent']}, stored {check['stored']}, "
        f"missing {check['missing']}, duplicates {check['duplicates']}, devices acked short "
        f"{len(check['acked_behind'])})",
    ]
    for name, hub in r["hubs"].items():
        lines.append(
            f"{name}: VmRSS {hub['VmRSS']:.1f} MiB, VmHWM {hub['VmHWM']:.1f} MiB, CPU {hub['cpu_s']:.1f} s, "
            f"{hub['counters'].get('events_new', 0)} events new, {hub['counters'].get('commits', 0)} commits"
        )
    sim = r["sim"]
    lines.append(
        f"simulator: one process, CPU {sim['sim_cpu_per_s']} s/s, resends {sim['resends']}, "
        f"connect {sim['connect_s']} s, drain {sim['drain_s']} s; load average before {r['loadavg_before']}"
    )
    if "burst" in r:
        b = r["burst"]
        lines.append(
            (
                f"burst: {b['devices']} devices' status and telemetry at once"
                if b["kind"] == "republish"
                else f"broker restarted: {b['devices']} devices reconnected in {b['reconnected_s']} s"
            )
            + f"; lag of the {b['events']} events "
            f"created {b['window_s'][0]}…+{b['window_s'][1]} s around it: p50 {b['lag']['p50_s']} s, "
            f"p99 {b['lag']['p99_s']} s, max {b['lag']['max_s']} s"
        )
        for name, loop in b["hub_loops"].items():
            lines.append(
                f"{name} loop: longest late wake-up {loop.get('loop_late_max_ms')} ms, "
                f"late in all {loop.get('loop_late_total_ms')} ms"
            )
    lines.append(f"target (exactly once, p99 ≤ {TARGET_P99_S} s): {'met' if r['target_met'] else 'NOT met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet_load", description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1.0, help="events per second per device")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--burst", action="store_true", help="half-way, every device's status and telemetry at once"
    )
    parser.add_argument(
        "--restart-broker",
        action="store_true",
        help="half-way, restart Mosquitto on its port: every device and hub reconnects",
    )
    args = parser.parse_args(argv)
    report = run(args.devices, args.rate, args.minutes, burst=args.burst, restart_broker=args.restart_broker)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(summary(report))
    print(f"written: {args.out}", file=sys.stderr)
    return 0 if report["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
