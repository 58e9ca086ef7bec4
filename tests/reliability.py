"""`./dev reliability`: the long kill campaign; `--fuzz`: the long Hypothesis run. Each prints its time and counts.

The default test run has the short versions (tests/test_crash_points.py: every crash point
once and 30 random kills; the fuzz modules at Hypothesis's default count).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.campaign import AIMED, aimed, print_counts, random_kills
from tests.support.day import ROOT, build_template
from tests.test_crash_points import supplies_for

FUZZ_MODULES = ["tests/test_fuzz_codes.py", "tests/test_fuzz_payloads.py", "tests/test_properties.py"]
MIN_FUZZ_CASES = 100_000


def campaign(kills: int, seed: int, workdir: Path) -> int:
    started = time.monotonic()
    template = build_template(workdir / "template.db", supplies_for(kills))
    total_kills = total_scans = 0
    for point in sorted(AIMED):
        t0 = time.monotonic()
        counts = aimed(workdir / point, template, point)
        print_counts(f"crash point {point}", counts, time.monotonic() - t0)
        total_kills += counts.kills + counts.hub_kills
        total_scans += counts.scans
    t0 = time.monotonic()
    counts = random_kills(workdir / "random", template, kills, seed=seed)
    print_counts(f"random kills (seed {seed})", counts, time.monotonic() - t0)
    total_kills += counts.kills
    total_scans += counts.scans
    print(
        f"reliability: passed; {len(AIMED)} crash points and {kills} random kills, {total_kills} kills in all, "
        f"{total_scans} scans, {time.monotonic() - started:.1f} s"
    )
    return 0


def fuzz() -> int:
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--hypothesis-profile=fuzz",
            "--hypothesis-show-statistics",
            *FUZZ_MODULES,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # Hypothesis's statistics: "- N passing, M failing, and K invalid test cases" per test and phase
    cases = [int(n) for n in re.findall(r"- (\d+) passing, \d+ failing", done.stdout)]
    tests = len(re.findall(r"^tests/\S+::\S+:$", done.stdout, re.MULTILINE))
    summary = [line for line in done.stdout.splitlines() if re.search(r"\d+ (passed|failed)", line)]
    print(done.stdout[-5000:] if done.returncode else summary[-1].strip("= "))
    print(
        f"fuzz: {'passed' if done.returncode == 0 else 'FAILED'}; {sum(cases)} cases in {tests} "
        f"Hypothesis tests, {time.monotonic() - started:.1f} s"
    )
    if done.returncode == 0 and sum(cases) < MIN_FUZZ_CASES:
        print(f"fuzz: fewer than {MIN_FUZZ_CASES} cases", file=sys.stderr)
        return 1
    return done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(prog="./dev reliability", description=__doc__)
    parser.add_argument("--fuzz", action="store_true", help="the long Hypothesis run instead of the kills")
    parser.add_argument("--kills", type=int, default=200, help="random kills (default 200)")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if args.fuzz:
        return fuzz()
    with tempfile.TemporaryDirectory(prefix="pvz-reliability-") as workdir:
        return campaign(args.kills, args.seed, Path(workdir))


if __name__ == "__main__":
    sys.exit(main())
