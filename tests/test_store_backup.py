"""`pvz store check|backup|restore` in-process: the documented procedure, and what each refuses."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from pathlib import Path

import pytest

from device.cli.main import main
from device.exc import StoreError, StoreLocked
from device.store.backup import backup, restore
from tests.test_store_damage import corrupt_a_middle_page, stocked_file


def rows(path: Path) -> int:
    """Rows of the store's meta table: the padding stocked_file writes makes them thousands."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM meta").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    """A closed store, stocked, with enough rows to span pages (as test_store_damage builds it)."""
    stocked_file(tmp_path / "pvz.db")
    return tmp_path / "pvz.db"


def test_check_backup_and_restore_through_the_command(
    stored: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    count = rows(stored)
    assert count > 2000
    assert main(["store", "check", "--store", str(stored)]) == 0
    quick = json.loads(capsys.readouterr().out)
    assert (quick["check"], quick["ok"], quick["problems"]) == ("quick_check", True, [])
    assert main(["store", "check", "--full", "--store", str(stored)]) == 0
    assert json.loads(capsys.readouterr().out)["check"] == "integrity_check"

    copy = tmp_path / "backup.db"
    assert main(["store", "backup", "--store", str(stored), "--to", str(copy)]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["backup"] == str(copy) and made["bytes"] == copy.stat().st_size
    assert rows(copy) == count

    corrupt_a_middle_page(stored)
    assert main(["store", "check", "--full", "--store", str(stored)]) == 2
    assert "damaged" in capsys.readouterr().err
    assert main(["store", "restore", str(copy), "--store", str(stored)]) == 0
    done = json.loads(capsys.readouterr().out)
    kept = Path(done["old_file_kept_as"])
    assert kept.exists() and kept.name.startswith("pvz.db.replaced-")
    assert rows(stored) == count
    assert main(["store", "check", "--full", "--store", str(stored)]) == 0


def test_a_backup_without_a_name_lands_beside_the_store(
    stored: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "backup", "--store", str(stored)]) == 0
    target = Path(json.loads(capsys.readouterr().out)["backup"])
    assert target.parent == stored.parent and target.name.startswith("pvz.db.backup-")
    assert rows(target) == rows(stored)


def test_restore_refuses_a_damaged_or_foreign_backup_and_leaves_the_store(
    stored: Path, tmp_path: Path
) -> None:
    before = stored.read_bytes()
    bad = tmp_path / "bad.db"
    backup(stored, bad)
    corrupt_a_middle_page(bad)
    with pytest.raises(StoreError, match="the backup is damaged"):
        restore(bad, stored)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    assert main(["store", "restore", str(foreign), "--store", str(stored)]) == 2
    assert main(["store", "restore", "--store", str(stored)]) == 2  # no backup named
    assert stored.read_bytes() == before


def test_restore_waits_for_the_daemon_to_stop(stored: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup.db"
    backup(stored, copy)
    lock = os.open(stored.with_name("pvz.db.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        os.pwrite(lock, b"4242", 0)
        with pytest.raises(StoreLocked, match="4242"):
            restore(copy, stored)
    finally:
        os.close(lock)
    assert restore(copy, stored) is not None


def test_check_of_a_missing_store_names_what_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["store", "check", "--store", str(tmp_path / "none.db")]) == 2
    assert "no store there" in capsys.readouterr().err
