"""What the benchmark ran on: the machine, the file system under the store, and the disk's own fsync cost."""

from __future__ import annotations

import contextlib
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from bench.stats import stats


def filesystem(path: Path) -> str:
    """The file system type of the mount holding `path` (Linux), else "unknown"."""
    best = ""  # the longest mount point holding `path` wins
    kind = "unknown"
    with contextlib.suppress(OSError):
        target = str(path.resolve())
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) < 3 or len(parts[1]) < len(best):
                continue
            mount_point = parts[1]
            if target == mount_point or target.startswith(mount_point.rstrip("/") + "/"):
                best = mount_point
                kind = parts[2]
    return kind


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "sqlite_version": sqlite3.sqlite_version,
    }


def fsync_probe(directory: Path, n: int = 200) -> dict[str, float | int]:
    """The disk's own cost of a commit: append 4 KiB to a file next to the store and fsync it."""
    path = directory / "fsync-probe.tmp"
    samples: list[int] = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        block = b"\0" * 4096
        for _ in range(n):
            t0 = time.perf_counter_ns()
            os.write(fd, block)
            os.fsync(fd)
            samples.append(time.perf_counter_ns() - t0)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return stats(samples)
