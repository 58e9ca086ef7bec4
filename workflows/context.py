"""Who and when a workflow step runs for: the station, its clerk, the time of the scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Ctx:
    station: str
    now: datetime
    clerk: str | None = None
