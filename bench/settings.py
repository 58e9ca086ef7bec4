"""What every part of the scan benchmark shares: its settings, the bench device and its stations, its error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DEVICE = "pvz-bench-0001"
KEY = hashlib.sha256(b"pvz-bench-site-key").digest()
DB_NAME = "pvz-bench.db"

# Stations of the scan phase: one clerk accepts, one places, one serves the counter.
ACC = "acceptance"
PLACE = "placement"
COUNTER = "counter"
STATIONS = (ACC, PLACE, COUNTER)


class BenchError(Exception):
    """The benchmark cannot run, or a scan did not do what the benchmark expected."""


@dataclass(frozen=True, slots=True)
class BenchConfig:
    parcels: int = 100_000
    scans: int = 2000
    db_dir: Path | None = None
    seed: int = 1
