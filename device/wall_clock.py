"""Whether the wall clock can be believed yet: a Pi has no real-time clock.

A Raspberry Pi boots with the time it last saved (or its image's build time, or 1970) and
only learns the real time from NTP, which may come late or never on a site without
internet. Until the clock is plausible, nothing may be decided from the date: the daily
deadline sweep would move parcels back to the sender by a wrong day. The rule:

- the clock is trusted once systemd-timesyncd says it synchronised in this boot (the flag
  file it creates under /run), even if the journal holds a time from a clock that once ran
  ahead;
- otherwise it is plausible when it is not earlier than the newest journal entry's time nor
  than the build time of the installed code: time only moves forward, so a clock behind
  either was never set.

`After=time-sync.target` alone does not settle it: without systemd-time-wait-sync enabled
(a device may have it off so that an offline site still starts) that target is reached at
once. Journal entries written meanwhile keep the wrong time but their order by `seq`, which
is what sync and every reader go by.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from device.store.clock import instant
from device.store.db import Store

log = logging.getLogger("pvz.clock")

SYNCHRONIZED_FLAG = Path("/run/systemd/timesync/synchronized")
# The newest entries by sequence hold the newest time unless the clock once went back; a
# tail this long survives a few hundred entries written under a wrong clock.
JOURNAL_TAIL = 1000


def journal_floor(store: Store) -> datetime | None:
    """The latest time among the newest journal entries (by sequence), or None for an empty journal."""
    rows = store.conn.execute("SELECT ts FROM journal ORDER BY seq DESC LIMIT ?", (JOURNAL_TAIL,)).fetchall()
    times = []
    for (ts,) in rows:
        try:
            times.append(instant(str(ts)))
        except ValueError:
            continue  # a time nobody can read says nothing about the clock
    return max(times, default=None)


def build_floor() -> datetime:
    """When the installed code was built: its files' modification time (a .deb keeps the time
    its files had at build, and an image keeps the package's)."""
    return datetime.fromtimestamp((Path(__file__).parent / "__init__.py").stat().st_mtime, UTC)


class ClockTrust:
    """Answers "may the date be believed now?", and logs when the answer changes."""

    def __init__(
        self, floors: Mapping[str, datetime | None], *, synced_flag: Path | None = SYNCHRONIZED_FLAG
    ):
        self.floors = {name: floor for name, floor in floors.items() if floor is not None}
        self.synced_flag = synced_flag
        self.trusted: bool | None = None
        self.last_checked: str | None = None

    @classmethod
    def for_store(cls, store: Store) -> ClockTrust:
        return cls({"the newest journal entry": journal_floor(store), "the installed build": build_floor()})

    def synchronized(self) -> bool:
        return self.synced_flag is not None and self.synced_flag.exists()

    def behind(self, now: datetime) -> tuple[str, datetime] | None:
        """The floor the clock is behind (the latest one), or None when it is past them all."""
        moment = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        passed = [(floor, name) for name, floor in self.floors.items() if moment < floor]
        if not passed:
            return None
        floor, name = max(passed)
        return name, floor

    def check(self, now: datetime) -> bool:
        """True when the wall clock reading `now` may be believed."""
        self.last_checked = now.isoformat(timespec="seconds")
        behind = None if self.synchronized() else self.behind(now)
        trusted = behind is None
        if trusted != self.trusted:
            if behind is not None:
                name, floor = behind
                log.warning(
                    "the wall clock says %s, earlier than %s (%s): it is not set yet. Deadlines are "
                    "not swept until it is (NTP, or `timedatectl set-time`); journal entries keep "
                    "their order by sequence",
                    self.last_checked,
                    name,
                    floor.isoformat(timespec="seconds"),
                )
            elif self.trusted is not None:
                log.info("the wall clock is set now (%s): deadlines are swept again", self.last_checked)
            self.trusted = trusted
        return trusted

    def status(self) -> dict[str, Any]:
        return {
            "trusted": self.trusted,
            "synchronized": self.synchronized(),
            "checked_at": self.last_checked,
            "floors": {name: floor.isoformat(timespec="seconds") for name, floor in self.floors.items()},
        }
