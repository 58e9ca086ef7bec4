"""The persistent print queue: jobs wait in the store until their printer takes them.

A job is marked printed only after the printer accepted all of its bytes. A job cut
off by a restart (the process died between sending and marking) is printed again on
start: a duplicate receipt is better than a lost one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from device.store import Store
from drivers.base import Printer
from drivers.document import Document
from drivers.exc import PrinterError

log = logging.getLogger("pvz.print")

BACKOFF_FIRST_S = 2.0
BACKOFF_MAX_S = 300.0


@dataclass
class _PrinterState:
    failures: int = 0
    retry_at: float = 0.0
    last_error: str | None = None


class PrintQueue:
    def __init__(self, store: Store, printers: dict[str, Printer], *, clock: Callable[[], float]) -> None:
        self.store = store
        self.printers = printers
        self.clock = clock
        self._state = {name: _PrinterState() for name in printers}

    def pending(self) -> int:
        return int(self.store.scalar("SELECT count(*) FROM print_jobs WHERE state = 'queued'"))

    def drain(self) -> int:
        """Print every queued job whose printer is ready; return how many were printed."""
        printed = 0
        rows = self.store.conn.execute(
            "SELECT id, station, document FROM print_jobs WHERE state = 'queued' ORDER BY id"
        ).fetchall()
        blocked: set[str] = set()
        for row in rows:
            name = row["station"] if row["station"] in self.printers else next(iter(self.printers), None)
            if name is None or name in blocked:
                continue
            state = self._state[name]
            if self.clock() < state.retry_at:
                blocked.add(name)
                continue
            try:
                self.printers[name].print_document(Document.from_json(json.loads(row["document"])))
            except PrinterError as exc:
                state.failures += 1
                state.last_error = str(exc)
                delay = min(BACKOFF_FIRST_S * 2 ** (state.failures - 1), BACKOFF_MAX_S)
                state.retry_at = self.clock() + delay
                blocked.add(name)
                log.warning(
                    "printer %s: job %s kept queued, retry in %.0f s: %s", name, row["id"], delay, exc
                )
                with self.store.transaction() as conn:
                    conn.execute(
                        "UPDATE print_jobs SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                        (str(exc), row["id"]),
                    )
                continue
            state.failures, state.retry_at, state.last_error = 0, 0.0, None
            with self.store.transaction() as conn:
                conn.execute(
                    "UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, printed_at = "
                    "strftime('%Y-%m-%dT%H:%M:%S', 'now') WHERE id = ?",
                    (row["id"],),
                )
            printed += 1
        return printed

    def next_retry_in(self) -> float | None:
        """Seconds until the earliest blocked printer may be tried again, if any is blocked."""
        waits = [s.retry_at - self.clock() for s in self._state.values() if s.failures]
        return max(0.0, min(waits)) if waits else None

    def status(self) -> dict[str, Any]:
        return {
            "queued": self.pending(),
            "printers": {
                name: {"failures": s.failures, "last_error": s.last_error} for name, s in self._state.items()
            },
        }
