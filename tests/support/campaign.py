"""Kill campaigns on a real daemon, a real Mosquitto and a real `pvz-central hub`, and their checks.

`aimed` kills at one named crash point (device/crash_points.py) and goes on with the day;
`random_kills` SIGKILLs the daemon at random moments, start-up included. After each restart
tests.support.day checks that every answered scan survived and the store's invariants hold;
`check_end` checks, once the day is over: the file's integrity, no parcel issued twice, every
print job printed and no receipt printed twice unless marked as a copy, and the hub holding
every event of the journal exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from device.store.db import SCHEMA_VERSION
from tests.support.broker import running_broker
from tests.support.day import ROOT, WAIT_S, Counts, Day, check_now
from tests.support.factory import DEVICE
from workflows.messages import Msg

# Where each aimed kill lands: the count-th pass of its point, mid-day unless said otherwise.
AIMED: dict[str, int] = {
    "scan_tx": 40,  # placing supply 2's parcels
    "after_commit": 40,
    "print_sent": 2,  # the first is supply 1's acceptance act, printed at the first start
    "publish": 3,
    "ack": 3,
    "hub_ack": 3,  # the hub dies, not the daemon
    "migration": 1,  # the first start migrates the template (one version behind)
    "sweep": 1,  # the first start sweeps supply 1, overdue
    "sweep_batch": 1,  # its batch committed (supply 1 fits in one), before the daemon goes on
}
SCANS_AFTER_KILL = 60  # codes sent after an aimed kill before the day ends
CHUNK = 20  # codes between two looks at the hub process
COPY_MARK = Msg("doc_copy").render("ru")
Spawned = Callable[[subprocess.Popen[str]], None]


class Hub:
    """`pvz-central hub` as its own process, restarted when it dies."""

    def __init__(self, directory: Path, port: int) -> None:
        self.db = directory / "hub.db"
        self.port = port
        self.log = (directory / "hub.log").open("a", encoding="utf-8")
        self.proc: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self, crash: str = "") -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PVZ_CRASH": crash}
        args = ["hub", "--broker", f"127.0.0.1:{self.port}", "--db", str(self.db)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "central.cli", *args], cwd=ROOT, env=env, stderr=self.log
        )

    def alive(self) -> None:
        """Restart the hub if it died (by SIGKILL only)."""
        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            assert code == -signal.SIGKILL, f"hub ended with {code}; see {self.log.name}"
            self.kills += 1
            self.start()

    def acked(self) -> int:
        if not self.db.exists():
            return 0
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT acked_seq FROM devices WHERE device = ?", (DEVICE,)).fetchone()
        except sqlite3.OperationalError:  # the hub has not made its tables yet
            return 0
        finally:
            conn.close()
        return 0 if row is None else int(row[0])

    def event_ids(self) -> list[str]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        try:
            return [r[0] for r in conn.execute("SELECT event_id FROM events WHERE device = ?", (DEVICE,))]
        finally:
            conn.close()

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(WAIT_S)
        self.log.close()


@contextmanager
def rig(directory: Path, template: Path, *, hub_crash: str = "") -> Iterator[tuple[Day, Hub]]:
    """A broker, a hub and a day on a copy of the template, all in `directory`."""
    with running_broker(directory / "broker") as broker:
        hub = Hub(directory, broker.port)
        hub.start(hub_crash)
        day = Day(directory / "device", template, broker.port)
        try:
            yield day, hub
        finally:
            day.close()
            hub.close()


def keep_running(day: Day, crash: str = "", *, on_spawn: Spawned | None = None) -> bool:
    """Start the daemon until one start reaches READY (an armed point kills the first, a random
    kill any), then check the store against what the scanner side saw. False if `on_spawn`'s
    kill came before READY (the caller arms another)."""
    if not day.start(crash, on_spawn=on_spawn):
        if on_spawn is not None:
            return False
        while not day.start():
            pass
    if day.confirmed:
        day.recover()
    return True


def scan_until(day: Day, hub: Hub, total: int) -> None:
    """Send codes until `total` were applied, restarting the daemon whenever it dies."""
    while day.counts.scans < total:
        hub.alive()
        if not day.run(min(CHUNK, total - day.counts.scans)):
            keep_running(day)
        assert not day.exhausted, f"the day ran out of codes after {day.counts.scans} scans"


def aimed(directory: Path, template: Path, point: str) -> Counts:
    """Kill at `point` (its AIMED count), restart, go on with the day, end it, check everything."""
    count = AIMED[point]
    crash = f"{point}:{count}"
    with rig(directory, template, hub_crash=crash if point == "hub_ack" else "") as (day, hub):
        keep_running(day, "" if point == "hub_ack" else crash)
        deadline = time.monotonic() + WAIT_S
        while day.counts.kills + hub.kills == 0:
            assert time.monotonic() < deadline, f"crash point {point} never reached"
            scan_until(day, hub, day.counts.scans + CHUNK)
            hub.alive()
        scan_until(day, hub, day.counts.scans + SCANS_AFTER_KILL)
        finish(day, hub)
        day.counts.hub_kills = hub.kills
        return day.counts


def random_kills(directory: Path, template: Path, kills: int, *, seed: int, longest_s: float = 2.5) -> Counts:
    """SIGKILL the daemon `kills` times, each at a moment drawn uniformly from its first
    `longest_s` seconds after the process started (start-up and scans alike), restarting it
    after each; then end the day and check everything."""
    rng = random.Random(seed)
    timers: list[threading.Timer] = []

    def arm(proc: subprocess.Popen[str]) -> None:
        def kill() -> None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)

        timer = threading.Timer(rng.uniform(0.0, longest_s), kill)
        timers.append(timer)
        timer.start()

    with rig(directory, template) as (day, hub):
        try:
            while day.counts.kills < kills:
                if keep_running(day, on_spawn=arm):
                    while day.run(CHUNK):
                        assert not day.exhausted, f"the day ran out of codes after {day.counts.scans} scans"
                        hub.alive()
        finally:
            for timer in timers:
                timer.cancel()
        keep_running(day)
        scan_until(day, hub, day.counts.scans + CHUNK)
        finish(day, hub)
        day.counts.hub_kills = hub.kills
        return day.counts


def finish(day: Day, hub: Hub) -> None:
    """Wait until the hub acknowledged the whole journal, end the day, check everything."""
    last = int(day.reader.scalar("SELECT max(seq) FROM journal"))
    deadline = time.monotonic() + WAIT_S
    while hub.acked() < last:
        hub.alive()
        assert time.monotonic() < deadline, f"the hub acked {hub.acked()} of {last} events"
        time.sleep(0.05)
    day.stop()
    check_end(day, hub)


def check_end(day: Day, hub: Hub) -> None:
    store = day.reader
    check_now(store)
    assert day.tracebacks == 0, f"the daemon logged {day.tracebacks} traceback(s); see {day.log.name}"
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE state != 'printed'") == 0
    twice = store.conn.execute(
        "SELECT parcel FROM journal WHERE kind = 'issued' GROUP BY parcel HAVING count(*) > 1"
    ).fetchall()
    assert twice == [], [r[0] for r in twice]
    swept = store.conn.execute(
        "SELECT parcel FROM journal WHERE kind = 'deadline_passed' GROUP BY parcel HAVING count(*) > 1"
    ).fetchall()
    assert swept == [], [r[0] for r in swept]
    assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION  # a migration cut off was finished
    check_receipts(day)
    journal = [r[0] for r in store.conn.execute("SELECT event_id FROM journal")]
    held = hub.event_ids()
    assert len(held) == len(set(held)) == len(journal), (len(held), len(journal))
    assert set(held) == set(journal)


def check_receipts(day: Day) -> None:
    """Each issue's receipt is on paper at least once, and at most once without the copy mark."""
    orders = [
        str(r[0])
        for r in day.reader.conn.execute(
            "SELECT json_extract(data, '$.order') FROM journal WHERE kind = 'issue_completed'"
        )
    ]
    plain: dict[str, int] = dict.fromkeys(orders, 0)
    printed: dict[str, int] = dict.fromkeys(orders, 0)
    for path in sorted(day.paper.glob("*-receipt.txt")):
        text = path.read_text(encoding="utf-8")
        found = [o for o in orders if o in text]
        assert len(found) == 1, (path.name, found)
        printed[found[0]] += 1
        plain[found[0]] += COPY_MARK not in text
    assert all(n >= 1 for n in printed.values()), printed
    assert all(n <= 1 for n in plain.values()), {o: n for o, n in plain.items() if n > 1}


def print_counts(what: str, counts: Counts, seconds: float, out: IO[str] = sys.stdout) -> None:
    print(
        f"{what}: {counts.kills} daemon kills, {counts.hub_kills} hub kills, {counts.starts} starts, "
        f"{counts.scans} scans ({counts.green} green), {counts.resent} resent after a kill, "
        f"{counts.committed_unseen} committed but unanswered; {seconds:.1f} s",
        file=out,
        flush=True,
    )
