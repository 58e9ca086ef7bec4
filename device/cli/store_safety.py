"""`pvz store check|backup|restore|migrate`: is the file sound, an online copy, putting one back, upgrading it."""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from device.cli.common import store_path
from device.exc import PvzError


def run(args: argparse.Namespace) -> int:
    path = store_path(args)
    if args.action == "check":
        return _check(path, full=args.full)
    if args.action == "backup":
        return _backup(path, Path(args.to) if args.to else None)
    if args.action == "migrate":
        return _migrate(path)
    if not args.file:
        raise PvzError("store restore: give the backup file, e.g. `pvz store restore /var/backups/pvz.db`")
    return _restore(Path(args.file), path)


def _check(path: Path, *, full: bool) -> int:
    from device.store import health
    from device.store.db import check_file

    if not path.exists():
        raise PvzError(f"{path}: no store there; check --store or --config")
    check_file(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    started = time.perf_counter()
    try:
        found = health.problems(conn, full=full)
    finally:
        conn.close()
    check = "integrity_check" if full else "quick_check"
    print(
        json.dumps(
            {
                "check": check,
                "ok": not found,
                "problems": found,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )
    if found:
        raise health.damaged(path, found, check=check)
    return 0


def _backup(path: Path, target: Path | None) -> int:
    from device.store.backup import backup

    if target is None:
        target = path.with_name(f"{path.name}.backup-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
    started = time.perf_counter()
    size = backup(path, target)
    print(
        json.dumps({"backup": str(target), "bytes": size, "seconds": round(time.perf_counter() - started, 2)})
    )
    return 0


def _restore(backup_file: Path, path: Path) -> int:
    from device.store.backup import restore

    kept = restore(backup_file, path)
    print(
        json.dumps(
            {
                "restored": str(path),
                "from": str(backup_file),
                "old_file_kept_as": None if kept is None else str(kept),
            }
        )
    )
    return 0


def _migrate(path: Path) -> int:
    """Bring an existing store to this pvz's schema, as the daemon would on start, and say so.

    The package's upgrade runs it with the new release, first on a copy and then on the store,
    before the new release becomes current (docs/install.md). It never makes a store: a missing
    file is a wrong path, not a fresh start. Owning the store's lock means a running daemon makes
    it fail (StoreLocked) instead of two processes migrating one file.
    """
    from device.store.db import SCHEMA_VERSION, Store

    if not path.is_file():
        raise PvzError(f"{path}: no store there; check --store or --config")
    with Store.open(path, owner=True, migrate=False) as store:
        before = store.version
        after = store.migrate()
    print(
        json.dumps(
            {"migrated": str(path), "from": before, "to": after, "code_schema_version": SCHEMA_VERSION}
        )
    )
    return 0
