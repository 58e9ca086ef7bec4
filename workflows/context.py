"""Who and when a workflow step runs for: the station, its clerk, the time, the rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules of the pickup point that config sets."""

    return_window_days: int = 14


@dataclass(frozen=True, slots=True)
class Ctx:
    station: str
    now: datetime
    clerk: str | None = None
    policy: Policy = field(default_factory=Policy)
