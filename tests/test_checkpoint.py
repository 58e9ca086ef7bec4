"""WAL checkpoints off the scan path: none inside the daemon's commits, a passive one from a
second connection when idle, and a store that other tools still read and back up meanwhile."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from device.store.backup import backup
from device.store.checkpoint import Checkpointer
from device.store.db import Store


def _write(store: Store, rows: int) -> None:
    """`rows` meta rows of ~200 bytes, changed each time (an unchanged row writes no page)."""
    _write.n += 1  # type: ignore[attr-defined]
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [(f"k{i}", f"{_write.n:08d}" * 25) for i in range(rows)],  # type: ignore[attr-defined]
        )


_write.n = 0  # type: ignore[attr-defined]


def test_the_daemons_commits_never_checkpoint_and_the_idle_checkpoint_copies_everything(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path / "pvz.db", owner=True)
    store.defer_checkpoints()
    wal = tmp_path / "pvz.db-wal"
    sizes = []
    for _ in range(80):  # ~5 MB of frames: past the 1000 pages where SQLite would checkpoint
        _write(store, 300)
        sizes.append(wal.stat().st_size)
    assert sizes == sorted(sizes) and sizes[-1] > 1000 * 4096  # only ever appended
    cp = Checkpointer(store.path)
    assert cp.due(idle_s=0.0) is False  # scans are coming: not now
    assert cp.due(idle_s=5.0) is True
    busy, frames, done = cp.run()
    assert busy == 0 and frames == done > 0
    assert cp.due(idle_s=5.0) is False  # nothing written since
    # the next commit starts the WAL over instead of growing it
    _write(store, 10)
    assert wal.stat().st_size == sizes[-1]
    # another connection (pvz store backup) still reads everything, from the file and the WAL
    backup(tmp_path / "pvz.db", tmp_path / "copy.db")
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT count(*) FROM meta WHERE key LIKE 'k%'").fetchone()[0] == 300
    copy.close()
    cp.close()
    store.close()


def test_a_wal_past_its_limit_is_checkpointed_even_while_scans_keep_coming(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "pvz.db", owner=True)
    store.defer_checkpoints()
    cp = Checkpointer(store.path, wal_limit=1024 * 1024)
    _write(store, 100)
    assert cp.due(idle_s=0.0) is False
    for _ in range(20):
        _write(store, 300)
    assert cp.due(idle_s=0.0) is True
    store.close()
