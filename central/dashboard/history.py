"""The outbox depth over time, for the dashboard's chart: the hub samples every device's depth from
the statuses in the store once a minute and prunes samples older than `[dashboard] history_days`.

The samples come from the store's statuses, not from this hub's own subscription: hubs of one
group each get only part of the statuses, but every one of them sees all of them in the database.
Several hubs sampling one minute write it once (the table's key is device and minute).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from central.health import derive
from central.store_api import CentralStore

SAMPLE_S = 60.0  # one sample per device per minute
PRUNE_EVERY = 60  # rounds between two prunes (an hour)
CHART_HOURS = 24  # what the dashboard draws


def minute_of(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(second=0, microsecond=0)


def reports_depth(status: dict[str, Any]) -> bool:
    """An offline device's will carries no counts: its depth is unknown, not zero, so no sample."""
    counts = status.get("counts")
    return isinstance(status.get("site"), str) and isinstance(counts, dict) and "outbox_depth" in counts


class OutboxHistory:
    """Called by the hub's loop every round; samples once a minute, prunes once an hour."""

    def __init__(
        self,
        store: CentralStore,
        *,
        keep_days: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.keep = timedelta(days=keep_days)
        self.clock = clock
        self._last: datetime | None = None
        self._chart: tuple[datetime, list[tuple[str, int]]] | None = None
        self.counters = {"samples": 0, "pruned": 0, "rounds": 0}

    def tick(self) -> None:
        minute = minute_of(self.clock())
        if minute == self._last:
            return
        self._last = minute
        samples = [
            (str(body["site"]), device, derive(body)["outbox_depth"])
            for device, body in self.store.statuses().items()
            if reports_depth(body)
        ]
        self.counters["samples"] += self.store.record_outbox(samples, minute)
        self._chart = None  # the new minute is drawn at once
        if self.counters["rounds"] % PRUNE_EVERY == 0:
            self.counters["pruned"] += self.store.prune_outbox(minute - self.keep)
        self.counters["rounds"] += 1

    def chart(self, hours: int = CHART_HOURS) -> list[tuple[str, int]]:
        """The fleet's total outbox depth per minute over the last `hours`, read from the store
        at most once per sampled minute (the page asks every second while it is open)."""
        minute = minute_of(self.clock())
        if self._chart is None or self._chart[0] != minute:
            self._chart = (minute, self.store.outbox_totals(minute - timedelta(hours=hours)))
        return self._chart[1]

    def status(self) -> dict[str, Any]:
        return dict(self.counters)
