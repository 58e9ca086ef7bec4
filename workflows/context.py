"""Who and when a workflow step runs for: the station, its clerk, the time, the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# What releases an order found by its number alone: "never" (only its pickup code or QR),
# or "id_check" (also an ID check the clerk confirms by scanning ID CHECKED).
ReleaseByNumber = Literal["never", "id_check"]


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules of the pickup point that config sets."""

    return_window_days: int = 14
    release_by_number: ReleaseByNumber = "never"
    # Wrong pickup codes at one station: this many in a row, then the station pauses codes for
    # `pause_s`, doubling with every further wrong code up to `max_pause_s`.
    max_wrong_codes: int = 5
    pause_s: int = 30
    max_pause_s: int = 900


@dataclass(frozen=True, slots=True)
class Ctx:
    station: str
    now: datetime
    clerk: str | None = None
    policy: Policy = field(default_factory=Policy)
