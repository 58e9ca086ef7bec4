"""What a remote station counts about its inputs, and how long each took from its read to its
feedback: the figures its status reports and the site demo and the benchmark read."""

from __future__ import annotations

from collections import deque
from typing import Any

LATENCY_WINDOW = 2048  # the latest answered inputs whose latency the percentiles are taken over

# Every counter a station's status carries under `site.counters` (docs/site.md lists them).
COUNTERS = (
    "inputs",  # read from the station's sources
    "sent",  # publishes of an input, retries included
    "answered",  # answers shown (duplicates and late answers included)
    "duplicates",  # answers the main device gave from its store: the first answer was lost
    "waited",  # inputs that showed "waiting for the main device" at least once
    "given_up",  # inputs not answered within the replay window (and queued ones already too old)
    "refused_while_main_down",  # inputs refused at once because the main device was unreachable
    "refused_by_main",  # answers that were a refusal of the main device (SiteReply.refused)
    "late_answers",  # answers that came after the input was given up, shown all the same
    "stray_replies",  # replies for no input of this station (dropped)
    "bad_replies",  # replies that could not be decoded or shown
)


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of an ordered list (`share` in 0..1)."""
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Figures:
    def __init__(self, window: int = LATENCY_WINDOW) -> None:
        self.counters: dict[str, int] = dict.fromkeys(COUNTERS, 0)
        self.refusals: dict[str, int] = {}  # the main device's refusals by reason code
        self._latency_ms: deque[float] = deque(maxlen=window)

    def count(self, name: str, by: int = 1) -> None:
        assert name in self.counters, name
        self.counters[name] += by

    def refused(self, reason: str) -> None:
        self.count("refused_by_main")
        self.refusals[reason] = self.refusals.get(reason, 0) + 1

    def latency(self, ms: float) -> None:
        self._latency_ms.append(ms)

    def latency_status(self) -> dict[str, Any]:
        ordered = sorted(self._latency_ms)
        return {
            "n": len(ordered),
            "p50": round(percentile(ordered, 0.50), 2),
            "p99": round(percentile(ordered, 0.99), 2),
            "max": round(ordered[-1], 2) if ordered else 0.0,
        }

    def status(self) -> dict[str, Any]:
        return {
            "counters": dict(self.counters),
            "refusals": dict(sorted(self.refusals.items())),
            "latency_ms": self.latency_status(),
        }
