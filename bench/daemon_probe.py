"""A real `pvz run` over a bench store: time to READY through a real NOTIFY_SOCKET datagram
socket, its resident memory once READY and idle (screen on), and a backlog sweep: the peak RSS
(VmHWM) while it sweeps, and the scans typed into its stdin scanner meanwhile, timed until the
screen's SSE event for each was received by one subscriber."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import stats
from tests.support.broker import free_port
from tests.support.notify import notify_socket

ROOT = Path(__file__).resolve().parent.parent
BADGE = "BADGE-BENCH-7001"
IDLE_S = 3.0  # after READY: the start-up check done, the loop idle, before VmRSS is read
CYCLE = ("PVZC-ISSUE", "PVZC-CANCEL")  # each commits the station's session and changes the screen


def write_config(work: Path, store: Path, port: int) -> Path:
    path = work / "pvz.toml"
    path.write_text(
        '[device]\nid = "pvz-bench-0001"\nsite = "bench"\ntimezone = "UTC"\n'
        f'[store]\npath = "{store}"\n'
        '[security]\npickup_key = "00112233445566778899aabbccddeeff"\n'
        f'[screen]\nlisten = "127.0.0.1:{port}"\n'
        '[[stations]]\nname = "counter-1"\n[[stations.scanners]]\nbackend = "stdin"\n'
        f'[stations.printer]\nbackend = "sim"\nout_dir = "{work / "prints"}"\n'
        f'[[clerks]]\nbadge = "{BADGE}"\nname = "Bench"\n',
        encoding="utf-8",
    )
    return path


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak) of a process, in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def mark_swept(store: Path, swept: bool) -> None:
    """Record today's sweep as done (the store as a device that ran yesterday leaves it), or not."""
    conn = sqlite3.connect(store, isolation_level=None)
    if swept:
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('deadline_sweep_date', ?)",
            (datetime.now(UTC).date().isoformat(),),
        )
    else:
        conn.execute("DELETE FROM meta WHERE key = 'deadline_sweep_date'")
    conn.close()


def limit_overdue(store: Path, keep: int) -> int:
    """Leave only the first `keep` accepted or stored parcels overdue; return how many are."""
    conn = sqlite3.connect(store, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "UPDATE parcels SET deadline = '2099-12-31' WHERE state IN ('accepted', 'stored') AND id > "
        "(SELECT id FROM parcels WHERE state IN ('accepted', 'stored') ORDER BY id LIMIT 1 OFFSET ?)",
        (keep - 1,),
    )
    conn.execute("COMMIT")
    today = datetime.now(UTC).date().isoformat()
    n = conn.execute(
        "SELECT count(*) FROM parcels INDEXED BY parcels_deadline "
        "WHERE state IN ('accepted', 'stored') AND deadline < ?",
        (today,),
    ).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return int(n)


class Subscriber:
    """One page's SSE stream, read in a thread: when each `station` event arrived."""

    def __init__(self, port: int) -> None:
        self.events: list[float] = []
        self._resp = urllib.request.urlopen(f"http://127.0.0.1:{port}/events", timeout=60)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        kind = ""
        try:
            for raw in self._resp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind == "station":
                    self.events.append(time.perf_counter())
        except Exception:  # noqa: BLE001 - the daemon stopped: the stream ends
            return

    def wait_after(self, count: int, timeout: float = 30.0) -> float:
        deadline = time.monotonic() + timeout
        while len(self.events) <= count:
            if time.monotonic() > deadline:
                raise RuntimeError("no screen event for a scan within 30 s")
            time.sleep(0.0005)
        return self.events[count]


def run_daemon(store: Path, *, sweep_scans: int = 0, screen_scans: int = 0) -> dict[str, Any]:
    """Start `pvz run`, time READY; RSS when idle, then `screen_scans` scans timed to their SSE
    event; or, with `sweep_scans`, scans during the sweep and the peak RSS."""
    with tempfile.TemporaryDirectory(prefix="pvz-daemon-") as tmp:
        work = Path(tmp)
        port = free_port()
        config = write_config(work, store, port)
        with notify_socket(work / "notify.sock") as systemd:
            env = {**os.environ, "NOTIFY_SOCKET": systemd.env, "PYTHONPATH": str(ROOT)}
            log_path = work / "daemon.log"
            with log_path.open("wb") as log:
                t0 = time.monotonic()
                proc = subprocess.Popen(
                    [sys.executable, "-m", "device.cli.main", "run", "--config", str(config)],
                    cwd=ROOT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stderr=log,
                )
                try:
                    systemd.wait_for("READY=1", timeout=600)
                    ready_at = systemd.times_of("READY=1")[0]
                    phases = [(round(at - t0, 3), m) for at, m in systemd.messages if "STATUS=" in m]
                    result: dict[str, Any] = {"ready_s": round(ready_at - t0, 3), "statuses": phases}
                    if sweep_scans:
                        result.update(_scans_during_sweep(proc, port, store, sweep_scans))
                    else:
                        time.sleep(IDLE_S)
                        mem = proc_status(proc.pid)
                        result.update(rss_kib=mem["VmRSS"], hwm_kib=mem["VmHWM"])
                        if screen_scans:
                            result["screen"] = _screen_scans(proc, port, screen_scans)
                finally:
                    assert proc.stdin is not None
                    proc.stdin.close()
                    proc.wait(120)
            result["log_tail"] = log_path.read_text(errors="replace").splitlines()[-6:]
    return result


def _swept(store: Path) -> bool:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'deadline_sweep_date'").fetchone()
    finally:
        conn.close()
    return row is not None


def _scans_during_sweep(proc: subprocess.Popen[bytes], port: int, store: Path, scans: int) -> dict[str, Any]:
    """Scans typed every 20 ms while the sweep runs, each timed to its screen event."""
    assert proc.stdin is not None
    sub = Subscriber(port)
    time.sleep(0.3)
    samples: list[int] = []
    seen = len(sub.events)
    proc.stdin.write(BADGE.encode() + b"\n")
    proc.stdin.flush()
    seen = _count_after(sub, seen)
    started = time.perf_counter()
    i = 0
    while not _swept(store) and i < scans:
        t0 = time.perf_counter()
        proc.stdin.write(CYCLE[i % 2].encode() + b"\n")
        proc.stdin.flush()
        at = sub.wait_after(seen)
        seen = len(sub.events)
        samples.append(int((at - t0) * 1e9))
        i += 1
        time.sleep(0.02)
    while not _swept(store):
        time.sleep(0.2)
    sweep_s = time.perf_counter() - started
    mem = proc_status(proc.pid)
    return {
        "sweep_s": round(sweep_s, 1),
        "scans_during_sweep": stats(samples) if samples else None,
        "peak_rss_kib": mem["VmHWM"],
        "rss_after_kib": mem["VmRSS"],
    }


def _screen_scans(proc: subprocess.Popen[bytes], port: int, scans: int) -> dict[str, Any]:
    """Scans typed one at a time (20 ms apart), each timed until its SSE event is received."""
    assert proc.stdin is not None
    sub = Subscriber(port)
    time.sleep(0.3)
    seen = len(sub.events)
    proc.stdin.write(BADGE.encode() + b"\n")
    proc.stdin.flush()
    seen = _count_after(sub, seen)
    samples: list[int] = []
    for i in range(scans):
        t0 = time.perf_counter()
        proc.stdin.write(CYCLE[i % 2].encode() + b"\n")
        proc.stdin.flush()
        at = sub.wait_after(seen)
        seen = len(sub.events)
        samples.append(int((at - t0) * 1e9))
        time.sleep(0.02)
    return {**stats(samples), "samples_ms": [x / 1e6 for x in samples]}


def _count_after(sub: Subscriber, seen: int) -> int:
    sub.wait_after(seen)
    time.sleep(0.05)
    return len(sub.events)


def main() -> None:
    store = Path(sys.argv[1])
    print(json.dumps(run_daemon(store, sweep_scans=int(sys.argv[2]) if len(sys.argv) > 2 else 0), indent=2))


if __name__ == "__main__":
    main()
