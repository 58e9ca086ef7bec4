"""Wrong pickup codes, limited per station: a pause after too many in a row, doubling to a cap.

Per station and never per order: a per-order limit would let a stranger lock a customer out
of their own order. The counter lives in the store (`wrong_codes`), so a restart keeps it;
a right code clears it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from workflows.context import Policy
from workflows.views import WrongCodesView

_MAX_DOUBLINGS = 30  # far beyond any cap; keeps the arithmetic small for an endless attack


def pause_left(seen: WrongCodesView, now: datetime) -> int:
    """Whole seconds the station still refuses codes; 0 when it takes them.

    A clock stepped back to before the pause began cannot say how much of it is left: the
    pause is taken as over, and the run of failures stays, so the next wrong code pauses again
    for longer.
    """
    if seen.paused_at is None or seen.pause_s <= 0 or now < seen.paused_at:
        return 0
    left = (seen.paused_at + timedelta(seconds=seen.pause_s) - now).total_seconds()
    return max(0, math.ceil(left))


def pause_after(failures: int, policy: Policy) -> int:
    """The pause a run of `failures` wrong codes earns: none below the limit, then 30 s, 60 s, … to the cap."""
    over = failures - policy.max_wrong_codes
    if over < 0:
        return 0
    pause: int = policy.pause_s << min(over, _MAX_DOUBLINGS)
    return min(pause, policy.max_pause_s)


def tries_left(failures: int, policy: Policy) -> int:
    """Wrong codes the station still takes before its first pause."""
    return max(0, policy.max_wrong_codes - failures)
