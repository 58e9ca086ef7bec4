"""A job cut off by a dead process is printed again marked as a copy; a job never sent prints once, plain.

A worker process stocks the standard manifest and issues order 22 through the real engine,
then starts the runtime, whose print queue prints to a real ESC/POS `file` printer (a
regular file standing in for /dev/usb/lp0). In the "die" run the printer sends every byte
of the receipt and the process SIGKILLs itself before the queue can mark the job; in the
"offline" run the printer's device node is missing, so the job fails before any byte went
out, and then the process is killed. A third run restarts on the same store and prints.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.lights.sim_lights import SimCellLights
from drivers.printer.sim_printer import SimPrinter
from tests.support.factory import new_engine, new_store, standard_manifest
from tests.support.stock import issue_order_22, stock

ROOT = Path(__file__).resolve().parents[1]
WAIT_S = 120.0

WORKER = r"""
import os
import signal
import sys
from pathlib import Path

from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.lights.sim_lights import SimCellLights
from drivers.printer.escpos_printer import EscposPrinter
from tests.support.factory import new_engine
from tests.support.stock import issue_order_22, stock

db, paper, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]


class DiesAfterSending(EscposPrinter):
    # The real file backend; the process dies once the receipt's last byte went out.
    def print_document(self, doc):
        super().print_document(doc)
        if doc.kind == "receipt":
            os.kill(os.getpid(), signal.SIGKILL)


store = Store.open(db, owner=True)
engine = new_engine(store)
kind = DiesAfterSending if mode == "die" else EscposPrinter
printer = kind(name="s1/printer", backend="file", path=paper, query_status=False)
if mode != "restart":
    stock(engine)
    issue_order_22(engine)
runtime = Runtime(engine, stations=[StationIO("s1", printer=printer)], rack=SimCellLights())
runtime.start()
if mode == "offline":
    os.kill(os.getpid(), signal.SIGKILL)  # a power cut while the printer is still unplugged
store.close()
"""


def run(db: Path, paper: Path, mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(db), str(paper), mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


TITLE = "Чек выдачи заказа".encode("cp866")
MARK = "КОПИЯ".encode("cp866")  # Russian goes out in code page CP866


def receipts(paper: Path) -> list[bytes]:
    """The receipts on the paper, each as the bytes between two cuts, in the order they were printed."""
    return [part for part in paper.read_bytes().split(b"\x1dV") if TITLE in part]


def test_a_receipt_cut_off_by_sigkill_is_printed_again_marked_as_a_copy(tmp_path: Path) -> None:
    db = tmp_path / "pvz.db"
    new_store(db, standard_manifest()).close()
    paper = tmp_path / "lp0"
    paper.touch()

    assert run(db, paper, "die") == -signal.SIGKILL
    first = receipts(paper)
    assert len(first) == 1 and MARK not in first[0]
    with Store.open(db) as store:
        job = store.conn.execute("SELECT id, state, copy FROM print_jobs WHERE kind = 'receipt'").fetchone()
        assert (job["state"], job["copy"]) == ("printing", 0)  # committed before the bytes went out

    assert run(db, paper, "restart") == 0
    printed = receipts(paper)
    assert len(printed) == 2
    original, copy = printed
    assert MARK not in original
    assert MARK in copy and copy.index(MARK) < copy.index(TITLE)  # at the top, above the title
    assert copy[copy.index(TITLE) :] == original[original.index(TITLE) :]  # otherwise the same receipt
    with Store.open(db) as store:
        row = store.conn.execute("SELECT state, copy, printed_at FROM print_jobs WHERE id = ?", (job["id"],))
        after = row.fetchone()
        assert (after["state"], after["copy"]) == ("printed", 1) and after["printed_at"] is not None
        events = store.conn.execute("SELECT station, data FROM journal WHERE kind = 'print_copy'").fetchall()
        assert [(e["station"], json.loads(e["data"])) for e in events] == [
            ("s1", {"job": job["id"], "document": "receipt"})
        ]
        assert store.scalar("SELECT count(*) FROM print_jobs WHERE state != 'printed'") == 0

    assert run(db, paper, "restart") == 0  # a further restart prints nothing more
    assert len(receipts(paper)) == 2


def test_a_receipt_that_never_reached_the_printer_prints_once_without_a_mark(tmp_path: Path) -> None:
    db = tmp_path / "pvz.db"
    new_store(db, standard_manifest()).close()
    paper = tmp_path / "lp0"  # not there yet: the printer is unplugged

    assert run(db, paper, "offline") == -signal.SIGKILL
    assert not paper.exists()
    with Store.open(db) as store:
        rows = store.conn.execute("SELECT kind, state, copy, attempts FROM print_jobs ORDER BY id").fetchall()
        assert [(r["kind"], r["state"], r["copy"]) for r in rows] == [
            ("acceptance_act", "queued", 0),
            ("receipt", "queued", 0),
        ]
        assert rows[0]["attempts"] == 1

    paper.touch()  # plugged in
    assert run(db, paper, "restart") == 0
    printed = receipts(paper)
    assert len(printed) == 1 and MARK not in printed[0]
    with Store.open(db) as store:
        assert store.scalar("SELECT count(*) FROM print_jobs WHERE state = 'printed' AND copy = 0") == 2
        assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'print_copy'") == 0


def test_the_copy_mark_is_in_the_documents_language_and_a_refused_job_stays_unmarked(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    engine = new_engine(store, "en")
    stock(engine)
    offline = SimPrinter()
    offline.set_fault("paper out")  # refused before anything was sent
    rt = Runtime(engine, stations=[StationIO("s1", printer=offline)], rack=SimCellLights(), lang="ru")
    rt.start()
    act = store.conn.execute("SELECT id, state, copy, lang FROM print_jobs").fetchone()
    assert (act["state"], act["copy"], act["lang"]) == ("queued", 0, "en")

    issue_order_22(engine)
    rt.prints.sending(int(act["id"]))  # the daemon dies as it sends the act: it stays `printing`
    printer = SimPrinter()
    after = Runtime(engine, stations=[StationIO("s1", printer=printer)], rack=SimCellLights(), lang="ru")
    after.start()
    assert [(p.doc.kind, p.doc.mark) for p in printer.printed] == [
        ("acceptance_act", "COPY"),
        ("receipt", ""),
    ]
    lines = [line.strip() for line in printer.printed[0].text.splitlines()]
    assert lines[:2] == ["COPY", "Supply acceptance act"]  # above the title
    store.close()
