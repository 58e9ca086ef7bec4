"""Report periods: a week, a month, or any span of local dates, and the clerk/station filters."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta

from device.store.journal import Data, Event


def week(day: date) -> tuple[date, date]:
    """The Monday to Sunday week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def month(first: date) -> tuple[date, date]:
    """The calendar month holding `first`, from its 1st to its last day."""
    last = calendar.monthrange(first.year, first.month)[1]
    return first.replace(day=1), first.replace(day=last)


def only(
    events: Sequence[Event[Data]], clerk: str | None = None, station: str | None = None
) -> list[Event[Data]]:
    """The events of one clerk (by badge) and/or one station; both None keeps them all."""
    return [
        e for e in events if (clerk is None or e.clerk == clerk) and (station is None or e.station == station)
    ]
