"""A remote station's printer as the main device's print queue sees it: one more Printer.

The main device's persistent print queue (device/store/print_queue.py) stays the one queue: a job
for a remote station is rendered here to ESC/POS bytes (python-escpos's Dummy printer, the
station's profile, [print] width), sent to the station device as a PrintJob, and counts as printed
only when the station answers PrintDone. No answer, the station offline or its printer's fault
raise a PrinterError with a reason code, so the job stays queued and is retried on the queue's
backoff; the station prints a job id once, so a retry after a lost answer never prints twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from escpos.printer import Dummy

from device.site.calls import NoAnswer, SiteCalls
from drivers.document import Document
from drivers.exc import PrinterError, PrinterNotReady
from drivers.printer.escpos_render import DEFAULT_PROFILE, render
from sync.site import MAX_PRINT_BYTES, PrintDone, PrintJob, SiteTopics

log = logging.getLogger("pvz.site")

# Why a remote station's job did not print (RemotePrintError.reason).
REASONS: dict[str, str] = {
    "site_link_down": "the main device is not connected to the site broker; nothing was sent",
    "station_offline": "the station device's status says it is offline; nothing was sent",
    "no_answer": "the job was sent and the station did not say it printed in time",
    "station_printer": "the station's own printer failed the job (its reason is in the message)",
    "too_large": "the rendered job is larger than the site protocol carries",
    "no_job": "a document handed over without a queue job id (only the print queue prints remotely)",
}

# The station's PrintDone reasons that say nothing of the job reached paper (docs/site.md).
NOTHING_PRINTED = frozenset({"printer_not_ready", "no_printer", "unknown_station"})


class RemotePrintError(PrinterError):
    """A remote station's job not printed; some of it may be on paper (sent, no answer)."""

    def __init__(self, message: str, *, reason: str) -> None:
        assert reason in REASONS, reason
        super().__init__(message)
        self.reason = reason


class RemotePrintNotSent(RemotePrintError, PrinterNotReady):
    """Refused before anything went to the station: nothing of it is on paper."""


class RemotePrinter:
    """Built by wiring for each [[site.stations]] entry; attached to the link when SiteMain runs."""

    backend = "station"

    def __init__(
        self, *, station: str, device: str, site: str, profile: str | None, width: int, timeout_s: float
    ) -> None:
        self.name = f"{station}/printer"
        self.station = station
        self.device = device
        self.profile = profile or DEFAULT_PROFILE
        Dummy(profile=self.profile)  # an unknown profile fails at start-up, not at the first receipt
        self.width = width
        self.timeout_s = timeout_s
        self.topic = SiteTopics(site).of(device, "print")
        self.calls: SiteCalls | None = None
        self.online: Callable[[], bool | None] = lambda: None
        self.printed = 0
        self.last_error: str | None = None
        self.last_reason: str | None = None
        self.last_success: datetime | None = None

    def attach(self, calls: SiteCalls, online: Callable[[], bool | None]) -> None:
        self.calls = calls
        self.online = online

    def render(self, doc: Document) -> bytes:
        dummy = Dummy(profile=self.profile)
        render(dummy, doc, width=self.width)
        return bytes(dummy.output)

    def print_document(self, doc: Document) -> None:
        raise self._fail(RemotePrintNotSent, "no_job", f"{self.name}: {doc.kind!r} has no print job id")

    def print_job(self, job: int, doc: Document) -> None:
        """In the print queue's worker thread: send, and wait for the station's PrintDone."""
        if self.calls is None:
            raise self._fail(RemotePrintNotSent, "site_link_down", f"{self.name}: the site link is not up")
        if self.online() is False:
            raise self._fail(RemotePrintNotSent, "station_offline", f"{self.name}: {self.device} is offline")
        payload = msgspec.json.encode(PrintJob(job, self.station, doc.kind, self.render(doc)))
        if len(payload) > MAX_PRINT_BYTES:
            raise self._fail(
                RemotePrintNotSent, "too_large", f"{self.name}: job {job} is {len(payload)} bytes"
            )
        try:
            done: PrintDone = self.calls.request(
                self.topic, payload, f"print:{self.device}:{job}", self.timeout_s
            )
        except NoAnswer as exc:
            kind = RemotePrintError if exc.sent else RemotePrintNotSent
            raise self._fail(
                kind, "no_answer" if exc.sent else "site_link_down", f"{self.name}: {exc}"
            ) from exc
        if not done.ok:
            said = f"{done.reason or 'fault'}: {done.message}" if done.message else (done.reason or "fault")
            # The station's printer refused it before any byte went out: it prints as it is, no copy.
            kind = RemotePrintNotSent if done.reason in NOTHING_PRINTED else RemotePrintError
            raise self._fail(kind, "station_printer", f"{self.name}: {said}")
        self.printed += 1
        self.last_error = self.last_reason = None
        self.last_success = datetime.now(UTC)

    def _fail(self, kind: type[RemotePrintError], reason: str, message: str) -> RemotePrintError:
        self.last_error = message
        self.last_reason = reason
        return kind(message, reason=reason)

    def status(self) -> dict[str, Any]:
        """What the station last reported, for the hardware rows and telemetry."""
        online = self.online()
        state = "ready" if self.last_error is None and online is not False else "error"
        return {
            "name": self.name,
            "backend": self.backend,
            "target": self.device,
            "profile": self.profile,
            "state": state,
            "online": online,
            "last_error": self.last_error or ("the station device is offline" if online is False else None),
            "reason": self.last_reason,
            "printed": self.printed,
            "last_success": None if self.last_success is None else self.last_success.isoformat(),
        }
