"""A diagnostics bundle (zip): status, redacted config, recent log lines, store counts, schema version."""

from __future__ import annotations

import base64
import collections
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from device import __version__
from device.config_schema import Config
from device.store.db import SCHEMA_VERSION, Store
from device.store.summary import summary
from sync.status import wire_time

INLINE_LIMIT = 256 * 1024  # smaller bundles also travel in the reply, base64-encoded
KEEP_BUNDLES = 5  # older bundles in the store's diagnostics/ directory are deleted
RECENT_LINES = 500
REDACTED = "<redacted>"
_SECRET_WORDS = ("secret", "password", "token", "passphrase")


class RecentLog(logging.Handler):
    """Keeps the last RECENT_LINES formatted log lines in memory for a diagnostics bundle."""

    def __init__(self, lines: int = RECENT_LINES) -> None:
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=lines)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - logging's own contract: report, never raise
            self.handleError(record)


def is_secret(name: str) -> bool:
    """Keys whose values never leave the device: the site key, clerks' badges, anything like a password."""
    low = name.lower()
    return low == "key" or low.endswith("_key") or low == "badge" or any(w in low for w in _SECRET_WORDS)


def redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: REDACTED if is_secret(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def redacted_config(config: Config) -> dict[str, Any]:
    return dict(redact(msgspec.to_builtins(config)))


def store_counts(store: Store) -> dict[str, Any]:
    tables = [
        str(r[0])
        for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    rows = {t: int(store.scalar(f'SELECT count(*) FROM "{t}"')) for t in tables}
    return {
        "schema_version": store.version,
        "code_schema_version": SCHEMA_VERSION,
        "rows": rows,
        "summary": summary(store),
    }


def collect(
    *,
    store: Store,
    config: Config,
    status: Mapping[str, Any],
    log_lines: list[str] | None,
    now: datetime,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, bytes]:
    """The bundle's files. Runs on the loop thread: it reads the store."""

    def js(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode()

    meta = {
        "device": config.device.id,
        "site": config.device.site,
        "software_version": __version__,
        "schema_version": store.version,
        "code_schema_version": SCHEMA_VERSION,
        "created_at": wire_time(now),
    }
    files = {
        "meta.json": js(meta),
        "status.json": js(status),
        "config.json": js(redacted_config(config)),
        "store.json": js(store_counts(store)),
        "log.txt": ("\n".join(log_lines) + "\n").encode() if log_lines else b"(no recent log lines kept)\n",
    }
    for name, value in (extra or {}).items():
        files[name] = js(redact(value))
    return files


def write_bundle(directory: Path, stem: str, files: Mapping[str, bytes]) -> dict[str, Any]:
    """Write the zip, prune old ones; {"path", "size", "sha256"} plus "base64" when it is small."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{stem}/{name}", data)
    data = buffer.getvalue()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.zip"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    for old in sorted(directory.glob("pvz-diag-*.zip"))[:-KEEP_BUNDLES]:
        old.unlink(missing_ok=True)
    result: dict[str, Any] = {
        "path": str(path),
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "files": sorted(files),
    }
    if len(data) < INLINE_LIMIT:
        result["base64"] = base64.b64encode(data).decode("ascii")
    return result
