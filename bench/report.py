"""The scan benchmark's report as a readable table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.scans import OPERATIONS


def _row(label: str, s: dict[str, Any]) -> str:
    cells = (f"{s[k]:>8.2f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))
    return f"{label:<48} {s['count']:>6} {' '.join(cells)}"


def format_report(report: dict[str, Any]) -> str:
    """The readable table."""
    m = report["machine"]
    c = report["config"]
    b = report["build"]
    o = report["overall"]
    d = report["disk_fsync_4k"]
    sec = b["seconds"]
    rows = b["rows"]
    st = b["parcel_states"]
    out = [
        f"pvz scan benchmark: {c['parcels']:,} parcels, {o['scans']:,} timed scans (+{c['warmup_rounds']} warm-up rounds)",
        f"machine : {m['platform']}, {m['cpu_count']} CPUs, Python {m['python']}, SQLite {m['sqlite_version']}",
        f"store   : {c['filesystem']} file, journal_mode={c['pragmas']['journal_mode']}, "
        f"synchronous={c['pragmas']['synchronous']} (2 = FULL), cache_size={c['pragmas']['cache_size']}, "
        f"{b['db_bytes'] / 1e6:.0f} MB",
        f"disk    : fsync after a 4 KiB append p50 {d['p50_ms']:.2f} ms, p90 {d['p90_ms']:.2f} ms, "
        f"p99 {d['p99_ms']:.2f} ms, max {d['max_ms']:.2f} ms ({d['count']} samples; one per committed scan)",
        f"build   : {sec['total_s']:.1f} s (generate {sec['generate_s']:.1f}, insert+commit "
        f"{sec['insert_commit_s']:.1f}, FK check {sec['foreign_key_check_s']:.1f}, checkpoint {sec['checkpoint_s']:.1f}, sync {sec['sync_s']:.1f})",
        f"rows    : parcels {rows['parcels']:,} (stored {st['stored']:,}, issued {st['issued']:,}, accepted "
        f"{st['accepted']:,}, expected {st['expected']:,}), orders {rows['orders']:,}, journal {rows['journal']:,}, "
        f"cells {b['cells_main']:,} (capacity {b['cell_capacity']}) + returns shelf, print jobs {rows['print_jobs']:,}",
        "",
        f"{'operation':<48} {'count':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}",
        "-" * 90,
    ]
    rule = "-" * 90
    regular = [(label, report["operations"].get(key)) for key, label, one_off in OPERATIONS if not one_off]
    once = [(label, report["operations"].get(key)) for key, label, one_off in OPERATIONS if one_off]
    out += [_row(label, s) for label, s in regular if s is not None]
    out += [rule, _row("all timed scans", o), rule]
    out += [_row(label, s) for label, s in once if s is not None]
    out.append(
        f"throughput: {o['scans_per_second']:,.0f} scans/s over the handle() time "
        f"({o['handle_seconds']:.2f} s), {o['wall_scans_per_second']:,.0f} scans/s wall clock "
        "(one-offs not included)"
    )
    if o["placements_without_suggestion"]:
        out.append(f"placements without a suggestion: {o['placements_without_suggestion']}")
    return "\n".join(out)


def publish(report: dict[str, Any], out: Path | None) -> None:
    """A benchmark's figures as JSON on standard output, and in `out` when given."""
    text = json.dumps(report, indent=2)
    print(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
