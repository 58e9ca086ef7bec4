"""`./dev bench`: every benchmark of issue 13 in one run, each figure beside the baseline it is
compared with, written to bench/results/latest.json with a PNG of the latency distributions.

`--quick` runs the same at 100k parcels only (no 1M store), in about a minute.
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import daemon_probe
from bench.imports import importtime
from bench.probes import fsync_probe, machine
from bench.runtime_scans import accept_throughput, scan_phase, sqlite_baseline
from bench.settings import DB_NAME
from bench.store_build import build_store
from device.store.db import Store

RESULTS = Path(__file__).resolve().parent / "results"
ACCEPT_SUPPLY = 10_000
SWEEP_BACKLOG = 500_000
SCREEN_SCANS = 300
SIZES_FULL = {"1k": 1_000, "100k": 100_000, "1M": 1_000_000}
SIZES_QUICK = {"1k": 1_000, "100k": 100_000}
TARGETS = {
    "scan_p99_ms": "<= 3 ms at 1M, writes included",
    "scan_ratio_vs_sqlite": "<= 2.0",
    "accept_scans_per_s": ">= 3000",
    "sync_events_per_s": ">= 40000",
    "sync_ratio_vs_paho": ">= 3.0",
    "rss_mb_1m": "<= 60 MB",
    "sweep_rss_mb": "<= 80 MB, scans served during the sweep",
    "ready_s": "<= 1.0 s at 1M",
    "ready_after_crash_s": "report it (the quick check of the whole file runs first)",
    "import_s": "report it",
    "screen_p99_ms": "<= 20 ms",
}


def _scans_for(parcels: int) -> int:
    return 140 if parcels < 10_000 else 2000


def _size(
    directory: Path, label: str, parcels: int, rng: random.Random, say: Callable[[str], None]
) -> dict[str, Any]:
    """One store size: build it, scans through the runtime, the sqlite3 baseline, (at 100k) the
    acceptance throughput. Leaves the store in `directory` for the daemon probes."""
    path = directory / DB_NAME
    scans = _scans_for(parcels)
    need = -(-scans // 7) + 12
    expected = ACCEPT_SUPPLY + need if label == "100k" else 0
    say(f"[{label}] building a store of {parcels:,} parcels")
    fx = build_store(path, parcels, need, rng, say, expected=expected)
    say(f"[{label}] {scans:,} scans through Runtime.process")
    store = Store.open(path, owner=True)
    out: dict[str, Any] = {"parcels": parcels, "build_s": round(fx.timings["total_s"], 1)}
    try:
        if expected:
            # The supply's last 10,000 first (the scan rounds accept from its start), then paused.
            out["accept"] = accept_throughput(store, fx.expected[-ACCEPT_SUPPLY:], say)
        out["scans"] = scan = scan_phase(store, fx, scans, rng)
    finally:
        store.close()
    say(f"[{label}] raw sqlite3 baseline, same pragmas")
    barcodes = [o.barcode for o in fx.to_place] + [b for o in fx.to_issue for b in o.parcels]
    out["sqlite"] = sqlite_baseline(path, barcodes, scans)
    out["ratio_vs_sqlite"] = round(scan["all"]["p50_ms"] / out["sqlite"]["p50_ms"], 2)
    return out


def _drain(events: int, say: Callable[[str], None]) -> dict[str, Any]:
    from bench import drain_bench

    return drain_bench.run(events, progress=say)


def run(*, quick: bool, say: Callable[[str], None], tmp: Path | None = None) -> dict[str, Any]:
    sizes = SIZES_QUICK if quick else SIZES_FULL
    rng = random.Random(1)
    started = time.perf_counter()
    report: dict[str, Any] = {"machine": machine(), "quick": quick, "targets": TARGETS}
    detail: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pvz-suite-", dir=tmp) as work_dir:
        work = Path(work_dir)
        detail["disk_fsync_4k"] = fsync_probe(work)
        per_size: dict[str, Any] = {}
        largest = ""
        for label, parcels in sizes.items():
            d = work / label
            d.mkdir()
            per_size[label] = _size(d, label, parcels, rng, say)
            if largest:
                shutil.rmtree(work / largest)  # keep the disk use to the largest store
            largest = label
        detail["sizes"] = per_size
        store = work / largest / DB_NAME
        say(f"[daemon] pvz run over the {largest} store: READY, idle RSS, {SCREEN_SCANS} scans to the screen")
        daemon_probe.mark_swept(store, swept=True)
        # A store no daemon stopped cleanly (as after a power cut) is quick-checked before READY;
        # a restart after a clean stop is not (Store.check_after_last_stop): both are reported.
        detail["first_start"] = daemon_probe.run_daemon(store)
        detail["daemon"] = daemon_probe.run_daemon(store, screen_scans=SCREEN_SCANS)
        backlog = min(SWEEP_BACKLOG, sizes[largest])
        overdue = daemon_probe.limit_overdue(store, backlog)
        daemon_probe.mark_swept(store, swept=False)
        say(f"[sweep] pvz run over the {largest} store with {overdue:,} overdue parcels, scans meanwhile")
        detail["sweep"] = {"overdue": overdue, **daemon_probe.run_daemon(store, sweep_scans=100_000)}
        detail["sweep"]["integrity"] = _integrity(store)
    say("[import] python -X importtime")
    detail["import"] = {m: importtime(m) for m in ("device.cli.main", "device.wiring")}
    say("[sync] the drain benchmark (bench/drain_bench.py)")
    detail["drain"] = _drain(20_000 if quick else 100_000, say)
    report.update(_keys(detail, largest))
    report["detail"] = detail
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def _integrity(store: Path) -> str:
    conn = sqlite3.connect(store)
    try:
        return str(conn.execute("PRAGMA quick_check").fetchone()[0])
    finally:
        conn.close()


def _keys(d: dict[str, Any], largest: str) -> dict[str, Any]:
    """The keys of the issue's table, from the detail measured in this run."""
    sizes = d["sizes"]
    daemon = d["daemon"]
    sweep = d["sweep"]
    drain = d["drain"]
    during = sweep.get("scans_during_sweep") or {}
    return {
        "scan_p50_ms": {k: v["scans"]["all"]["p50_ms"] for k, v in sizes.items()},
        "scan_p99_ms": {k: v["scans"]["all"]["p99_ms"] for k, v in sizes.items()},
        "scan_p99_ms_by_phase": {
            k: {p: s["p99_ms"] for p, s in v["scans"]["phases"].items()} for k, v in sizes.items()
        },
        "sqlite_p50_ms": {k: v["sqlite"]["p50_ms"] for k, v in sizes.items()},
        "scan_ratio_vs_sqlite": sizes[largest]["ratio_vs_sqlite"],
        "scan_ratio_vs_sqlite_by_size": {k: v["ratio_vs_sqlite"] for k, v in sizes.items()},
        "accept_scans_per_s": sizes["100k"]["accept"]["scans_per_s"],
        "sync_events_per_s": round(drain["events_per_s"]),
        "sync_ratio_vs_paho": drain.get("ratio_vs_paho"),
        "rss_mb_1m": round(daemon["rss_kib"] / 1024, 1),
        "rss_store_parcels": largest,
        "sweep_rss_mb": round(sweep["peak_rss_kib"] / 1024, 1),
        "sweep_overdue": sweep["overdue"],
        "sweep_scan_p99_ms": during.get("p99_ms"),
        "ready_s": daemon["ready_s"],
        "ready_after_crash_s": d["first_start"]["ready_s"],
        "import_s": d["import"]["device.cli.main"]["import_s"],
        "screen_p99_ms": daemon["screen"]["p99_ms"],
    }


def plot(report: dict[str, Any], path: Path) -> None:
    """Latency distributions (CDFs) of the runtime's scans, the sqlite3 baseline, the screen."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = report["detail"]
    fig, axes = plt.subplots(1, 2, figsize=(13, 5))
    for label, size in d["sizes"].items():
        for phase, samples in size["scans"]["samples_ms"].items():
            _cdf(axes[0], samples, f"{phase} @ {label}")
        _cdf(axes[0], size["sqlite"]["samples_ms"], f"raw sqlite3 @ {label}", dashed=True)
    axes[0].set_title("scan latency through Runtime.process (commit synchronous=FULL)")
    screen = d["daemon"].get("screen") or {}
    if screen:
        _cdf(axes[1], screen["samples_ms"], "scan typed → SSE event received (idle)")
    axes[1].set_title(f"pvz run over the {report['rss_store_parcels']} store")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("ms")
        ax.set_ylabel("share of scans at or below")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cdf(ax: Any, samples: list[float], label: str, *, dashed: bool = False) -> None:
    if not samples:
        return
    xs = sorted(samples)
    ys = [(i + 1) / len(xs) for i in range(len(xs))]
    ax.plot(xs, ys, "--" if dashed else "-", label=label, linewidth=1)


def strip_samples(report: dict[str, Any]) -> dict[str, Any]:
    """The JSON without the raw samples (they are in the plot)."""

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items() if k != "samples_ms"}
        return x

    return walk(report)  # type: ignore[no-any-return]


def main(*, quick: bool, out: Path | None, say: Callable[[str], None]) -> int:
    report = run(quick=quick, say=say)
    out = out or RESULTS / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    png = out.with_suffix(".png")
    plot(report, png)
    clean = strip_samples(report)
    clean["plot"] = png.name
    out.write_text(json.dumps(clean, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key, target in TARGETS.items():
        print(f"{key:<22} {json.dumps(clean.get(key)):<40} target {target}")
    print(f"results written to {out} and {png} ({clean['seconds']} s)")
    return 0
