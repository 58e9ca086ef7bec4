"""What `pvz` does with a store file that is not a healthy pvz store: empty, foreign, read-only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from device.exc import StoreError
from device.store.db import SCHEMA_VERSION, Store
from tests.support.config import write_config
from tests.support.process import one_line_error, pvz


def test_a_missing_store_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    result = pvz("store", "info", "--store", path)
    assert result.returncode == 0, result.stderr
    with Store.open(path) as store:
        assert store.version == SCHEMA_VERSION


@pytest.mark.parametrize("command", ["info", "run"])
def test_an_empty_store_file_is_refused_and_stays_empty(tmp_path: Path, command: str) -> None:
    config = write_config(tmp_path)
    path = tmp_path / "pvz.db"
    path.write_bytes(b"")
    args = ("run", "--config", config) if command == "run" else ("store", "info", "--store", path)
    line = one_line_error(pvz(*args))
    assert "empty (0 bytes)" in line
    assert "pvz store restore" in line  # what to do next
    assert path.stat().st_size == 0  # not turned into a new, empty store


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    path.write_bytes(b"order,parcel\n1,2\n" * 100)
    before = path.read_bytes()
    line = one_line_error(pvz("store", "info", "--store", path))
    assert "not a SQLite file" in line
    assert path.read_bytes() == before


def test_another_programs_database_is_refused_and_gets_no_pvz_tables(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    line = one_line_error(pvz("store", "info", "--store", path))
    assert "not a pvz store" in line
    conn = sqlite3.connect(path)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert names == {"contacts"}


def test_a_database_with_a_version_but_no_pvz_tables_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (a)")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a pvz store"):
        Store.open(path)


def test_a_store_left_at_version_zero_by_pvz_itself_still_migrates(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    Store.open(path, target=0).close()
    with Store.open(path) as store:
        assert store.version == SCHEMA_VERSION


# Tests run as root, which ignores permission bits: the process runs as nobody instead
# (setpriv, util-linux), the way the daemon runs as its own user on a device.
NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder nobody may read but not write (tmp_path's parents are root-only)."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run pvz as another user")
    directory = Path(tempfile.mkdtemp(prefix="pvz-ro-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


@pytest.mark.parametrize("case", ["read-only file", "read-only folder, no file"])
def test_a_store_pvz_may_not_write_gets_one_line_saying_what_to_check(shared_dir: Path, case: str) -> None:
    path = shared_dir / "pvz.db"
    if case == "read-only file":
        new_store_file = pvz("store", "info", "--store", path)
        assert new_store_file.returncode == 0, new_store_file.stderr
        path.chmod(0o444)
    config = write_config(shared_dir)
    config.chmod(0o644)
    for args in (("store", "info", "--store", path), ("run", "--config", config)):
        line = one_line_error(pvz(*args, prefix=NOBODY))
        assert "cannot open the store for writing" in line
        assert "read-write" in line  # what to check
