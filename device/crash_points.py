"""Named crash points that only the reliability tests enable: the process dies exactly there.

A random SIGKILL seldom lands where a promise is at stake (inside a scan's transaction,
between a commit and what follows it), so the tests aim it: `PVZ_CRASH="point:count"` (a
comma-separated list for several points) makes the process SIGKILL itself the count-th time
it passes `reached(point)`. Nothing else changes how it dies: no handler, no flush, no exit
code of its own, exactly as a power cut or the kernel's OOM killer would end it.

The environment is read once, at import. Unset (every real run), `reached` is one truth
test of an empty dict and a return.
"""

from __future__ import annotations

import os
import signal

ENV = "PVZ_CRASH"

# Every point placed in the code, with where it is. The tests kill at each in turn, so a point
# added here without a test that reaches it fails tests/test_crash_points.py.
POINTS: dict[str, str] = {
    "scan_tx": "device/engine.py: a scan's effects written, its transaction not yet committed",
    "after_commit": "device/runtime.py: a scan committed, its feedback not yet shown",
    "print_sent": "device/store/print_queue.py: the printer took every byte, the job not yet marked",
    "publish": "sync/publisher.py: a batch handed to the link, the next not yet read",
    "ack": "sync/publisher.py: the hub's ack committed to the outbox mark, the publisher not told",
    "hub_ack": "central/hub.py: a batch stored by the hub, its ack not yet published",
    "migration": "device/store/db.py: a migration's script ran in its transaction, not committed",
    "sweep": "device/intake/deadlines.py: the deadline sweep's parcels moved, not yet committed",
    "door_sent": "device/doors/controller.py: a door command committed as sent, its lock not yet fired",
    "sweep_batch": "device/intake/deadlines.py: a batch of the sweep committed, the next not yet begun",
}


def parse(text: str) -> dict[str, int]:
    """`point:count[,point:count…]` → {point: count}; a malformed or unknown entry raises ValueError
    (a test that misspells a point must fail loudly, not run without its crash)."""
    armed: dict[str, int] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        name, sep, count = entry.partition(":")
        if name not in POINTS:
            raise ValueError(f"{ENV}: unknown crash point {name!r}; known: {', '.join(POINTS)}")
        armed[name] = int(count) if sep else 1
        if armed[name] < 1:
            raise ValueError(f"{ENV}: count for {name!r} must be at least 1")
    return armed


_armed = parse(os.environ.get(ENV, ""))
_passed: dict[str, int] = {}


def reached(name: str) -> None:
    """Die here by SIGKILL if the tests armed this point and this is its count-th pass."""
    if not _armed:
        return
    count = _armed.get(name)
    if count is None:
        return
    seen = _passed.get(name, 0) + 1
    _passed[name] = seen
    if seen == count:
        os.kill(os.getpid(), signal.SIGKILL)
