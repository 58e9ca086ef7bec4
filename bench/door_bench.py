"""Door benchmark: the Kerong backend's part of "a correct code to the door command on the bus".

`python -m bench.door_bench [--opens 500] [--out FILE]`. The real backend on a real serial line
(a pty) against the fake boards of tests/support/fake_lock_board.py, four boards on one bus
(two CU16, two CU48: 128 doors):

- `pulse_to_frame`: from calling `pulse(door)` to the open frame whole at the board (the
  fake stamps each frame when its last byte is read);
- `pulse`: the whole call, the board's reply read and checked;
- `read_all`: every door of the four boards (one status request per board);
- `open_door`: verify.open_door on a shut door that springs open: read, pulse, read;
- `open_door_to_frame`: from calling open_door to its open frame whole at the board (the read
  before the pulse included): the doors' part of "a correct code to the door command on the bus".

A pty carries bytes at once whatever the baud rate; on a real bus at 19200 8N1 each byte takes
10 bits, so `wire_ms` says what the same frames take on the wire: add it to the pty's figures.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.stats import stats
from drivers.doors.kerong import Board, KerongDoors
from drivers.doors.verify import open_door
from tests.support.fake_lock_board import FakeLockBus

BAUD = 19200
BOARDS = {0: "cu16", 1: "cu16", 0x20: "cu48", 0x21: "cu48"}


def wire_ms(request: int, reply: int) -> float:
    return round((request + reply) * 10 / BAUD * 1000, 3)


def run(opens: int = 500) -> dict[str, Any]:
    bus = FakeLockBus(BOARDS)
    doors = KerongDoors(port=bus.path, boards=[Board.of(a, m) for a, m in BOARDS.items()])
    where = [(a, lock) for a, m in BOARDS.items() for lock in range(16 if m == "cu16" else 48)]
    to_frame: list[int] = []
    pulse: list[int] = []
    read_all: list[int] = []
    verified: list[int] = []
    verified_to_frame: list[int] = []
    try:
        doors.read_all()  # warm: the port open, the fake's thread running
        for i in range(opens):
            door = (i * 37) % doors.count()
            address, lock = where[door]
            seen = len(bus.received)
            start = time.monotonic_ns()
            doors.pulse(door)
            pulse.append(time.monotonic_ns() - start)
            to_frame.append(bus.received_ns[seen] - start)
            bus.shut(address, lock)
            start = time.monotonic_ns()
            doors.read_all()
            read_all.append(time.monotonic_ns() - start)
            seen = len(bus.received)
            start = time.monotonic_ns()
            open_door(doors, door, poll_s=0.001)
            verified.append(time.monotonic_ns() - start)
            frames = zip(bus.received[seen:], bus.received_ns[seen:], strict=True)
            fired = next(t for f, t in frames if f[-3] in (0x31, 0x61))  # CMD is 3rd from the end
            verified_to_frame.append(fired - start)
            bus.shut(address, lock)
    finally:
        doors.close()
        bus.close()
    return {
        "boards": {str(a): m for a, m in BOARDS.items()},
        "doors": len(where),
        "pulse_to_frame": stats(to_frame),
        "pulse": stats(pulse),
        "read_all": stats(read_all),
        "open_door": stats(verified),
        "open_door_to_frame": stats(verified_to_frame),
        "wire_ms": {
            "cu16_open_request": wire_ms(5, 0),
            "cu16_open_with_reply": wire_ms(5, 9),
            "cu48_open_with_reply": wire_ms(6, 6),
            # open_door: the status round trip before the pulse, then the open request
            "cu16_open_door_to_frame": wire_ms(5 + 9 + 5, 0),
            "cu48_open_door_to_frame": wire_ms(6 + 12 + 6, 0),
            "read_all_4_boards": round(2 * wire_ms(5, 9) + 2 * wire_ms(6, 12), 3),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.door_bench", description=__doc__)
    parser.add_argument("--opens", type=int, default=500, help="timed opens (default 500)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    result = run(args.opens)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
