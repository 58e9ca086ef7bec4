"""Kiosk benchmark: the engine's part of "a correct code to the door command on the bus".

`python -m bench.kiosk_bench [--opens 300] [--out FILE]`. A kiosk beside a counter on a real store
file (tests/support/kiosk.py: the supply accepted and placed through the engine), the store's
pragmas as in the daemon (WAL, synchronous=FULL):

- `code_to_command`: from `Engine.handle(kiosk, right code)` to its return, the door command row
  committed (decided, applied, fsynced): what the door controller then reads and fires;
- `door_report`: one door report through `Engine.handle_event` (opened, then shut with the parcel
  inside, which ends the collection and leaves the order as it was, so the next round repeats it).

Add bench/door_bench.py's `open_door_to_frame` (and its `wire_ms`) to `code_to_command` for the
whole path; the door controller's wait between the commit and the fire is not in either.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stats import stats
from tests.support import kiosk
from tests.support.kiosk import KIOSK, kiosk_site
from workflows.inputs import DoorEvent, DoorReport


def run(opens: int = 300) -> dict[str, Any]:
    code = kiosk.CODES[kiosk.LOCKED]
    to_command: list[int] = []
    reports: list[int] = []
    with tempfile.TemporaryDirectory(prefix="pvz-kiosk-bench-") as tmp:
        store, engine, clock = kiosk_site(Path(tmp) / "pvz.db")
        try:
            for _ in range(opens):
                clock.tick(1)
                start = time.monotonic_ns()
                result = engine.handle(KIOSK, code, keyed=True)
                to_command.append(time.monotonic_ns() - start)
                assert result.session is not None, result.feedback
                for event in (DoorEvent.OPENED, DoorEvent.CLOSED_FULL):
                    start = time.monotonic_ns()
                    engine.handle_event(KIOSK, DoorReport(15, "L-15", event))
                    reports.append(time.monotonic_ns() - start)
            commands = store.conn.execute("SELECT count(*) FROM door_commands WHERE station = ?", (KIOSK,))
            assert commands.fetchone()[0] == opens
            synchronous = store.conn.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            store.close()
    return {
        "code_to_command": stats(to_command),
        "door_report": stats(reports),
        "synchronous": synchronous,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kiosk_bench", description=__doc__)
    parser.add_argument("--opens", type=int, default=300)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args.opens)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
