"""import_s: what importing the daemon's entry point costs, from `python -X importtime`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("PIL", "qrcode", "aiohttp", "escpos", "openpyxl", "paho", "matplotlib", "numpy")


def importtime(module: str) -> dict[str, Any]:
    """Total (sum of every module's own time), wall time of the process, the biggest top-level
    packages by cumulative time, and which heavy packages got imported at all."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    total_us = 0
    top: dict[str, int] = {}
    loaded = set()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        total_us += int(self_us)
        package = name.strip().split(".")[0]
        loaded.add(package)
        if not name.startswith(" "):  # a top-level import: its cumulative time
            top[package] = top.get(package, 0) + int(cumulative)
    biggest = sorted(top.items(), key=lambda kv: -kv[1])[:8]
    return {
        "module": module,
        "import_s": round(total_us / 1e6, 3),
        "process_wall_s": round(wall, 3),
        "biggest_ms": {name: round(us / 1000, 1) for name, us in biggest},
        "heavy_loaded": sorted(p for p in HEAVY if p in loaded),
    }
