"""Benchmarks: `python -m bench [--quick] [--out FILE]` runs every one (bench/README.md);
`--parcels N [--scans N] [--db DIR]` only the engine's scan latency, `--drain [--events N]`,
`--screen [--scans N]`, `--kiosk-doors [--scans N]` (a right code to the open frame at the board),
`--kiosk-page [--rounds N]` (the kiosk page's OK to the door firing and to the page), or
`--site-screen [--scans N]` (a scan to a remote station's page through its screen)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.report import format_report
from bench.scan_bench import run
from bench.settings import BenchConfig, BenchError


def _count(text: str) -> int:
    """A positive count; accepts 100000, 100_000 and 1e6."""
    try:
        value = float(text) if "e" in text.lower() else int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value != int(value) or value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive whole number: {text!r}")
    return int(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build a large pvz store and time Engine.handle per counter operation.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="the whole suite at 100k parcels only (no 1M store)"
    )
    parser.add_argument(
        "--parcels", type=_count, help="instead: only Engine.handle's latency over a store of N parcels"
    )
    parser.add_argument("--scans", type=_count, default=2000, help="timed scans (default 2000)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    parser.add_argument(
        "--db", type=Path, help="build the store in this directory and keep it (default: a temporary one)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data and the scans")
    parser.add_argument(
        "--drain", action="store_true", help="instead: time the outbox drain to `pvz-central hub` over MQTT"
    )
    parser.add_argument("--events", type=_count, default=100_000, help="--drain: events (default 100000)")
    parser.add_argument(
        "--screen", action="store_true", help="instead: time a scan to the screen page's DOM in Chromium"
    )
    parser.add_argument(
        "--kiosk-doors",
        action="store_true",
        help="instead: time a right code at a kiosk to the open frame at the lock board (bench/kiosk_doors.py)",
    )
    parser.add_argument(
        "--kiosk-page",
        action="store_true",
        help="instead: time the kiosk page's OK to the door firing and to the page (bench/kiosk_page_bench.py)",
    )
    parser.add_argument("--rounds", type=_count, default=100, help="--kiosk-page: collections (default 100)")
    parser.add_argument(
        "--site-screen",
        action="store_true",
        help="instead: time a scan to a remote station's page through its screen (bench/site_screen_bench.py)",
    )
    args = parser.parse_args(argv)
    if args.site_screen:
        from bench.site_screen_bench import main as site_screen

        scans = args.scans if "--scans" in (argv or sys.argv) else 300
        return site_screen(["--scans", str(scans), *(["--out", str(args.out)] if args.out else [])])
    if args.kiosk_page:
        from bench.kiosk_page_bench import main as kiosk_page

        return kiosk_page(["--rounds", str(args.rounds), *(["--out", str(args.out)] if args.out else [])])
    if args.kiosk_doors:
        from bench.kiosk_doors import main as kiosk_doors

        opens = args.scans if "--scans" in (argv or sys.argv) else 300
        return kiosk_doors(["--opens", str(opens), *(["--out", str(args.out)] if args.out else [])])
    if args.screen:
        from bench.screen_bench import main as screen

        scans = args.scans if "--scans" in (argv or sys.argv) else 500
        return screen(["--scans", str(scans), *(["--out", str(args.out)] if args.out else [])])
    if args.drain:
        from bench.drain_bench import main as drain

        return drain(["--events", str(args.events), *(["--out", str(args.out)] if args.out else [])])
    if args.parcels is None:
        from bench.suite import main as suite

        return suite(
            quick=args.quick, out=args.out, say=lambda line: print(line, file=sys.stderr, flush=True)
        )
    config = BenchConfig(parcels=args.parcels, scans=args.scans, db_dir=args.db, seed=args.seed)
    try:
        report = run(config, progress=lambda line: print(line, file=sys.stderr, flush=True))
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
