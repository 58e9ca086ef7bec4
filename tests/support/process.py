"""`pvz` as a real process: the command line a technician types, its exit code and its output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PVZ = [sys.executable, "-m", "device.cli.main"]
# What coverage's `patch = subprocess` (pyproject.toml) sets so that a child Python measures itself.
COVERAGE_ENV = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


def unmeasured_env() -> dict[str, str]:
    """This environment without coverage's: a child run as another user (setpriv) could not write
    its data file into the checkout, and would fail on that rather than on what the test checks."""
    return {k: v for k, v in os.environ.items() if k not in COVERAGE_ENV}


def pvz(
    *args: str | Path, timeout: float = 120.0, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `pvz ARGS` to its end in a fresh interpreter; `prefix` wraps it (e.g. setpriv), and then
    the process is not measured by coverage (unmeasured_env)."""
    return subprocess.run(
        [*prefix, *PVZ, *(str(a) for a in args)],
        cwd=ROOT,
        env=unmeasured_env() if prefix else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal of a pvz command: exit code 2 and exactly one line on stderr, no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]
