"""Latency samples in nanoseconds summed up as nearest-rank percentiles in milliseconds."""

from __future__ import annotations

import math


def percentile(ordered: list[int], p: float) -> int:
    """Nearest-rank percentile of a sorted list."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def stats(samples: list[int]) -> dict[str, float | int]:
    ordered = sorted(samples)
    ms = 1e-6
    return {
        "count": len(ordered),
        "p50_ms": round(percentile(ordered, 50) * ms, 3),
        "p90_ms": round(percentile(ordered, 90) * ms, 3),
        "p99_ms": round(percentile(ordered, 99) * ms, 3),
        "max_ms": round(ordered[-1] * ms, 3),
        "mean_ms": round(sum(ordered) / len(ordered) * ms, 3),
    }
