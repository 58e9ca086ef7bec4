"""Desired config from the central system: a versioned overlay on the local base config, acknowledged by hash."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tomllib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import msgspec

from device.config import check_config, resolve_path
from device.config_schema import Config
from device.decode import decode, field_path
from device.exc import ConfigError
from device.store.db import Store
from sync.status import bump, wire_time
from sync.topics import Topics
from sync.transport import Inbound, MqttLink

log = logging.getLogger("pvz.sync.config")

# What a central system may change: a whole section (None) or only the keys named. Everything
# else (identity, store, security key, stations and their hardware, light pins, the rack,
# the time zone) is the installer's, in the local base config, and is refused by name.
REMOTE: Mapping[str, frozenset[str] | None] = {
    "device": frozenset({"language"}),
    "lights": frozenset({"timeout_s"}),
    "issue": None,
    "print": None,
    "returns": None,
    "clerks": None,
}
OVERLAY_NAME = "desired-config.json"
MAX_DOCUMENT = 65_536
REJECTED_COUNTER = "config_rejected"


class DesiredConfigError(ConfigError):
    """A desired config document that is not applied; the message says why (and names the key)."""


def canonical(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8 (what the hash is computed over)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def config_hash(version: int, overlay: Mapping[str, Any]) -> str:
    """sha256 (hex) of the canonical JSON of {"config": overlay, "version": version}."""
    return hashlib.sha256(canonical({"config": overlay, "version": version})).hexdigest()


@dataclass(frozen=True, slots=True)
class Desired:
    version: int
    overlay: dict[str, Any]
    hash: str


class _Document(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A desired config document as it arrives; exactly one of `config` and `toml` is set."""

    version: Annotated[int, msgspec.Meta(ge=1)]
    config: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    toml: str | msgspec.UnsetType = msgspec.UNSET
    id: Any = None  # accepted and ignored
    issued_at: Any = None  # accepted and ignored


def _refuse(path: str, reason: str, detail: str) -> DesiredConfigError:
    return DesiredConfigError.at(path, reason, detail)


def check_remote(overlay: Mapping[str, Any]) -> None:
    """Refuse, by name, any section or key a central system may not change."""
    for section, value in overlay.items():
        at = field_path("$.config", section)
        if section not in REMOTE:
            raise _refuse(at, "not_remote", f"section `{section}` cannot be changed remotely")
        keys = REMOTE[section]
        if keys is None:
            continue
        if not isinstance(value, dict):
            raise _refuse(at, "wrong_type", f"`{section}` must be a table")
        for key in value:
            if key not in keys:
                allowed = ", ".join(f"{section}.{k}" for k in sorted(keys))
                raise _refuse(
                    field_path(at, key),
                    "not_remote",
                    f"`{section}.{key}` cannot be changed remotely (only {allowed})",
                )


def parse_desired(payload: bytes, *, remote_check: bool = True) -> Desired:
    """{"version": N, "config": {...}} or {"version": N, "toml": "..."}; checked, not yet merged."""
    doc = decode(payload, _Document, max_bytes=MAX_DOCUMENT, error=DesiredConfigError)
    one = "exactly one of `config` (an object) and `toml` (TOML text) is required"
    if isinstance(doc.toml, str):
        if isinstance(doc.config, dict):
            raise _refuse("$", "invalid", one)
        try:
            overlay = tomllib.loads(doc.toml)
        except tomllib.TOMLDecodeError as exc:
            raise _refuse("$.toml", "not_toml", f"invalid TOML: {exc}") from None
        except RecursionError:
            raise _refuse("$.toml", "too_deep", "nested too deeply") from None
    elif isinstance(doc.config, dict):
        overlay = doc.config
    else:
        raise _refuse("$.config", "missing_field", one)
    try:
        digest = config_hash(doc.version, overlay)
    except (TypeError, ValueError) as exc:
        where = "$.toml" if isinstance(doc.toml, str) else "$.config"
        raise _refuse(where, "bad_value", f"values must be plain JSON values: {exc}") from None
    if remote_check:
        check_remote(overlay)
    return Desired(doc.version, overlay, digest)


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """The base config with the overlay on top: tables merge key by key, anything else is replaced."""
    merged = dict(base)
    for section, value in overlay.items():
        old = merged.get(section)
        merged[section] = {**old, **value} if isinstance(old, dict) and isinstance(value, dict) else value
    return merged


def read_base(config_file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError(f"{config_file}: cannot read config: {exc}", reason="unreadable") from exc


def build_config(data: Mapping[str, Any], *, source: str) -> Config:
    """The same checks as device.config.parse_config, on data that is already parsed."""
    return check_config(data, source=source)


def default_overlay_path(config_file: Path) -> Path:
    """In the store's directory: the daemon may write there (systemd keeps /etc/pvz read-only)."""
    base = build_config(read_base(config_file), source=str(config_file))
    return resolve_path(config_file, base.store.path).parent / OVERLAY_NAME


def _pair(desired: Desired | None) -> dict[str, Any]:
    if desired is None:
        return {"version": None, "hash": None}
    return {"version": desired.version, "hash": desired.hash}


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file, fsync, rename over `path`, fsync the directory."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DesiredConfig:
    """The overlay file, what it makes of the base config, and applying a new desired document."""

    def __init__(
        self,
        config_file: Path,
        *,
        overlay_path: Path | None = None,
        store: Store | None = None,
        on_applied: Callable[[Config], None] | None = None,
    ) -> None:
        self.config_file = Path(config_file)
        self.path = overlay_path or default_overlay_path(self.config_file)
        self.previous_path = self.path.with_name(self.path.name + ".prev")
        self.store = store
        self.on_applied = on_applied
        self.last_report: dict[str, Any] | None = None

    def _read(self, path: Path) -> Desired | None:
        try:
            doc = json.loads(path.read_bytes())
            return Desired(int(doc["version"]), dict(doc["config"]), str(doc["hash"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.error("%s: unreadable desired config, ignored: %s", path, exc)
            return None

    def current(self) -> Desired | None:
        return self._read(self.path)  # the file is the truth: nothing about it is kept in memory

    def effective(self) -> tuple[Config, Desired | None]:
        """The config to run with: base + overlay, else base + previous overlay, else the base alone."""
        base = read_base(self.config_file)
        for desired in (self.current(), self._read(self.previous_path)):
            if desired is None:
                continue
            try:
                return build_config(merge(base, desired.overlay), source=str(self.path)), desired
            except ConfigError as exc:
                log.error("desired config %s does not fit the base config: %s", desired.version, exc)
        return build_config(base, source=str(self.config_file)), None

    def report(self) -> dict[str, Any]:
        """The last outcome for the status message, or what is in force when nothing arrived yet."""
        if self.last_report is not None:
            return self.last_report
        current = self.current()
        return self._report(current, applied=current is not None, error=None)

    def _report(self, desired: Desired | None, *, applied: bool, error: ConfigError | None) -> dict[str, Any]:
        active = self.current()
        return {
            **_pair(desired),
            "applied": applied,
            "error": None if error is None else str(error),
            "reason": None if error is None else error.reason,
            "path": None if error is None else error.path,
            "active": {**_pair(active), "version": 0 if active is None else active.version},
        }

    def apply(self, payload: bytes) -> dict[str, Any]:
        """Check, merge, validate and write one desired document; the report says what happened."""
        desired: Desired | None = None
        try:
            desired = parse_desired(payload, remote_check=False)  # a refusal still names its version
            check_remote(desired.overlay)
            config = self._apply(desired)
        except ConfigError as exc:
            log.warning("desired config rejected: %s", exc)
            if self.store is not None:
                bump(self.store, REJECTED_COUNTER)
            self.last_report = self._report(desired, applied=False, error=exc)
            return self.last_report
        self.last_report = self._report(desired, applied=True, error=None)
        if config is not None and self.on_applied is not None:
            try:
                self.on_applied(config)
            except Exception:
                # Written and valid: it is in force at the next start even if live use failed.
                log.exception("desired config %s written, but applying it live failed", desired.version)
        return self.last_report

    def _apply(self, desired: Desired) -> Config | None:
        current = self.current()
        if current is not None and desired.version == current.version:
            if desired.hash == current.hash:
                return None  # the retained document again: nothing to do
            raise _refuse(
                "$.version",
                "conflicting_content",
                f"version {desired.version} is already applied with other content",
            )
        if current is not None and desired.version < current.version:
            raise _refuse(
                "$.version",
                "version_not_newer",
                f"version {desired.version} is older than the applied {current.version}",
            )
        config = build_config(merge(read_base(self.config_file), desired.overlay), source="desired config")
        record = {
            **_pair(desired),
            "config": desired.overlay,
            "applied_at": wire_time(datetime.now(UTC)),
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                write_atomically(self.previous_path, self.path.read_bytes())
            write_atomically(self.path, json.dumps(record, ensure_ascii=False, indent=2).encode())
        except OSError as exc:
            raise DesiredConfigError(f"cannot write {self.path}: {exc}", reason="write_failed") from exc
        log.info("desired config version %s applied (hash %s)", desired.version, desired.hash[:12])
        return config


def follow(
    link: MqttLink,
    topics: Topics,
    desired: DesiredConfig,
    on_report: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
) -> None:
    """Apply each desired document on the retained config topic; `on_report` republishes the status."""

    async def on_document(msg: Inbound) -> None:
        if not msg.payload:  # the retained document was deleted: what is applied stays
            log.info("desired config cleared on the broker; version in force stays")
            return
        report = desired.apply(msg.payload)
        if on_report is not None:
            await on_report(report)

    link.subscribe(topics.config, on_document, qos=1)
