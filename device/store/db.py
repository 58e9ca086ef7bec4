"""The SQLite store: connection pragmas, numbered migrations, transactions, the single-writer lock."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from device import crash_points
from device.exc import StoreError, StoreLocked, StoreTooNew
from device.store import health


def _load_migrations() -> list[tuple[int, str, str]]:
    """Numbered SQL scripts shipped in device/migrations: (version, name, sql)."""
    found = []
    for entry in resources.files("device.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations are not numbered 1..N without gaps: {versions}")
    return found


MIGRATIONS = _load_migrations()
WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes a reset WAL is truncated back to
SCHEMA_VERSION = len(MIGRATIONS)
# Set by a daemon that stopped cleanly, removed by the next one as it starts.
CLEAN_STOP_KEY = "stopped_cleanly_at"


class Store:
    """One SQLite file: WAL, synchronous=FULL, foreign keys on, explicit transactions.

    The connection runs in autocommit mode so that every write happens inside a
    `transaction()` that we open ourselves with BEGIN IMMEDIATE: a scan's decision and
    its writes then see one consistent store, and a killed process leaves the file
    either before or after the scan.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None, lock_fd: int | None) -> None:
        self.conn = conn
        self.path = path
        self._lock_fd = lock_fd
        self.checkpoints_off = False

    @classmethod
    def open(
        cls, path: Path | str, *, owner: bool = False, migrate: bool = True, target: int | None = None
    ) -> Store:
        """Open (and create) the store at `path`.

        `owner=True` takes the single-writer lock that a daemon holds; a second daemon on
        the same store fails with StoreLocked. `target` migrates only up to that version
        (tests use it to build every earlier version).
        """
        path = Path(path)
        try:
            return cls._open(path, owner=owner, migrate=migrate, target=target)
        except (sqlite3.OperationalError, OSError) as exc:
            if not _read_only(exc):
                raise
            raise cannot_write(path, exc) from exc

    @classmethod
    def _open(cls, path: Path, *, owner: bool, migrate: bool, target: int | None) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Only a missing file becomes a new store: an empty or foreign file is somebody's lost
        # data (a truncated copy, a wrong --store), and a fresh schema over it would hide that.
        existing = path.exists()
        if existing:
            check_file(path)
        lock_fd = _take_lock(path) if owner else None
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
            conn.row_factory = sqlite3.Row
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            except sqlite3.OperationalError:
                raise  # read-only or cannot open: cannot_write() says so
            except sqlite3.DatabaseError as exc:
                # Corrupt state stops the start loudly; it never becomes an empty store.
                raise StoreError(f"{path}: not a usable pvz database ({exc})") from exc
            if mode != "wal":
                raise StoreError(f"{path}: cannot switch to WAL (journal_mode is {mode})")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            store = cls(conn, path, lock_fd)
            store.check_integrity_header()
            if existing:
                store.check_ours()
            if owner and existing:
                store.check_after_last_stop()
            if migrate:
                store.migrate(target=target)
        except BaseException:
            if conn is not None:
                conn.close()
            if lock_fd is not None:
                os.close(lock_fd)
            raise
        return store

    @property
    def db(self) -> Any:
        """sqlite_utils over the same connection, imported only when asked for: it pulls in click,
        yaml and (where installed) numpy, a second of the daemon's start for nothing it uses."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    def defer_checkpoints(self) -> None:
        """The daemon's connection: no checkpoint inside a scan's commit (wal_autocheckpoint=0);
        its runtime checkpoints from a second connection when idle (device/store/checkpoint.py).
        journal_size_limit truncates a WAL that a long sweep grew, once it is reset."""
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self.conn.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
        self.checkpoints_off = True

    def check_after_last_stop(self) -> None:
        """The quick check of the whole file before the daemon serves, unless the last daemon on
        this store stopped cleanly: then the file is as that daemon left it, and the check (about
        5 s at a million parcels, more on an SD card) would only delay READY. After a crash, a
        power cut or a store copied in, it runs. The full check still runs on its schedule."""
        if self.get_meta(CLEAN_STOP_KEY) is None:
            self.quick_check()
            return
        with self.transaction() as conn:
            conn.execute("DELETE FROM meta WHERE key = ?", (CLEAN_STOP_KEY,))

    def close_cleanly(self, at: str) -> None:
        """The daemon's last act on its store: the next start may skip the quick check."""
        with self.transaction():
            self.set_meta(CLEAN_STOP_KEY, at)
        self.close()

    def close(self) -> None:
        self.conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def check_integrity_header(self) -> None:
        """Fail loudly on a file that is not a database, instead of starting empty."""
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable pvz database ({exc})") from exc

    def check_ours(self) -> None:
        """Refuse a SQLite file some other program wrote: migrating it would bury its data."""
        tables = {str(r[0]) for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if self.version == 0 and not tables:
            return  # a store created and never migrated (tests build every version from here)
        if self.version == 0 or "meta" not in tables:
            raise StoreError(
                f"{self.path}: a SQLite database, but not a pvz store; check [store] path or --store "
                f"(pvz never writes into another program's database)"
            )

    def quick_check(self) -> None:
        """The daemon's start check: every page of every table readable and well formed.

        Unlike reading the schema, it walks the whole file, so a damaged page in the middle
        stops the start instead of the daemon taking scans into it (docs/store.md: timings).
        """
        found = health.problems(self.conn, full=False)
        if found:
            raise health.damaged(self.path, found, check="quick_check")

    def migrate(self, *, target: int | None = None) -> int:
        """Apply pending migrations, each in its own transaction; return the new version."""
        current = self.version
        if current > SCHEMA_VERSION:
            raise StoreTooNew(
                f"{self.path}: database schema version {current} is newer than this pvz "
                f"understands ({SCHEMA_VERSION}); upgrade pvz, do not downgrade the store"
            )
        goal = SCHEMA_VERSION if target is None else min(target, SCHEMA_VERSION)
        # Foreign keys are off while a migration rebuilds a table (the only way SQLite can
        # change a constraint) and checked as a whole before the step commits.
        self.conn.execute("PRAGMA foreign_keys=OFF")
        try:
            for version, name, sql in MIGRATIONS:
                if current < version <= goal:
                    self._apply(version, name, sql)
                    current = version
        finally:
            self.conn.execute("PRAGMA foreign_keys=ON")
        return current

    def _apply(self, version: int, name: str, sql: str) -> None:
        """One migration, all or nothing: executescript runs it inside our BEGIN."""
        try:
            self.conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};")
            crash_points.reached("migration")
            broken = self.conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError(f"migration {name} failed: {len(broken)} rows break foreign keys")
        except (sqlite3.Error, StoreError) as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"migration {name} failed: {exc}") from exc
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        if self.conn.in_transaction:
            raise StoreError("nested transaction")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]


def _read_only(exc: BaseException) -> bool:
    """Whether an error means the file, its folder or the disk may not be written."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM"))


def cannot_write(path: Path, exc: BaseException) -> StoreError:
    """One line for a store pvz may not write: a read-only file, folder or disk."""
    reason = getattr(exc, "sqlite_errorname", None) or getattr(exc, "strerror", None) or type(exc).__name__
    return StoreError(
        f"{path}: cannot open the store for writing ({reason}); the daemon writes the file, its -wal "
        f"and .lock beside it: check that the disk is mounted read-write (mount | grep {path.parent}) "
        f"and that the pvz user owns {path.parent} and the files in it"
    )


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """An existing store file must at least start like a SQLite database."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a store file; check [store] path or --store")
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if not head:
        raise StoreError(
            f"{path}: the store file is empty (0 bytes), its parcels are lost; restore a backup "
            f"with `pvz store restore BACKUP --store {path}`, or move the file away to start a new store"
        )
    if head != SQLITE_MAGIC:
        raise StoreError(
            f"{path}: not a usable pvz database (not a SQLite file); check [store] path or --store, "
            f"or restore a backup with `pvz store restore BACKUP --store {path}`"
        )


def _take_lock(path: Path) -> int:
    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise StoreLocked(
            f"{path} is in use by pvz process {holder}; only one daemon may own a store"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd
