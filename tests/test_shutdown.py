"""The daemon and `pvz hw scan` as real processes: a stop signal ends them at once, with exit 0.

Standard input is a pipe held open, as under systemd or a terminal where nothing was typed:
the stdin scanner's reader is blocked on it when the signal comes.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.broker import Broker
from tests.support.config import ROOT, write_config

STARTED_S = 20.0  # how long a process may take to start on a busy test machine
STOPPED_S = 10.0  # how long we wait for it to exit before calling it hung
QUICK_STOP_S = 1.0  # the bound on a stop when the broker never answered
CLERKS = {"BADGE-7001": "Анна С.", "BADGE-7002": "Олег П."}


def start(args: list[str], config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", *args, "--config", str(config)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_line(proc: subprocess.Popen[bytes], text: str) -> None:
    """Read stdout until a line holds `text` (so the process is past its start)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + STARTED_S
    while time.monotonic() < deadline:
        line = proc.stdout.readline().decode()
        if text in line:
            return
        assert line, f"the process ended before printing {text!r}: {proc.wait()}"
    raise AssertionError(f"no {text!r} within {STARTED_S} s")


def stop(proc: subprocess.Popen[bytes], sig: signal.Signals) -> tuple[int, float, str]:
    """Send `sig` with stdin still open; the exit code, the seconds to exit, and stderr after
    `pvz run`'s startup line (which it always writes first)."""
    begin = time.monotonic()
    proc.send_signal(sig)
    code = proc.wait(STOPPED_S)
    took = time.monotonic() - begin
    assert proc.stdin is not None and proc.stderr is not None
    proc.stdin.close()
    err = proc.stderr.read().decode()
    first, _, rest = err.partition("\n")
    if " INFO pvz.daemon: pvz " in first and " starting: " in first:  # tests/test_scan_log.py checks it
        return code, took, rest
    return code, took, err


@pytest.fixture
def silent_broker() -> Iterator[int]:
    """A port that accepts TCP connections and never answers a CONNECT."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def scanned(proc: subprocess.Popen[bytes], code: bytes) -> None:
    assert proc.stdin is not None
    proc.stdin.write(code + b"\n")
    proc.stdin.flush()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_hw_scan_stops_on_a_signal_without_a_traceback(tmp_path: Path, sig: signal.Signals) -> None:
    proc = start(["hw", "scan"], write_config(tmp_path))
    scanned(proc, b"BADGE-7001")
    wait_for_line(proc, "'BADGE-7001'")
    code, took, err = stop(proc, sig)
    assert (code, err) == (0, "")
    assert took < STOPPED_S


def query(db: Path, sql: str) -> int:
    """One number from the daemon's store (read while it runs: WAL lets a reader in)."""
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        try:
            row = conn.execute(sql).fetchone()
        except sqlite3.OperationalError:
            return 0  # the daemon is still creating its tables
    return 0 if row is None or row[0] is None else int(row[0])


def wait_until(proc: subprocess.Popen[bytes], done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + STARTED_S
    while time.monotonic() < deadline:
        if done():
            return
        assert proc.poll() is None, f"the daemon ended: {proc.stderr.read().decode() if proc.stderr else ''}"
        time.sleep(0.05)
    raise AssertionError(f"{what} within {STARTED_S} s")


LAST_SEQ = "SELECT max(seq) FROM journal"
ACKED = "SELECT value FROM meta WHERE key = 'outbox_acked_seq'"


def daemon_reading(proc: subprocess.Popen[bytes], db: Path, badge: bytes = b"BADGE-7001") -> None:
    """The daemon reads its stdin: a clerk's badge typed there reaches the store's journal."""
    before = query(db, LAST_SEQ)
    scanned(proc, badge)
    wait_until(proc, lambda: query(db, LAST_SEQ) > before, "no journal event for the scan")


def test_the_daemon_stops_on_sigterm_with_exit_0_while_stdin_is_open(tmp_path: Path) -> None:
    config = write_config(tmp_path, clerks=CLERKS)
    proc = start(["run"], config)
    daemon_reading(proc, tmp_path / "pvz.db")
    code, took, err = stop(proc, signal.SIGTERM)
    assert (code, err) == (0, "")
    assert took < QUICK_STOP_S


def test_the_daemon_does_not_wait_for_a_broker_that_never_answered(
    tmp_path: Path, silent_broker: int
) -> None:
    config = write_config(tmp_path, mqtt_port=silent_broker, clerks=CLERKS)
    proc = start(["run"], config)
    daemon_reading(proc, tmp_path / "pvz.db")
    code, took, err = stop(proc, signal.SIGTERM)
    assert (code, err) == (0, "")
    assert took < QUICK_STOP_S
    # Nothing was lost: the events wait in the outbox for the next start.
    assert query(tmp_path / "pvz.db", ACKED) == 0
    assert query(tmp_path / "pvz.db", LAST_SEQ) >= 1


def test_over_a_live_link_the_stop_waits_for_the_hubs_ack_of_the_last_scan(
    tmp_path: Path, broker: Broker
) -> None:
    db = tmp_path / "pvz.db"
    config = write_config(tmp_path, mqtt_port=broker.port, clerks=CLERKS)
    hub_args = ["hub", "--broker", f"127.0.0.1:{broker.port}", "--db", str(tmp_path / "hub.db")]
    hub = subprocess.Popen(
        [sys.executable, "-m", "central.cli", *hub_args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        proc = start(["run"], config)
        daemon_reading(proc, db)
        wait_until(proc, lambda: query(db, ACKED) >= 1, "the hub never acknowledged the first scan")
        daemon_reading(proc, db, b"BADGE-7002")  # the next clerk: one more event, just written
        code, _, err = stop(proc, signal.SIGTERM)
    finally:
        hub.send_signal(signal.SIGTERM)
        hub.wait(STOPPED_S)
    assert (code, err) == (0, "")
    assert query(db, ACKED) == query(db, LAST_SEQ)
