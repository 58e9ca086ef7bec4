"""A counter's day on a real `pvz run` process, fed scan by scan as a scanner would, killable anywhere.

The scanner side is this driver: it writes one code to the daemon's stdin scanner and waits
for the daemon's own account of it (the `-v` line `station s1: CODE -> LEVEL KEY (...)`,
logged right after the scan's commit and before its feedback). A code that got its line is
done; its effect must survive any kill. A code sent when the daemon died without a line is
in doubt: after the restart the driver compares the store with its fingerprint from before
that code and sends it again only if nothing of it was committed, as a clerk who saw no
feedback scans again. So every code of the day is applied exactly once, whatever the kills.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

from device.intake.manifest import decode_manifest, import_manifest
from device.intake.rack import import_cells
from device.store.db import SCHEMA_VERSION, Store
from tests.support.config import STDIN, station, write_config
from tests.support.factory import CLERK, DEVICE, KEY, SITE, M, new_engine
from tests.support.notify import NotifySocket
from tests.test_crash import manifest, rack
from workflows.inputs import Command

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60.0  # only reached when something hangs
ENGINE_LINE = "pvz.engine: station s1: "
GREEN = ("ok", "info")  # the levels the status light shows green (device/station_feedback.py LEVEL_SIGNAL)
# Journal kinds written without a scan (a reprint's record): left out of the fingerprint.
ASYNC_KINDS = ("print_copy",)


def load_due(store: Store, m: M, deadline: date) -> None:
    """Import manifest `m` with every parcel's last day of storage set to `deadline`."""
    raw = m.to_json()
    for parcel in raw["parcels"]:
        parcel["deadline"] = deadline.isoformat()
    import_manifest(store, decode_manifest(json.dumps(raw).encode()), now=date.today().isoformat())


def build_template(path: Path, supplies: int) -> Path:
    """A store one migration behind the code (the daemon's first start migrates it), the crash
    test's rack and `supplies` supplies due in a month, and supply 1 already stored but overdue
    (the first start's deadline sweep moves it to the return pick list), with clerk BADGE-0001
    signed in at s1."""
    store = Store.open(path, target=SCHEMA_VERSION - 1)
    with store.transaction() as conn:
        store.set_meta("device_id", DEVICE)
        conn.execute("INSERT INTO clerks (badge, name) VALUES (?, ?)", (CLERK, "Анна С."))
    import_cells(store, rack())
    today = date.today()
    load_due(store, manifest(1), today - timedelta(days=1))
    for n in range(2, supplies + 1):
        load_due(store, manifest(n), today + timedelta(days=30))
    engine = new_engine(store, signed_in=("s1",))
    for code in day(lambda: ReadStore(store.conn), only=1):
        if code.startswith("k:"):
            break  # accepted and placed; the first order would be issued next
        result = engine.handle("s1", code)
        assert result.feedback.level.value != "error", (code, result.feedback.msg)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


class ReadStore:
    """What the checks and the driver read through: a connection with named columns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def session_data(self) -> dict[str, Any]:
        raw = self.scalar("SELECT data FROM sessions WHERE station = 's1'")
        return {} if raw is None else dict(json.loads(raw))


def read_only(db: Path) -> ReadStore:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, isolation_level=None)
    conn.row_factory = sqlite3.Row
    return ReadStore(conn)


def day(look: Callable[[], ReadStore], *, only: int | None = None) -> Iterator[str]:
    """The codes of test_crash's cycle, supply after supply, each decided from the store as it is
    after the code before: accept (one marked damaged, the last missing), place each parcel in
    its suggested cell, move one to the big cell, issue every order with its code (keyed)."""
    done = 0
    while only is None or done < only:
        store = look()
        row = store.conn.execute(
            "SELECT id FROM supplies WHERE status = 'open' ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None:
            return
        supply = row[0]
        parcels = [
            tuple(r)
            for r in store.conn.execute(
                "SELECT barcode, order_id FROM parcels WHERE supply_id = ? ORDER BY barcode", (supply,)
            )
        ]
        yield str(store.scalar("SELECT barcode FROM packages WHERE supply_id = ?", (supply,)))
        for i, (barcode, _) in enumerate(parcels[:-1]):
            if i == 2:
                yield Command.DAMAGED.barcode
            yield barcode
        yield Command.DONE.barcode  # asks: the last parcel is missing
        yield Command.DONE.barcode
        for barcode, _ in parcels[:-1]:
            yield barcode
            yield "C-" + (look().session_data().get("suggested") or "X-01-1")
        yield parcels[0][0]
        yield "C-X-01-1"
        yield Command.DONE.barcode
        for order in sorted({o for _, o in parcels}):
            yield f"k:{order}*{order}"
            for barcode in look().session_data()["parcels"]:
                yield barcode
            yield Command.DONE.barcode
        done += 1


def fingerprint(store: ReadStore) -> tuple[Any, ...]:
    """What any one code of the day changes: the station's session, the scans' events, print jobs."""
    conn = store.conn
    session = conn.execute("SELECT workflow, state, data FROM sessions WHERE station = 's1'").fetchone()
    marks = ",".join("?" * len(ASYNC_KINDS))
    events = store.scalar(f"SELECT count(*) FROM journal WHERE kind NOT IN ({marks})", ASYNC_KINDS)
    jobs = store.scalar("SELECT count(*) FROM print_jobs")
    return (None if session is None else tuple(session), events, jobs)


def _pump(stream: IO[str], lines: queue.Queue[str | None], log: IO[str]) -> None:
    for line in stream:
        log.write(line)
        log.flush()
        lines.put(line.rstrip("\n"))
    lines.put(None)


@dataclass
class Counts:
    scans: int = 0  # codes applied (each exactly once)
    green: int = 0  # of them, logged with a green level
    resent: int = 0  # codes in doubt at a kill and sent again (nothing of them was committed)
    committed_unseen: int = 0  # codes in doubt found committed after the restart
    kills: int = 0  # daemon deaths by SIGKILL (aimed or random)
    starts: int = 0
    hub_kills: int = 0
    points: dict[str, int] = field(default_factory=dict)


class Day:
    """One directory: the store (a copy of the template), the config, the sim printer's paper."""

    def __init__(self, directory: Path, template: Path, mqtt_port: int) -> None:
        self.dir = directory
        self.db = directory / "pvz.db"
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, self.db)
        self.paper = directory / "prints"
        self.config = write_config(
            directory,
            stations=station("s1", STDIN, prints=str(self.paper)),
            mqtt_port=mqtt_port,
            clerks={CLERK: "Анна С."},
            key=KEY.hex(),
            device=DEVICE,
            site=SITE,
        )
        self.notify = NotifySocket(str(directory / "notify.sock"))
        self.log = (directory / "daemon.log").open("a", encoding="utf-8")
        self.proc: subprocess.Popen[str] | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.counts = Counts()
        self.reader = read_only(self.db)
        self.codes = day(lambda: self.reader)
        self.doubt: str | None = None  # the code sent whose line never came
        self.exhausted = False  # the day has no more codes (the template's supplies are all done)
        self.confirmed: tuple[Any, ...] = ()  # the fingerprint after the last code applied
        self.tracebacks = 0

    def start(
        self, crash: str = "", *, on_spawn: Callable[[subprocess.Popen[str]], None] | None = None
    ) -> bool:
        """Start `pvz -v run`; True once it is READY, False if it died first (an armed point, a
        random kill): `on_spawn` is called with the process as soon as it exists."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NOTIFY_SOCKET": self.notify.env, "PVZ_CRASH": crash}
        self.log.write(f"--- start PVZ_CRASH={crash!r}\n")
        after = len(self.notify.messages)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "device.cli.main", "-v", "run", "--config", str(self.config)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.counts.starts += 1
        if on_spawn is not None:
            on_spawn(self.proc)
        self.lines = queue.Queue()
        assert self.proc.stderr is not None
        threading.Thread(target=_pump, args=(self.proc.stderr, self.lines, self.log), daemon=True).start()
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if any("READY=1" in m.split("\n") for _, m in self.notify.messages[after:]):
                return True
            if self.proc.poll() is not None:
                self._dead()
                return False
            time.sleep(0.01)
        raise AssertionError(f"pvz run not READY within {WAIT_S} s; see {self.log.name}")

    def _dead(self, *, drained: bool = False) -> None:
        assert self.proc is not None
        code = self.proc.wait(WAIT_S)
        assert code == -signal.SIGKILL, f"pvz run ended with {code}, not by SIGKILL; see {self.log.name}"
        self.counts.kills += 1
        while not drained and (line := self.lines.get(timeout=WAIT_S)) is not None:  # its last words
            self._note(line)

    def kill(self) -> None:
        """SIGKILL the daemon now and take note of its death."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self._dead()

    def _note(self, line: str) -> str | None:
        if line.startswith("Traceback"):
            self.tracebacks += 1
        if ENGINE_LINE in line:
            return line.split(ENGINE_LINE, 1)[1]
        return None

    def recover(self) -> None:
        """After a restart: the store holds every code that was answered, and the one in doubt
        either whole or not at all; then the invariants of test_crash hold."""
        now = fingerprint(self.reader)
        if self.doubt is None:
            assert now == self.confirmed, ("a scan answered before the kill was lost", self.confirmed, now)
        elif now == self.confirmed:
            self.counts.resent += 1
        else:
            assert now[1] >= self.confirmed[1] and now[2] >= self.confirmed[2], (self.confirmed, now)
            self.counts.committed_unseen += 1
            self.counts.scans += 1
            self.confirmed, self.doubt = now, None
        check_now(self.reader)

    def run(self, scans: int) -> bool:
        """Send up to `scans` more codes; False when the daemon died (it is then restarted by the
        caller), True when they were all answered or the day has no more codes."""
        assert self.proc is not None and self.proc.stdin is not None
        for _ in range(scans):
            code = self.doubt or next(self.codes, None)
            if code is None:
                self.exhausted = True
                return True
            if self.doubt is None:
                self.confirmed = fingerprint(self.reader)
            self.doubt = code
            try:
                self.proc.stdin.write(code + "\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                self._dead()
                return False
            answer = self._answer()
            if answer is None:
                return False
            self.doubt = None
            self.confirmed = fingerprint(self.reader)
            self.counts.scans += 1
            _, _, rest = answer.partition(" -> ")
            level = rest.split()[0]
            assert level != "error", (code, answer)
            self.counts.green += level in GREEN
        return True

    def _answer(self) -> str | None:
        while True:
            line = self.lines.get(timeout=WAIT_S)
            if line is None:
                self._dead(drained=True)
                return None
            answer = self._note(line)
            if answer is not None:
                return answer

    def stop(self) -> None:
        """End the day as the scanner's end does: the daemon prints what is queued and exits 0."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.close()
        code = self.proc.wait(WAIT_S)
        while (line := self.lines.get(timeout=WAIT_S)) is not None:
            self._note(line)
        assert code == 0, f"pvz run ended with {code}; see {self.log.name}"

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(WAIT_S)
        self.reader.conn.close()
        self.notify.close()
        self.log.close()


def check_now(store: ReadStore) -> None:
    """test_crash's invariants on one snapshot of a store a daemon may be writing."""
    from tests.support.crash_checks import check_invariants

    store.conn.execute("BEGIN")
    try:
        check_invariants(store, printer=True)
    finally:
        store.conn.execute("ROLLBACK")
