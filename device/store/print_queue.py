"""The persistent print queue: jobs wait in the store until their printer takes them.

A printer cannot confirm a job, so a job is marked `printing` (committed) before its bytes
go out and `printed` after the printer took them all. A job found `printing` at start was
cut off by a dead process and may already be on paper: it is printed again marked as a copy
("КОПИЯ"), so nobody takes it for a second hand-over. A job the printer refused before any
byte went out (absent, offline, out of paper) prints as it is when the printer is back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from device import crash_points
from device.store.db import Store
from device.store.journal import Stamp, append
from drivers.base import Printer
from drivers.document import Document, Text
from drivers.exc import PrinterError, PrinterNotReady
from workflows.messages import Msg

log = logging.getLogger("pvz.print")

# Documents whose text is a credential (the screen's pairing slip carries a station token):
# kept whole until printed, since a job cut off mid-print is printed again, then replaced by
# their title and a line saying so, so that the store and its backups keep no usable secret.
SECRET_KINDS = frozenset({"screen_pair"})

BACKOFF_FIRST_S = 2.0
BACKOFF_MAX_S = 300.0


@runtime_checkable
class JobPrinter(Protocol):
    """A printer that is told the job's id with its document: a remote station's printer
    (device/site/remote_printer.py), which prints a job sent to it twice only once."""

    def print_job(self, job: int, doc: Document) -> None: ...


def send(printer: Printer, job: int, doc: Document) -> None:
    """Hand one job to its printer, with its id where the printer takes one."""
    if isinstance(printer, JobPrinter):
        printer.print_job(job, doc)
    else:
        printer.print_document(doc)


@dataclass
class _PrinterState:
    failures: int = 0
    retry_at: float = 0.0
    last_error: str | None = None


class PrintQueue:
    """`clock` paces the back-off; `device_id`, `now` (UTC) and `lang` (the language of a job
    queued without one) are for the copies: the mark's words and the journal's record.
    """

    def __init__(
        self,
        store: Store,
        printers: dict[str, Printer],
        *,
        clock: Callable[[], float],
        device_id: str,
        now: Callable[[], datetime],
        lang: str,
    ) -> None:
        self.store = store
        self.printers = printers
        self.clock = clock
        self.device_id = device_id
        self.now = now
        self.lang = lang
        self._state = {name: _PrinterState() for name in printers}
        # Told (job, station, "printing" | "printed" | "queued") as a job moves: the local screen.
        self.on_job: Callable[[int, str, str], None] | None = None

    def pending(self) -> int:
        """Jobs not yet printed, the one being sent included."""
        return int(self.store.scalar("SELECT count(*) FROM print_jobs WHERE state IN ('queued', 'printing')"))

    def recover(self) -> int:
        """At start, before anything prints: jobs cut off by a dead process are queued again as copies.

        Only the daemon that owns the store calls this: a `printing` job of a live daemon is
        being sent right now. Returns how many jobs will print as copies.
        """
        with self.store.transaction() as conn:
            cur = conn.execute("UPDATE print_jobs SET state = 'queued', copy = 1 WHERE state = 'printing'")
        if cur.rowcount:
            log.warning(
                "%d print job(s) cut off by a restart: printing them again marked as copies", cur.rowcount
            )
        return cur.rowcount

    def ready(self) -> list[tuple[int, str, Document]]:
        """The next job of each printer that may print now: (job id, printer name, document).

        One job per printer, the oldest: a printer's jobs print in order, so a job that
        fails holds back the ones behind it.
        """
        rows = self.store.conn.execute(
            "SELECT id, station, document, lang, copy FROM print_jobs WHERE state = 'queued' ORDER BY id"
        ).fetchall()
        picked: dict[str, tuple[int, str, Document]] = {}
        for row in rows:
            name = row["station"] if row["station"] in self.printers else next(iter(self.printers), None)
            if name is None or name in picked or self.clock() < self._state[name].retry_at:
                continue
            doc = Document.from_json(json.loads(row["document"]))
            if row["copy"]:
                doc = replace(doc, mark=Msg("doc_copy").render(row["lang"] or self.lang))
            picked[name] = (row["id"], name, doc)
        return list(picked.values())

    def sending(self, job: int) -> None:
        """Committed before the first byte goes out: if the process dies now, the job may be on paper."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE print_jobs SET state = 'printing' WHERE id = ?", (job,))

    def printed(self, job: int, name: str) -> None:
        state = self._state[name]
        state.failures = 0
        state.retry_at = 0.0
        state.last_error = None
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, printed_at = "
                "strftime('%Y-%m-%dT%H:%M:%S', 'now') WHERE id = ?",
                (job,),
            )
            row = conn.execute("SELECT station, kind, copy FROM print_jobs WHERE id = ?", (job,)).fetchone()
            if row["kind"] in SECRET_KINDS:
                self._forget(conn, job)
            if row["copy"]:
                # The reprint is on record with the hand-overs it repeats, and goes to the hub.
                stamp = Stamp(self.device_id, self.now().isoformat(timespec="seconds"), row["station"])
                append(conn, stamp, "print_copy", data={"job": job, "document": row["kind"]})
        if self.on_job is not None:
            self.on_job(job, name, "printed")

    def _forget(self, conn: sqlite3.Connection, job: int) -> None:
        """A printed secret document keeps only what it was; secure_delete overwrites the old
        text in the file instead of leaving it in freed space."""
        row = conn.execute("SELECT document, lang FROM print_jobs WHERE id = ?", (job,)).fetchone()
        doc = Document.from_json(json.loads(row["document"]))
        lang = row["lang"] or self.lang
        blank = Document(doc.kind, doc.title, (Text(Msg("doc_secret_printed").render(lang)),))
        secure = conn.execute("PRAGMA secure_delete").fetchone()[0]
        conn.execute("PRAGMA secure_delete = ON")
        try:
            conn.execute(
                "UPDATE print_jobs SET document = ? WHERE id = ?",
                (json.dumps(blank.to_json(), ensure_ascii=False), job),
            )
        finally:
            conn.execute(f"PRAGMA secure_delete = {int(secure)}")

    def failed(self, job: int, name: str, exc: PrinterError) -> None:
        state = self._state[name]
        state.failures += 1
        state.last_error = str(exc)
        delay = min(BACKOFF_FIRST_S * 2 ** (state.failures - 1), BACKOFF_MAX_S)
        state.retry_at = self.clock() + delay
        # Refused before sending: nothing is on paper. Otherwise part of it may be.
        cut_off = not isinstance(exc, PrinterNotReady)
        log.warning("printer %s: job %s kept queued, retry in %.0f s: %s", name, job, delay, exc)
        with self.store.transaction() as conn:
            conn.execute(
                "UPDATE print_jobs SET state = 'queued', attempts = attempts + 1, last_error = ?, "
                "copy = max(copy, ?) WHERE id = ?",
                (str(exc), int(cut_off), job),
            )
        if self.on_job is not None:
            self.on_job(job, name, "queued")

    def drain(self) -> int:
        """Print, in this thread, every queued job whose printer is ready; return how many printed."""
        printed = 0
        while batch := self.ready():
            for job, name, doc in batch:
                self.sending(job)
                try:
                    send(self.printers[name], job, doc)
                except PrinterError as exc:
                    self.failed(job, name, exc)
                    continue
                crash_points.reached("print_sent")
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
            for job, _, _ in batch:
                self.sending(job)
            results = await asyncio.gather(
                *(asyncio.to_thread(send, self.printers[name], job, doc) for job, name, doc in batch),
                return_exceptions=True,
            )
            for (job, name, _), result in zip(batch, results, strict=True):
                if isinstance(result, PrinterError):
                    self.failed(job, name, result)
                elif isinstance(result, BaseException):
                    self.failed(job, name, PrinterError(f"{name}: {result!r}"))
                else:
                    crash_points.reached("print_sent")
                    self.printed(job, name)
                    printed += 1
        return printed

    def retry_now(self, name: str) -> bool:
        """A printer known to be back (a remote station online again): its backoff ends now.
        True when it was waiting one out."""
        state = self._state.get(name)
        if state is None or not state.failures:
            return False
        state.failures = 0
        state.retry_at = 0.0
        return True

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
