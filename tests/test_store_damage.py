"""A damaged store file: refused at start, found by the scheduled check, backed up and restored."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from device.exc import StoreLocked
from device.store.backup import restore
from device.store.db import CLEAN_STOP_KEY, Store
from device.store.health import problems
from tests.support.config import write_config
from tests.support.factory import new_engine, new_store
from tests.support.process import PVZ, ROOT, one_line_error, pvz
from tests.support.stock import stock


def stocked_file(path: Path) -> None:
    """A store with the standard manifest accepted and placed, and enough journal to span pages."""
    store = new_store(path)
    stock(new_engine(store))
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)", [(f"pad-{i}", "x" * 200) for i in range(2000)]
        )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


def corrupt_a_middle_page(path: Path) -> int:
    """Overwrite the middle half of a page of the meta table's b-tree (not page 1), cell pointers
    and rows alike; return its number."""
    conn = sqlite3.connect(path)
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'meta' ORDER BY pageno")]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    page = int(pages[len(pages) // 2])
    assert page > 1
    with path.open("r+b") as f:
        f.seek((page - 1) * size + size // 4)
        f.write(b"\xa5" * (size // 2))
    return page


def test_a_damaged_page_stops_the_daemon_at_start_with_what_to_do(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    path = tmp_path / "pvz.db"
    stocked_file(path)
    corrupt_a_middle_page(path)
    before = path.read_bytes()
    line = one_line_error(pvz("run", "--config", config))
    assert "damaged (quick_check" in line
    assert f"pvz store restore BACKUP --store {path}" in line
    assert path.read_bytes() == before  # no scan, no migration written into it
    assert "the store file is damaged (quick_check" in one_line_error(pvz("store", "check", "--store", path))


def test_the_scheduled_full_check_finds_damage_journals_it_and_reports_it(tmp_path: Path) -> None:
    from device.integrity_watch import IDLE_BEFORE_INTEGRITY_S
    from device.runtime import Runtime
    from drivers.lights.sim_lights import SimCellLights

    path = tmp_path / "pvz.db"
    stocked_file(path)
    store = Store.open(path)
    now = [0.0]
    runtime = Runtime(
        new_engine(store), stations=[], rack=SimCellLights(), clock=lambda: now[0], integrity_every_s=3600
    )
    assert runtime.check_integrity() is None  # a scan just now: not idle
    now[0] = IDLE_BEFORE_INTEGRITY_S
    assert runtime.check_integrity() == []
    assert runtime.status()["store"]["integrity"] == "ok"
    assert runtime.check_integrity() is None  # not due again for an hour
    corrupt_a_middle_page(path)
    now[0] += 3600
    found = runtime.check_integrity()
    assert found
    status = runtime.status()["store"]
    assert status["integrity"] == "damaged"
    assert "pvz store restore" in status["what_to_do"]
    kinds = [r[0] for r in store.conn.execute("SELECT kind FROM journal WHERE kind = 'store_damaged'")]
    assert kinds == ["store_damaged"]
    store.close()


def test_backup_runs_while_the_daemon_holds_the_store_and_restore_waits_for_it(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    stocked_file(path)
    copy = tmp_path / "backup.db"
    with Store.open(path, owner=True) as owner:
        result = pvz("store", "backup", "--store", path, "--to", copy)
        assert result.returncode == 0, result.stderr
        with pytest.raises(StoreLocked):
            restore(copy, path)
        locked = pvz("store", "restore", copy, "--store", path)
        assert "stop the daemon" in one_line_error(locked)
        parcels = owner.scalar("SELECT count(*) FROM parcels")
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT count(*) FROM parcels").fetchone()[0] == parcels
    assert problems(conn, full=True) == []
    conn.close()


def test_the_documented_restore_brings_a_damaged_store_back(tmp_path: Path) -> None:
    """docs/store.md's procedure: backup, (damage), `pvz store restore`, `pvz run` starts again."""
    config = write_config(tmp_path)
    path = tmp_path / "pvz.db"
    stocked_file(path)
    with Store.open(path) as store:
        parcels = store.scalar("SELECT count(*) FROM parcels WHERE state = 'stored'")
    backup = tmp_path / "pvz-backup.db"
    assert pvz("store", "backup", "--config", config, "--to", backup).returncode == 0
    corrupt_a_middle_page(path)
    one_line_error(pvz("run", "--config", config))
    damaged_copy = tmp_path / "damaged.db"
    damaged_copy.write_bytes(path.read_bytes())
    assert "damaged too" in one_line_error(pvz("store", "restore", damaged_copy, "--config", config))
    result = pvz("store", "restore", backup, "--config", config)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pvz.db.replaced-1").exists()  # the damaged file is kept, never deleted
    assert pvz("store", "check", "--full", "--config", config).returncode == 0
    (tmp_path / "codes.txt").write_text("", encoding="utf-8")
    daemon = subprocess.run(
        [*PVZ, "run", "--config", str(config)],
        cwd=ROOT,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert daemon.returncode == 0, daemon.stderr
    with Store.open(path) as store:
        assert store.scalar("SELECT count(*) FROM parcels WHERE state = 'stored'") == parcels


def test_the_config_sets_how_often_the_full_check_runs(tmp_path: Path) -> None:
    from device.config import load_config
    from device.wiring import build_runtime, open_store

    config_file = write_config(tmp_path)
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace('path = "pvz.db"\n', 'path = "pvz.db"\nintegrity_check_hours = 2\n'))
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    try:
        assert build_runtime(config, config_file, store).integrity.every_s == 7200
    finally:
        store.close()


def test_a_clean_stop_lets_the_next_start_skip_the_quick_check_and_a_kill_does_not(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    path = tmp_path / "pvz.db"
    stocked_file(path)

    def marker() -> str | None:
        conn = sqlite3.connect(path)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (CLEAN_STOP_KEY,)).fetchone()
        finally:
            conn.close()
        return None if row is None else str(row[0])

    assert marker() is None  # never run by a daemon: its first start checks the file
    assert pvz("run", "--config", config).returncode == 0  # standard input ends: a clean stop
    assert marker() is not None
    # Killed while running: the marker was taken at start, so the next start checks again.
    proc = subprocess.Popen([*PVZ, "run", "--config", str(config)], cwd=ROOT, stdin=subprocess.PIPE)
    deadline = 30.0
    while marker() is not None and deadline > 0:
        time.sleep(0.05)
        deadline -= 0.05
    proc.kill()
    proc.wait(30)
    assert marker() is None
    corrupt_a_middle_page(path)
    assert "damaged (quick_check" in one_line_error(pvz("run", "--config", config))
