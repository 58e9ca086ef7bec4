"""The real parts a fleet load runs against, for bench/fleet_load.py and tests/test_fleet_load.py:
a Mosquitto configured for thousands of connections, `pvz-central hub` processes started as an
operator starts them (a group, one PostgreSQL database, the example alert rules, metrics), their
memory from /proc, and the check in PostgreSQL that what the devices sent was stored exactly once.
"""

from __future__ import annotations

import re
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from tests.support.broker import Broker, free_port

ROOT = Path(__file__).resolve().parent.parent
ALERTS = ROOT / "docs" / "examples" / "alerts.toml"
FILES_PER_DEVICE = 4  # the device's socket at the broker; the simulator's socket and paho's socket pair


def raise_file_limit(devices: int) -> int:
    """Open files enough for `devices` connections in this process and in the Mosquitto it starts
    (a child inherits the limit): up to the hard limit, which root may raise. Returns the soft limit."""
    want = devices * FILES_PER_DEVICE + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
            return want
        except (ValueError, OSError):
            want = hard  # not root: what the hard limit allows
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return max(soft, want)


def fleet_broker(workdir: Path, devices: int) -> Broker:
    """Mosquitto on a free port: no connection limit, room for every device's queued messages."""
    raise_file_limit(devices)
    port = free_port()
    extra = "\n".join((f"listener {port} 127.0.0.1", "allow_anonymous true", "max_connections -1"))
    return Broker(workdir, extra=extra, port=port)


@dataclass
class HubProcess:
    """One `pvz-central hub`; its stderr goes to a file (a pipe nobody reads would stop it)."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    metrics_port: int

    def memory_mb(self) -> dict[str, float]:
        """VmRSS (now) and VmHWM (the peak) from /proc/PID/status, in MiB."""
        found = dict.fromkeys(("VmRSS", "VmHWM"), 0.0)
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in found:
                found[key] = int(value.split()[0]) / 1024
        return found

    def cpu_s(self) -> float:
        """User and system CPU seconds so far (/proc/PID/stat)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (USER_HZ 100)

    def stop(self, timeout: float = 30) -> dict[str, int]:
        """SIGTERM; the counters of its last line ("stopped; {…}")."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout)
        text = self.log.read_text(errors="replace")
        stopped = text[text.rfind("stopped; ") :]
        return {k: int(v) for k, v in re.findall(r"'(\w+)': (\d+)", stopped)}

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer: no clean disconnect, nothing flushed."""
        self.proc.kill()
        self.proc.wait(10)


def start_hub(port: int, url: str, name: str, workdir: Path, *, group: str = "fleet") -> HubProcess:
    """`pvz-central hub` as in docs/fleet.md, with the example alert rules and metrics on a free
    port; returns once it is connected to the broker (or raises after 30 s)."""
    metrics = free_port()
    args = ["--broker", f"127.0.0.1:{port}", "--db", url, "--group", group, "--client-id", name]
    args += ["--alerts", str(ALERTS), "--metrics", f"127.0.0.1:{metrics}"]
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "central.cli", "hub", *args], cwd=ROOT, stderr=out)
    hub = HubProcess(name, proc, log, metrics)
    deadline = time.monotonic() + 30
    while b"connected to" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            hub.stop(5) if proc.poll() is None else None
            raise RuntimeError(f"{name} did not connect: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)
    return hub


def check_stored(url: str, sent: dict[str, list[str]], acked: dict[str, int]) -> dict[str, Any]:
    """In PostgreSQL: every id sent stored (`missing` 0), nothing else stored (`unexpected` 0), no
    (device, seq) twice (`duplicates` 0), and each device's acked seq there equal to its last seq
    (`acked_behind` lists those that are not). `ok` says all of it."""
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMP TABLE sent (device text, event_id text)")
        with conn.cursor().copy("COPY sent (device, event_id) FROM STDIN") as copy:
            for device, ids in sent.items():
                for event_id in ids:
                    copy.write_row((device, event_id))
        stored = int(conn.execute("SELECT count(*) FROM events").fetchone()[0])  # type: ignore[index]
        distinct = conn.execute("SELECT count(*) FROM (SELECT DISTINCT device, seq FROM events) d").fetchone()
        missing = conn.execute(
            "SELECT count(*) FROM sent s WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = s.event_id)"
        ).fetchone()
        unexpected = conn.execute(
            "SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM sent s WHERE s.event_id = e.event_id)"
        ).fetchone()
        in_db: dict[str, int] = dict(conn.execute("SELECT device, acked_seq FROM devices").fetchall())
    behind = sorted(d for d, last in acked.items() if in_db.get(d) != last)
    result = {
        "sent": sum(len(ids) for ids in sent.values()),
        "stored": stored,
        "duplicates": stored - int(distinct[0]) if distinct else stored,
        "missing": int(missing[0]) if missing else -1,
        "unexpected": int(unexpected[0]) if unexpected else -1,
        "acked_behind": behind,
    }
    result["ok"] = (
        result["sent"] == stored and not behind and result["duplicates"] == result["missing"] == 0
    ) and result["unexpected"] == 0
    return result
