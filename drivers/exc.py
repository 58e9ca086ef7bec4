"""Exceptions raised by drivers; one root so the runtime can catch a driver fault by kind."""

from __future__ import annotations


class DriverError(Exception):
    """Root of every driver error."""


class DeviceNotFound(DriverError, FileNotFoundError):
    """A configured device is not present."""


class DeviceGone(DriverError, OSError):
    """A device vanished while in use (unplugged, powered off)."""


class PrinterError(DriverError, OSError):
    """The printer refused or failed a job (offline, out of paper, vanished).

    `reason` is pvz's stable code for it (sent back by a remote station, device/site/)."""

    reason = "printer_failed"  # some of the job may be on paper


class PrinterNotReady(PrinterError):
    """The printer refused a job before any of its bytes went out (absent, offline, out of paper).

    Nothing of the job is on paper, so the print queue prints it again as it is; after any
    other PrinterError some of it may be, and the queue prints it again marked as a copy.
    """

    reason = "printer_not_ready"  # nothing of the job went out


class UnknownBackend(DriverError, LookupError):
    """Config names a backend that no driver provides."""


class ScaleError(DriverError, OSError):
    """A scale gave no weight that can be used; `reason` is a stable code a workflow words.

    scale_garbage (lines that are not weights), scale_unstable (never settled), scale_overload,
    scale_negative, scale_silent (nothing arrived) and scale_gone (the port failed).
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
