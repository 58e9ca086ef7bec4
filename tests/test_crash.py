"""A process killed in the middle of a scan leaves the store as it was before that scan or after it.

A worker process runs a realistic counter cycle at one station (accept a supply, place its
parcels, move one, issue every order) and prints a line after each committed scan. The test
kills it with SIGKILL after N lines, reopens the store and checks invariants that any
half-applied scan would break.
"""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from device.intake.rack import CellSpec
from device.store.db import Store
from tests.support.crash_checks import check_invariants, digest
from tests.support.factory import M, P, new_engine, new_store
from workflows.parcel import Size

ROOT = Path(__file__).resolve().parents[1]
WAIT_S = 60.0  # generous: only reached if the worker hangs

WORKER = r"""
import os
import signal
import sys
from pathlib import Path

import device.apply
import device.store.parcels
import device.store.tickets
from device.store.db import Store
from tests.support.factory import load, new_engine
from tests.test_crash import digest, manifest
from workflows.inputs import Command
from workflows.outcome import Level

store = Store.open(Path(sys.argv[1]), owner=True)
engine = new_engine(store, signed_in=())  # the template signed s1 in
scans = 0

die_at = int(sys.argv[2])
exact = die_at > 0
if die_at:
    # Die inside a scan's transaction, after the die_at-th journal event was written.
    real_append = device.apply.append
    appended = 0

    real_append_all = device.store.parcels.append_all

    def written():
        global appended
        appended += 1
        if appended == die_at:
            assert store.conn.in_transaction
            os.kill(os.getpid(), signal.SIGKILL)

    def append(*args, **kwargs):
        seq = real_append(*args, **kwargs)
        written()
        return seq

    def append_all(conn, stamp, entries):  # the parcel writer's moves, one event at a time
        for entry in entries:
            real_append_all(conn, stamp, [entry])
            written()

    device.apply.append = append
    device.store.tickets.append = append  # a ticket's ticket_opened
    device.store.parcels.append_all = append_all


def seq():
    return store.scalar("SELECT coalesce(max(seq), 0) FROM journal")


def do(code, *, keyed=False):
    global scans
    raw = code.barcode if isinstance(code, Command) else code
    r = engine.handle("s1", raw, keyed=keyed)
    if r.feedback.level is Level.ERROR:
        print(f"scan {scans + 1} {raw!r} refused: {r.feedback.msg.key} {r.feedback.msg.params}", file=sys.stderr)
        sys.exit(3)
    scans += 1
    # the store's fingerprint costs more than a scan: only when the test will compare it
    print(scans, seq(), digest(store) if exact else "-", flush=True)
    return r


print("ready", seq(), digest(store) if exact else "-", flush=True)
while True:
    row = store.conn.execute("SELECT id FROM supplies WHERE status = 'open' ORDER BY id LIMIT 1").fetchone()
    if row is None:
        last = store.scalar("SELECT max(id) FROM supplies")
        load(store, manifest(int(last[3:]) + 1))
        continue
    supply = row[0]
    parcels = [
        tuple(r)
        for r in store.conn.execute(
            "SELECT barcode, order_id, package FROM parcels WHERE supply_id = ? ORDER BY barcode", (supply,)
        )
    ]
    box = store.scalar("SELECT barcode FROM packages WHERE supply_id = ?", (supply,))

    # acceptance: the box, every parcel but the last (it goes missing), one marked damaged
    do(box)
    for i, (barcode, _, _) in enumerate(parcels[:-1]):
        if i == 2:
            do(Command.DAMAGED)
        do(barcode)
    do(Command.DONE)  # asks: the last parcel is missing
    do(Command.DONE)

    # placement: each accepted parcel into the suggested cell, then one move to the big cell
    placed = []
    for barcode, _, _ in parcels[:-1]:
        r = do(barcode)
        cell = r.session.data.suggested or "X-01-1"
        do("C-" + cell)
        placed.append(barcode)
    do(placed[0])
    do("C-X-01-1")
    do(Command.DONE)

    # issue: every order by its number and code, each stored parcel taken, DONE
    for order in sorted({o for _, o, _ in parcels}):
        r = do(f"{order}*{order}", keyed=True)
        for barcode in r.session.data.parcels:
            do(barcode)
        do(Command.DONE)
"""

SUPPLY_SIZE = 10
ORDERS_PER_SUPPLY = 4
PRELOADED = 20  # 200 parcels


def manifest(n: int) -> M:
    """Supply n: a box holding the first four of ten parcels across four orders."""
    box = f"BOX{n:08d}"
    parcels = []
    for k in range(SUPPLY_SIZE):
        order = f"{n % 1_000_000:06d}{k % ORDERS_PER_SUPPLY:02d}"
        parcels.append(
            P(
                f"{order}-{k // ORDERS_PER_SUPPLY + 1:04d}-1",
                order,
                size="M" if k % 3 == 0 else "S",
                package=box if k < 4 else None,
            )
        )
    codes = {p.order: p.order for p in parcels}  # each order's pickup code is its number
    return M(f"SUP{n:06d}", parcels, packages=[box], codes=codes)


def rack() -> list[CellSpec]:
    """Forty S and M cells (some holding two), and one big XL cell that moves go to."""
    cells = [
        CellSpec(
            address=f"A-{i // 4 + 1:02d}-{i % 4 + 1}",
            size=Size.S if i % 2 else Size.M,
            capacity=1 + i % 3 // 2,
            channel=i,
        )
        for i in range(40)
    ]
    cells.append(CellSpec(address="X-01-1", size=Size.XL, capacity=1000, channel=40))
    return cells


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crash-template") / "pvz.db"
    store = new_store(path, *(manifest(n) for n in range(1, PRELOADED + 1)), rack=rack())
    assert store.scalar("SELECT count(*) FROM parcels") == PRELOADED * SUPPLY_SIZE
    new_engine(store, signed_in=("s1",))
    store.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    """A copy of the template for one test's worker."""
    path = tmp_path / "pvz.db"
    shutil.copyfile(template, path)
    return path


@dataclass
class Run:
    """What the worker reported before it died: the state after its last committed scan."""

    scans: int = 0
    seq: int = 0  # highest journal seq
    digest: str = ""


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def run_worker(db: Path, *, kill_after: int | None = None, die_at_append: int = 0) -> Run:
    """Run the worker until it is killed; return what it reported last.

    With `kill_after` the test sends SIGKILL once that many scans were reported; with
    `die_at_append` the worker SIGKILLs itself inside a scan's transaction, right after
    the n-th journal event it wrote (before that scan commits). Lines the worker flushed
    before dying are all read, so the result is its last committed and reported scan.
    """
    assert (kill_after is None) != (die_at_append == 0)
    errors = db.with_name("worker.stderr")
    with errors.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db), str(die_at_append)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    assert proc.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + WAIT_S
    last = Run()
    killed = False
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"worker stuck: {last.scans} scans after {WAIT_S} s")
            if line is None:
                break
            first, seq, fingerprint = line.split()
            last = Run(0 if first == "ready" else int(first), int(seq), fingerprint)
            if kill_after is not None and last.scans == kill_after and not killed:
                proc.send_signal(signal.SIGKILL)
                killed = True
        proc.wait(timeout=WAIT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, errors.read_text())
    return last


# Kill points across the cycle: acceptance, placement, the move, issue, the next supply, later.
@pytest.mark.parametrize("after", [3, 19, 31, 44, 58, 130])
def test_a_worker_killed_from_outside_leaves_the_store_before_or_after_a_scan(db: Path, after: int) -> None:
    last = run_worker(db, kill_after=after)
    assert last.scans >= after

    # the kernel released the dead owner's lock: a new daemon may take the store
    with Store.open(db, owner=True) as store:
        check_invariants(store)
        # every scan reported as committed survived the kill (the kill may have fallen
        # between a later scan's COMMIT and its report line, so the store may be ahead)
        assert store.scalar("SELECT coalesce(max(seq), 0) FROM journal") >= last.seq > 0


# Die inside the transaction right after the n-th journal event of the run: 5 a parcel accepted
# (its damaged mark next), 7 the damaged mark's ticket (written last in its scan), 14 a parcel
# gone missing at DONE (supply closed and the act next), 25 a move (session next), 27 the second
# of three parcels issued, 29 the issue completed (receipt next), 40 the package of the second supply.
@pytest.mark.parametrize("die_at", [5, 7, 14, 25, 27, 29, 40])
def test_a_worker_killed_inside_a_scan_leaves_the_store_exactly_as_before_it(
    template: Path, db: Path, die_at: int
) -> None:
    with Store.open(template) as t:
        base = int(t.scalar("SELECT max(seq) FROM journal"))
    last = run_worker(db, die_at_append=die_at)

    with Store.open(db, owner=True) as store:
        check_invariants(store)
        assert digest(store) == last.digest
        # the dying scan's first events are gone with it
        assert store.scalar("SELECT max(seq) FROM journal") == last.seq < base + die_at
        assert store.scalar("SELECT count(*) FROM journal") == last.seq


def test_the_invariants_catch_a_half_applied_scan(db: Path) -> None:
    """The checker is not vacuous: a parcel moved without its journal event is caught."""
    last = run_worker(db, die_at_append=20)
    with Store.open(db) as store:
        check_invariants(store)
        assert digest(store) == last.digest
        with store.transaction() as conn:
            conn.execute(
                "UPDATE parcels SET state = 'issued', cell_id = NULL "
                "WHERE id = (SELECT min(id) FROM parcels WHERE state = 'stored')"
            )
        assert digest(store) != last.digest
        with pytest.raises(AssertionError):
            check_invariants(store)
