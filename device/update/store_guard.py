"""The device's store kept safe across an update and its rollback.

A new version may migrate the store (device/store/migrations) in its postinst or at its start,
and the previous version refuses a store newer than it knows: its own postinst fails, so a
rollback to it would fail too, and the device would be stuck on the version that just failed.
So just before dpkg runs, the store gets an online backup (SQLite's backup API, safe while the
daemon writes). On a rollback, if the store's schema went past the backup's, the daemon is
stopped, the newer store is moved aside into the keep directory (never deleted) and the backup
put in its place, before the previous package is installed again. What the newer store holds and
the backup lacks (the events recorded since the backup) is counted and named in the outcome.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from device.exc import StoreError
from device.store.backup import backup
from device.update.release import UpdateRefused

log = logging.getLogger("pvz.update.store")

LOCK_WAIT_S = 60.0  # how long the stopped daemon may take to let go of the store
_SIDES = ("-wal", "-shm")  # SQLite's files beside the store, moved with it


@dataclass(frozen=True, slots=True)
class Snapshot:
    file: Path
    schema: int


@dataclass(frozen=True, slots=True)
class SetAside:
    file: str  # its name in the keep directory
    events: int  # journal events in it that the store put back lacks


def stop_daemon() -> None:
    """The running pvz.service let go of the store (the installer is root, under systemd)."""
    subprocess.run(["systemctl", "stop", "pvz.service"], check=False, capture_output=True, timeout=120)


class StoreGuard:
    """The backup before the install, and its return on a rollback past a migration. `stop` stops
    the daemon that holds the store (systemd in production; nothing where none runs)."""

    def __init__(
        self,
        *,
        store: Path,
        keep_dir: Path,
        stop: Callable[[], None] = lambda: None,
        lock_wait_s: float = LOCK_WAIT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.keep, self._stop = store, keep_dir, stop
        self._lock_wait_s, self._clock = lock_wait_s, clock

    def snapshot(self, version: str) -> Snapshot | None:
        """An online backup of the store as `version` left it; None when there is no store yet.
        Raises UpdateRefused (backup_failed): an update that could not be undone is not started."""
        if not self.store.is_file():
            return None
        target = self.keep / f"store-before-{version}.db"
        try:
            self.keep.mkdir(parents=True, exist_ok=True)
            if target.is_file():
                target.unlink()  # left by an installer that was stopped halfway
            backup(self.store, target)
        except (OSError, StoreError) as exc:
            raise UpdateRefused(
                "backup_failed", f"no backup of {self.store} before the install: {exc}"
            ) from None
        return Snapshot(target, _schema(target))

    def discard(self, snapshot: Snapshot | None) -> None:
        """The backup is not needed any more (the install kept, or a rollback that kept the store)."""
        if snapshot is not None:
            snapshot.file.unlink(missing_ok=True)

    def restore_if_newer(self, snapshot: Snapshot | None, new_version: str) -> SetAside | None:
        """Before the previous package goes back: the backup in place of a store the new version
        migrated; None when the store's schema is still the backup's (the previous version opens
        it, with everything recorded since). Raises StoreError when it cannot be done safely."""
        if snapshot is None or not self.store.is_file() or _schema(self.store) <= snapshot.schema:
            return None
        self._stop()
        with self._locked():
            stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock()))
            aside = self.keep / f"store-{new_version}-{stamp}.db"
            owner = self.store.stat()
            for side in ("", *_SIDES):
                if Path(f"{self.store}{side}").exists():
                    shutil.move(f"{self.store}{side}", f"{aside}{side}")
            incoming = self.store.with_name(self.store.name + ".restoring")
            shutil.copyfile(snapshot.file, incoming)
            os.chown(incoming, owner.st_uid, owner.st_gid)
            incoming.chmod(owner.st_mode & 0o777)
            with incoming.open("rb+") as f:
                os.fsync(f.fileno())
            incoming.replace(self.store)
            events = _events_missing(aside, snapshot.file)
        log.warning(
            "the store went back to its backup from before %s; the newer store is kept as %s, "
            "with %d events the backup lacks",
            new_version,
            aside,
            events,
        )
        self.discard(snapshot)
        return SetAside(aside.name, events)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """The daemon's own single-writer lock (device/store/db.py), so no daemon writes meanwhile."""
        fd = os.open(self.store.with_name(self.store.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            deadline = time.monotonic() + self._lock_wait_s
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.store} is still in use after the daemon was stopped"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            os.close(fd)


def _schema(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _events_missing(newer: Path, older: Path) -> int:
    """Journal events in `newer` whose id `older` does not hold."""
    conn = sqlite3.connect(newer.resolve().as_uri(), uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS older", (f"{older.resolve().as_uri()}?mode=ro",))
        row = conn.execute(
            "SELECT count(*) FROM main.journal WHERE event_id NOT IN (SELECT event_id FROM older.journal)"
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()
