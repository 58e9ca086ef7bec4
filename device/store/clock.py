"""How the store spells a moment: one UTC text form, so that stored times compare as text."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(moment: datetime) -> str:
    """One spelling of a moment for the store, so that times compare as text: UTC, seconds."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")
