"""Online backup of a store (SQLite's backup API, safe while the daemon writes) and its restore."""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

from device.exc import StoreError, StoreLocked
from device.store import health

PAGES_PER_STEP = 1024  # copy in steps so the daemon's writes go on between them


def backup(source: Path, target: Path) -> int:
    """Copy the store at `source` into a new file `target`, checked; return its size in bytes.

    The backup API reads a consistent snapshot even while the daemon writes (it restarts a
    step the daemon changed under it), so no lock is taken and no scan waits.
    """
    if not source.is_file():
        raise StoreError(f"{source}: no store there; check --store or --config")
    if target.exists():
        raise StoreError(f"{target}: exists already; give a new file with --to")
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            found = health.problems(dst, full=False)
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup of {source} failed: {exc}") from exc
    finally:
        src.close()
    if found:
        partial.unlink(missing_ok=True)
        raise health.damaged(source, found, check="quick_check of the backup")
    partial.replace(target)
    return target.stat().st_size


def restore(backup_file: Path, store: Path) -> Path | None:
    """Put `backup_file` in place of the store at `store`; return where the old file was kept.

    Refused while a daemon owns the store, and for a backup that is not a sound pvz store.
    The old file (with its -wal) is kept beside it as STORE.replaced-N, never deleted.
    """
    _check_backup(backup_file)
    lock_path = store.with_name(store.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise StoreLocked(
                f"{store} is in use by pvz process {holder}; stop the daemon (systemctl stop pvz) "
                f"before restoring"
            ) from None
        kept = _move_aside(store)
        incoming = store.with_name(store.name + ".restoring")
        with backup_file.open("rb") as src, incoming.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        incoming.replace(store)
        _fsync_dir(store.parent)
    finally:
        os.close(fd)
    return kept


def _check_backup(backup_file: Path) -> None:
    if not backup_file.is_file():
        raise StoreError(f"{backup_file}: no such backup file")
    conn = sqlite3.connect(f"{backup_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        found = health.problems(conn, full=True)
        tables = {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{backup_file}: not a usable pvz database ({exc}); pick another backup") from exc
    finally:
        conn.close()
    if found:
        raise StoreError(f"{backup_file}: the backup is damaged too ({found[0]}); pick another backup")
    if "meta" not in tables or "parcels" not in tables:
        raise StoreError(f"{backup_file}: not a pvz store backup; pick another backup")


def _move_aside(store: Path) -> Path | None:
    if not store.exists():
        return None
    n = 1
    while store.with_name(f"{store.name}.replaced-{n}").exists():
        n += 1
    kept = store.with_name(f"{store.name}.replaced-{n}")
    store.replace(kept)
    for suffix in ("-wal", "-shm"):
        side = store.with_name(store.name + suffix)
        if side.exists():
            side.replace(kept.with_name(kept.name + suffix))
    return kept


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
