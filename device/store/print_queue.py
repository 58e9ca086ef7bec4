"""The persistent print queue: jobs wait in the store until their printer takes them.

A job is marked printed only after the printer accepted all of its bytes. A job cut
off by a restart (the process died between sending and marking) is printed again on
start: a duplicate receipt is better than a lost one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from device.store.db import Store
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

    def ready(self) -> list[tuple[int, str, Document]]:
        """The next job of each printer that may print now: (job id, printer name, document).

        One job per printer, the oldest: a printer's jobs print in order, so a job that
        fails holds back the ones behind it.
        """
        rows = self.store.conn.execute(
            "SELECT id, station, document FROM print_jobs WHERE state = 'queued' ORDER BY id"
        ).fetchall()
        picked: dict[str, tuple[int, str, Document]] = {}
        for row in rows:
            name = row["station"] if row["station"] in self.printers else next(iter(self.printers), None)
            if name is None or name in picked or self.clock() < self._state[name].retry_at:
                continue
            picked[name] = (row["id"], name, Document.from_json(json.loads(row["document"])))
        return list(picked.values())

    def printed(self, job: int, name: str) -> None:
        self._state[name].failures, self._state[name].retry_at, self._state[name].last_error = 0, 0.0, None
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, printed_at = "
                "strftime('%Y-%m-%dT%H:%M:%S', 'now') WHERE id = ?",
                (job,),
            )

    def failed(self, job: int, name: str, exc: PrinterError) -> None:
        state = self._state[name]
        state.failures += 1
        state.last_error = str(exc)
        delay = min(BACKOFF_FIRST_S * 2 ** (state.failures - 1), BACKOFF_MAX_S)
        state.retry_at = self.clock() + delay
        log.warning("printer %s: job %s kept queued, retry in %.0f s: %s", name, job, delay, exc)
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE print_jobs SET attempts = attempts + 1, last_error = ? WHERE id = ?", (str(exc), job)
            )

    def drain(self) -> int:
        """Print, in this thread, every queued job whose printer is ready; return how many printed."""
        printed = 0
        while batch := self.ready():
            for job, name, doc in batch:
                try:
                    self.printers[name].print_document(doc)
                except PrinterError as exc:
                    self.failed(job, name, exc)
                    continue
                self.printed(job, name)
                printed += 1
        return printed

    async def drain_async(self) -> int:
        """The same, with the printer I/O in worker threads so a slow printer never stalls scans.

        The store is only touched from the calling (event loop) thread; printers of
        different stations print at the same time.
        """
        printed = 0
        while batch := self.ready():
            results = await asyncio.gather(
                *(asyncio.to_thread(self.printers[name].print_document, doc) for _, name, doc in batch),
                return_exceptions=True,
            )
            for (job, name, _), result in zip(batch, results, strict=True):
                if isinstance(result, PrinterError):
                    self.failed(job, name, result)
                elif isinstance(result, BaseException):
                    self.failed(job, name, PrinterError(f"{name}: {result!r}"))
                else:
                    self.printed(job, name)
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
