"""Exceptions of the device package: store, config, manifests, CLI-facing errors."""

from __future__ import annotations

from typing import Self

# The reason code of an InputError raised without a more precise one.
INVALID = "invalid"


class PvzError(Exception):
    """Root of the device package's errors."""


class StoreError(PvzError):
    """The store cannot be used as it is."""


class StoreTooNew(StoreError, RuntimeError):
    """The database was written by a newer pvz; refusing to touch it."""


class StoreLocked(StoreError, RuntimeError):
    """Another pvz process already owns this store."""


class StoreDamaged(StoreError, RuntimeError):
    """SQLite's own check found the store file damaged; nothing may write into it."""


class InputError(PvzError, ValueError):
    """Input pvz refuses: a manifest, an updates batch, a config, a message from central.

    `reason` is a stable snake_case code (the list is in device.decode.REASONS) and
    `path` the JSON path of what is wrong ("$" for the input as a whole). Tests, counters and
    operators match on these two; the message is for the technician and may quote a library.
    """

    def __init__(
        self, message: str, *, reason: str = INVALID, path: str = "$", detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.path = path
        self.detail = message if detail is None else detail

    @classmethod
    def at(cls, path: str, reason: str, detail: str, *, what: str = "") -> Self:
        """The usual form of the message: "what: path: detail (reason)"."""
        prefix = f"{what}: " if what else ""
        return cls(f"{prefix}{path}: {detail} ({reason})", reason=reason, path=path, detail=detail)

    def within(self, source: str) -> Self:
        """The same error, its message prefixed with where the input came from (a file name)."""
        return type(self)(f"{source}: {self}", reason=self.reason, path=self.path, detail=self.detail)


class ConfigError(InputError):
    """A config file is invalid; the message names the key."""


class ManifestError(InputError):
    """A manifest is invalid; the message names the field. Nothing of it was imported."""


class DoorRefused(PvzError, RuntimeError):
    """An open command refused before any lock fired; `reason` is pvz's stable code for why:
    `not_a_door` (the cell has no door), `door_cell_occupied` (it holds a parcel), or the
    command's result when it did not fire (`refused`, `expired`, `failed`)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
