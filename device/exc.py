"""Exceptions of the device package: store, config, manifests, CLI-facing errors."""

from __future__ import annotations


class PvzError(Exception):
    """Root of the device package's errors."""


class StoreError(PvzError):
    """The store cannot be used as it is."""


class StoreTooNew(StoreError, RuntimeError):
    """The database was written by a newer pvz; refusing to touch it."""


class StoreLocked(StoreError, RuntimeError):
    """Another pvz process already owns this store."""


class ConfigError(PvzError, ValueError):
    """A config file is invalid; the message names the key."""


class ManifestError(PvzError, ValueError):
    """A manifest is invalid; the message names the field. Nothing of it was imported."""
