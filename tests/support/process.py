"""`pvz` as a real process: the command line a technician types, its exit code and its output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PVZ = [sys.executable, "-m", "device.cli.main"]


def pvz(
    *args: str | Path, timeout: float = 120.0, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run `pvz ARGS` to its end in a fresh interpreter; `prefix` wraps it (e.g. setpriv)."""
    return subprocess.run(
        [*prefix, *PVZ, *(str(a) for a in args)],
        cwd=ROOT,
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
