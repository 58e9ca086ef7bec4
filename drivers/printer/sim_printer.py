"""A simulated receipt printer: real ESC/POS bytes from python-escpos's Dummy, kept and saved."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from escpos.printer import Dummy

from drivers.document import Document
from drivers.exc import PrinterError, PrinterNotReady
from drivers.printer.escpos_render import DEFAULT_PROFILE, render
from drivers.printer.text_render import render_text

_NUMBERED = re.compile(r"^(\d{4,})-")


@dataclass(frozen=True, slots=True)
class PrintedDocument:
    """One document as it came out of the simulated printer."""

    number: int
    doc: Document
    data: bytes  # the ESC/POS byte stream a real printer would have received
    text: str  # render_text() of the same document


@dataclass(frozen=True, slots=True)
class RawJob:
    """Bytes the simulated printer took as they came (print_raw)."""

    number: int
    kind: str
    data: bytes


class SimPrinter:
    """Implements the Printer protocol without hardware; `fail_with` simulates a fault."""

    def __init__(
        self,
        *,
        out_dir: Path | None = None,
        profile: str = DEFAULT_PROFILE,
        width: int = 42,
        name: str = "sim-printer",
    ) -> None:
        try:
            Dummy(profile=profile)  # fail at start-up, not at the first receipt
        except KeyError:
            raise ValueError(f"unknown python-escpos printer profile {profile!r}") from None
        self.name = name
        self.out_dir = out_dir
        self.profile = profile
        self.width = width
        self.fail_with: str | None = None  # e.g. "paper out": print_document then fails
        self._printed: list[PrintedDocument] = []
        self.raw: list[RawJob] = []  # what print_raw() took
        self._last_number: int | None = None  # found in out_dir on the first print
        self._lock = threading.Lock()  # numbering and the list stay consistent across threads

    def set_fault(self, reason: str | None) -> None:
        """Simulate a fault ("paper out", "offline", …) or clear it with None."""
        self.fail_with = reason

    @property
    def printed(self) -> tuple[PrintedDocument, ...]:
        return tuple(self._printed)

    def print_document(self, doc: Document) -> None:
        fault = self.fail_with
        if fault is not None:
            raise PrinterNotReady(f"{self.name}: {fault}")
        dummy = Dummy(profile=self.profile)
        render(dummy, doc, width=self.width)
        printed_text = render_text(doc, width=self.width)
        with self._lock:
            number = self._next_number()
            entry = PrintedDocument(number, doc, dummy.output, printed_text)
            if self.out_dir is not None:
                self._save(entry)
            self._printed.append(entry)
            self._last_number = number

    def print_raw(self, data: bytes, kind: str = "document") -> None:
        """Bytes rendered elsewhere (a remote station's job): kept as they came, one .bin file per
        job in `out_dir` (no text twin: only the renderer knew the document)."""
        fault = self.fail_with
        if fault is not None:
            raise PrinterNotReady(f"{self.name}: {fault}")
        with self._lock:
            number = self._next_number()
            self.raw.append(RawJob(number, kind, bytes(data)))
            if self.out_dir is not None:
                try:
                    self.out_dir.mkdir(parents=True, exist_ok=True)
                    _write_whole(self.out_dir / f"{number:04d}-{_safe(kind)}.bin", bytes(data))
                except OSError as exc:
                    raise PrinterError(f"{self.name}: cannot save to {self.out_dir}: {exc}") from exc
            self._last_number = number

    def status(self) -> dict[str, Any]:
        fault = self.fail_with
        return {
            "name": self.name,
            "state": "ready" if fault is None else fault,
            "fault": fault,
            # What a real printer's paper sensor would say: "paper out" is the fault it reports.
            "paper": "out" if fault == "paper out" else "ok",
            "printed": len(self._printed) + len(self.raw),
            "profile": self.profile,
            "out_dir": str(self.out_dir) if self.out_dir is not None else None,
        }

    def _next_number(self) -> int:
        if self._last_number is None:
            # Continue after files already in out_dir so a restart never overwrites receipts.
            self._last_number = 0
            if self.out_dir is not None and self.out_dir.is_dir():
                for path in self.out_dir.iterdir():
                    match = _NUMBERED.match(path.name)
                    if match:
                        self._last_number = max(self._last_number, int(match.group(1)))
        return self._last_number + 1

    def _save(self, entry: PrintedDocument) -> None:
        assert self.out_dir is not None
        stem = self.out_dir / f"{entry.number:04d}-{_safe(entry.doc.kind)}"
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            _write_whole(stem.with_suffix(".bin"), entry.data)
            _write_whole(stem.with_suffix(".txt"), entry.text.encode("utf-8"))
        except OSError as exc:
            raise PrinterError(f"{self.name}: cannot save to {self.out_dir}: {exc}") from exc


def _safe(kind: str) -> str:
    """A document kind as part of a file name."""
    return re.sub(r"[^0-9A-Za-z_-]+", "_", kind).strip("_") or "document"


def _write_whole(path: Path, data: bytes) -> None:
    """A sheet is on the paper whole or not at all: a process killed while saving it leaves no
    empty or half file that a reader would take for a printed document."""
    part = path.with_name(f".{path.name}.part")
    part.write_bytes(data)
    part.replace(path)
