"""A remote station prints what its main device rendered: a PrintJob's bytes on the station's own
printer, in a worker thread, answered with PrintDone (docs/site.md).

The main device's print queue keeps the job until it hears PrintDone, and sends it again after a
lost answer. So a job is known by its id: one already printed is answered ok again and not
printed twice, one printing right now is answered when it ends. The ids printed lately are kept
in a small JSON file (the station has no store), so a restart of the station keeps them too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from device.decode import decode
from device.exc import InputError
from drivers.base import Printer, RawPrinter
from drivers.exc import PrinterError
from sync.site import MAX_PRINT_BYTES, PrintDone, PrintJob
from sync.transport import Inbound

log = logging.getLogger("pvz.site.printing")

KEEP_JOBS = 1000  # job ids remembered as printed: far more than a main device retries
NO_PRINTER = "no_printer"  # the job names a station of this device without a printer that takes bytes
UNKNOWN_STATION = "unknown_station"  # the job names no station of this device

Answer = Callable[[PrintDone], Awaitable[None]]


class PrintedJobs:
    """The ids of the jobs printed lately, in the order printed, kept in `path` (JSON)."""

    def __init__(self, path: Path, keep: int = KEEP_JOBS) -> None:
        self.path = path
        self.keep = keep
        self.ids: list[int] = []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.ids = [int(i) for i in data.get("printed", [])][-keep:]
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            # Lost memory means at worst one more copy of a job the main device sends again.
            log.warning("printed job ids in %s unreadable (%s); starting afresh", path, exc)
        self._known = set(self.ids)

    def __contains__(self, job: int) -> bool:
        return job in self._known

    def add(self, job: int) -> None:
        """Remember `job` as printed; written whole (a new file renamed over the old one)."""
        if job in self._known:
            return
        self.ids.append(job)
        self._known.add(job)
        if len(self.ids) > self.keep:
            for old in self.ids[: len(self.ids) - self.keep]:
                self._known.discard(old)
            self.ids = self.ids[-self.keep :]
        part = self.path.with_name(f".{self.path.name}.part")
        try:
            part.write_text(json.dumps({"printed": self.ids}), encoding="utf-8")
            part.replace(self.path)
        except OSError as exc:
            log.warning("cannot keep printed job ids in %s: %s", self.path, exc)


class StationPrinting:
    def __init__(self, printers: dict[str, Printer | None], *, state_file: Path, answer: Answer) -> None:
        self.printers = printers
        self.done = PrintedJobs(state_file)
        self.answer = answer
        self.counters = {"jobs": 0, "printed": 0, "repeated": 0, "failed": 0, "bad_jobs": 0}
        self._printing: dict[int, asyncio.Future[PrintDone]] = {}

    async def handle(self, message: Inbound) -> None:
        """One PrintJob from the main device (an MQTT handler on the loop)."""
        try:
            job = decode(message.payload, PrintJob, max_bytes=MAX_PRINT_BYTES + MAX_PRINT_BYTES // 2)
        except InputError as exc:
            self.counters["bad_jobs"] += 1
            log.warning("print job dropped: %s at %s", exc.reason, exc.path)
            return
        self.counters["jobs"] += 1
        await self.answer(await self.print_once(job))

    async def print_once(self, job: PrintJob) -> PrintDone:
        if job.job in self.done:
            self.counters["repeated"] += 1
            return PrintDone(job=job.job, ok=True)
        running = self._printing.get(job.job)
        if running is not None:  # sent again while it prints: the same answer when it ends
            self.counters["repeated"] += 1
            return await asyncio.shield(running)
        future: asyncio.Future[PrintDone] = asyncio.get_running_loop().create_future()
        self._printing[job.job] = future
        try:
            done = await self._print(job)
            future.set_result(done)
            return done
        finally:
            del self._printing[job.job]
            if not future.done():
                future.cancel()

    async def _print(self, job: PrintJob) -> PrintDone:
        if job.station not in self.printers:
            self.counters["failed"] += 1
            return PrintDone(job=job.job, ok=False, reason=UNKNOWN_STATION, message=job.station)
        printer = self.printers[job.station]
        if not isinstance(printer, RawPrinter):
            self.counters["failed"] += 1
            return PrintDone(job=job.job, ok=False, reason=NO_PRINTER, message=job.station)
        try:
            await asyncio.to_thread(printer.print_raw, job.data, job.kind)
        except PrinterError as exc:
            self.counters["failed"] += 1
            log.warning("print job %d for %s not printed: %s", job.job, job.station, exc)
            return PrintDone(job=job.job, ok=False, reason=exc.reason, message=str(exc)[:200])
        except Exception as exc:  # a driver's bug must not leave the main device guessing
            self.counters["failed"] += 1
            log.exception("print job %d for %s failed unexpectedly", job.job, job.station)
            return PrintDone(job=job.job, ok=False, reason=PrinterError.reason, message=type(exc).__name__)
        self.counters["printed"] += 1
        await asyncio.to_thread(self.done.add, job.job)
        return PrintDone(job=job.job, ok=True)

    def status(self) -> dict[str, Any]:
        return {**self.counters, "printing": sorted(self._printing)}
