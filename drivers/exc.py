"""Exceptions raised by drivers; one root so the runtime can catch a driver fault by kind."""

from __future__ import annotations


class DriverError(Exception):
    """Root of every driver error."""


class DeviceNotFound(DriverError, FileNotFoundError):
    """A configured device is not present."""


class DeviceGone(DriverError, OSError):
    """A device vanished while in use (unplugged, powered off)."""


class PrinterError(DriverError, OSError):
    """The printer refused or failed a job (offline, out of paper, vanished)."""


class UnknownBackend(DriverError, LookupError):
    """Config names a backend that no driver provides."""
