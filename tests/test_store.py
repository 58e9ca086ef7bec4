"""The store itself: migrations from every version, refusals, the single-writer lock, transactions."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import device.store.db
from device.exc import StoreError, StoreLocked, StoreTooNew
from device.store.db import MIGRATIONS, SCHEMA_VERSION, Store
from tests.support.factory import dump, new_store

ROOT = Path(__file__).resolve().parents[1]
CORE_TABLES = {
    "meta",
    "supplies",
    "packages",
    "orders",
    "cells",
    "parcels",
    "clerks",
    "sessions",
    "journal",
    "print_jobs",
    "claims",
}


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {str(r[0]) for r in rows}


def declared_tables() -> set[str]:
    """Every table the shipped migrations create and do not drop again."""
    made: set[str] = set()
    for _, _, sql in MIGRATIONS:
        made |= set(re.findall(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", sql, re.IGNORECASE))
        made -= set(re.findall(r"DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(\w+)", sql, re.IGNORECASE))
        for old, new in re.findall(r"ALTER\s+TABLE\s+(\w+)\s+RENAME\s+TO\s+(\w+)", sql, re.IGNORECASE):
            made = (made - {old}) | {new}
    return made


def user_version(path: Path) -> int:
    """Read the version with a plain sqlite3 connection, not through Store."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


# --- migrations -------------------------------------------------------------------------------


def test_a_new_store_is_migrated_to_the_current_version_with_every_table(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    with Store.open(path) as store:
        assert store.version == SCHEMA_VERSION
        found = tables(store.conn)
        assert declared_tables() <= found
        assert found >= CORE_TABLES
        triggers = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert "parcels_cell_capacity" in triggers
    assert user_version(path) == SCHEMA_VERSION


def test_connection_pragmas_are_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    with Store.open(tmp_path / "pvz.db") as store:
        assert store.scalar("PRAGMA journal_mode") == "wal"
        assert store.scalar("PRAGMA synchronous") == 2  # FULL
        assert store.scalar("PRAGMA foreign_keys") == 1
        # foreign keys are really enforced, not only reported
        with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
            conn.execute("INSERT INTO claims (key, station) VALUES ('order:1', 'no-such-station')")


def test_a_second_open_of_a_migrated_store_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    store = new_store(path)
    before = dump(store)
    store.close()
    with Store.open(path) as again:
        assert again.version == SCHEMA_VERSION
        assert dump(again) == before


def _put_data(store: Store, version: int) -> None:
    """Rows that exist in the schema of `version` (nothing can be stored at version 0)."""
    if version < 1:
        return
    with store.transaction() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('device_id', 'pvz-old-0001')")
        conn.execute(
            "INSERT INTO supplies (id, carrier, status, imported_at) "
            "VALUES ('OLD-S1', 'Old Carrier', 'open', '2025-01-01T00:00:00+00:00')"
        )
        conn.execute(
            "INSERT INTO cells (address, label, size, capacity, channel) VALUES ('Z-01-1', 'C-Z-01-1', 'M', 2, 99)"
        )


@pytest.mark.parametrize("version", range(SCHEMA_VERSION), ids=lambda v: f"from-v{v}")
def test_every_earlier_version_migrates_to_the_current_one_keeping_its_data(
    tmp_path: Path, version: int
) -> None:
    path = tmp_path / "pvz.db"
    with Store.open(path, target=version) as old:
        assert old.version == version
        if version == 0:
            assert tables(old.conn) == set()
        _put_data(old, version)
    assert user_version(path) == version
    with Store.open(path) as store:
        assert store.version == SCHEMA_VERSION
        assert declared_tables() <= tables(store.conn)
        if version >= 1:
            assert store.get_meta("device_id") == "pvz-old-0001"
            row = store.conn.execute("SELECT carrier, status FROM supplies WHERE id = 'OLD-S1'").fetchone()
            assert tuple(row) == ("Old Carrier", "open")
            cell = store.conn.execute(
                "SELECT label, size, capacity, channel FROM cells WHERE address = 'Z-01-1'"
            ).fetchone()
            assert tuple(cell) == ("C-Z-01-1", "M", 2, 99)


def test_the_migration_list_is_numbered_without_gaps() -> None:
    assert [v for v, _, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert SCHEMA_VERSION >= 1
    for version, name, _ in MIGRATIONS:
        assert name.startswith(f"{version:04d}_") and name.endswith(".sql")


# --- refusals ---------------------------------------------------------------------------------


def test_a_store_from_a_newer_pvz_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    new_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    before = path.read_bytes()
    assert user_version(path) == SCHEMA_VERSION + 1

    with pytest.raises(StoreTooNew, match="upgrade pvz") as info:
        Store.open(path)
    assert str(SCHEMA_VERSION + 1) in str(info.value)
    del info

    assert path.read_bytes() == before
    assert user_version(path) == SCHEMA_VERSION + 1


@pytest.mark.parametrize(
    "broken",
    [
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);",
        "CREATE TABLE half_done (x INTEGER);\nINSERT INTO half_done VALUES (1);\nTHIS IS NOT SQL;",
    ],
    ids=["runtime-error", "syntax-error"],
)
def test_a_failing_migration_rolls_back_whole_and_names_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    path = tmp_path / "pvz.db"
    store = new_store(path)
    before = dump(store)
    store.close()

    name = f"{SCHEMA_VERSION + 1:04d}_broken.sql"
    monkeypatch.setattr(device.store.db, "MIGRATIONS", [*MIGRATIONS, (SCHEMA_VERSION + 1, name, broken)])
    monkeypatch.setattr(device.store.db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match=re.escape(name)):
        Store.open(path)
    monkeypatch.undo()

    assert user_version(path) == SCHEMA_VERSION
    with Store.open(path) as again:
        assert again.version == SCHEMA_VERSION
        assert "half_done" not in tables(again.conn)
        assert dump(again) == before
        assert not again.conn.in_transaction


def test_a_failing_migration_keeps_the_steps_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "pvz.db"
    name = f"{SCHEMA_VERSION + 1:04d}_broken.sql"
    broken = "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(device.store.db, "MIGRATIONS", [*MIGRATIONS, (SCHEMA_VERSION + 1, name, broken)])
    monkeypatch.setattr(device.store.db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StoreError, match=re.escape(name)):
        Store.open(path)
    monkeypatch.undo()
    assert user_version(path) == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    try:
        assert "half_done" not in tables(conn)
        assert declared_tables() <= tables(conn)
    finally:
        conn.close()


def _not_a_database(path: Path) -> bytes:
    # Deterministic noise that cannot start with the SQLite header.
    noise = bytes((i * 131 + 17) % 251 for i in range(8192))
    data = b"NOT A DB" + noise
    path.write_bytes(data)
    return data


def test_a_file_that_is_not_a_database_is_refused_with_store_error(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    data = _not_a_database(path)
    with pytest.raises(StoreError, match="not a usable pvz database"):
        Store.open(path)
    assert path.read_bytes() == data


# --- single writer ----------------------------------------------------------------------------

OWNER_SCRIPT = """
import sys
from device.store.db import Store
store = Store.open(sys.argv[1], owner=True)
print("opened", store.version, flush=True)
store.close()
"""


def run_owner(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", OWNER_SCRIPT, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_second_owner_in_the_same_process_is_refused_naming_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    first = Store.open(path, owner=True)
    try:
        with pytest.raises(StoreLocked, match=rf"in use by pvz process {os.getpid()}\b"):
            Store.open(path, owner=True)
        # readers without the lock are still allowed (the CLI's status commands)
        with Store.open(path) as reader:
            assert reader.version == SCHEMA_VERSION
    finally:
        first.close()
    again = Store.open(path, owner=True)
    again.close()


def test_a_second_owner_process_exits_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    holder = Store.open(path, owner=True)
    try:
        refused = run_owner(path)
    finally:
        holder.close()
    assert refused.returncode != 0
    assert "opened" not in refused.stdout
    assert "StoreLocked" in refused.stderr
    assert f"in use by pvz process {os.getpid()}" in refused.stderr
    assert "only one daemon may own a store" in refused.stderr

    taken = run_owner(path)
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout.strip() == f"opened {SCHEMA_VERSION}"


# --- transactions -----------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_an_exception_inside_a_transaction_rolls_back_every_write(tmp_path: Path) -> None:
    with new_store(tmp_path / "pvz.db") as store:
        before = dump(store)
        with pytest.raises(Boom), store.transaction() as conn:
            store.set_meta("device_id", "changed")
            conn.execute(
                "INSERT INTO supplies (id, carrier, status, imported_at) VALUES ('S9', 'X', 'open', 't')"
            )
            conn.execute("UPDATE cells SET capacity = capacity + 5")
            conn.execute("DELETE FROM cells WHERE address = 'A-01-1'")
            assert store.scalar("SELECT count(*) FROM supplies") == 1  # visible inside
            raise Boom
        assert not store.conn.in_transaction
        assert dump(store) == before
        assert store.get_meta("device_id") == "pvz-test-0001"
        # the store is usable afterwards
        with store.transaction():
            store.set_meta("after", "yes")
        assert store.get_meta("after") == "yes"


def test_a_nested_transaction_is_refused(tmp_path: Path) -> None:
    with new_store(tmp_path / "pvz.db") as store:
        with store.transaction():
            store.set_meta("outer", "1")
            with pytest.raises(StoreError, match="nested transaction"), store.transaction():
                store.set_meta("inner", "1")
        assert store.get_meta("outer") == "1"
        assert store.get_meta("inner") is None
        # a refused nested transaction that escapes rolls the outer one back
        with pytest.raises(StoreError), store.transaction():
            store.set_meta("outer2", "1")
            with store.transaction():
                pass
        assert store.get_meta("outer2") is None
        assert not store.conn.in_transaction


def test_a_committed_transaction_is_seen_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    with new_store(path) as store:
        with store.transaction():
            store.set_meta("k", "v")
        other = sqlite3.connect(path)
        try:
            assert other.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0] == "v"
        finally:
            other.close()


def test_migration_2_counts_the_parcels_already_in_each_cell(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    with Store.open(path, target=1) as store, store.transaction() as conn:
        conn.execute(
            "INSERT INTO cells (address, label, size, capacity, channel) VALUES ('A-1', 'C-A-1', 'M', 3, 0)"
        )
        conn.execute("INSERT INTO supplies (id, carrier, status, imported_at) VALUES ('S', 'c', 'open', 't')")
        for i in range(2):
            conn.execute(
                "INSERT INTO parcels (barcode, supply_id, state, cell_id, updated_at) VALUES (?, 'S', 'stored', 1, 't')",
                (f"P{i}",),
            )
    with Store.open(path) as store:
        assert store.version >= 2
        assert store.scalar("SELECT occupied FROM cells WHERE address = 'A-1'") == 2
        with store.transaction() as conn:
            conn.execute("UPDATE parcels SET cell_id = NULL, state = 'issued' WHERE barcode = 'P0'")
        assert store.scalar("SELECT occupied FROM cells WHERE address = 'A-1'") == 1
