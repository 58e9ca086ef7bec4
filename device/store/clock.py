"""How the store spells a moment: one UTC text form, so that stored times compare as text; and
how a stored time reads at the site, in its own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

TIMEZONE_KEY = "timezone"  # meta: the site's time zone the daemon last ran with, for offline reports


def utc_text(moment: datetime) -> str:
    """One spelling of a moment for the store, so that times compare as text: UTC, seconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def instant(ts: str) -> datetime:
    """A stored time as an aware moment; a time written without an offset is taken as UTC."""
    moment = datetime.fromisoformat(ts)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local_text(ts: str, tz: tzinfo | None) -> str:
    """A stored time as the site reads it: the same moment in `tz` (as written when `tz` is None)."""
    if tz is None:
        return ts
    return instant(ts).astimezone(tz).isoformat(timespec="seconds")
