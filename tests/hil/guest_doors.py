"""The Kerong door backend INSIDE the HIL guest, on a real USB serial line instead of a pty.

A CDC-ACM gadget stands for the locker's RS-485 adapter: the host side is the kernel's cdc_acm
tty (/dev/ttyACMn, with its real termios and USB transfers) that drivers/doors/kerong.py opens
through pyserial; on the gadget side (/dev/ttyGSn) tests/support/fake_lock_board.py answers as
two boards, a CU16 and a CU48. The same checks as tests/test_kerong_doors.py on the pty: the exact
bytes, a reply with a bad checksum, a verified open, and no open frame for a start.
Registered into tests/hil/guest.py's SCENARIOS.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from tests.hil import gadgets

DOORS_IDS = (0x1209, 0x7D0A)  # pid.codes' test range: no rule takes it for a scanner
BOARDS = {1: "cu16", 0x20: "cu48"}

Scenario = Callable[[], Awaitable[dict[str, Any]]]
SCENARIOS: dict[str, Scenario] = {}


class DoorCheckFailed(AssertionError):
    """The backend did not do on the USB line what it does on the pty (reported as failed)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise DoorCheckFailed(message)


@contextlib.contextmanager
def _adapter() -> Iterator[tuple[gadgets.AcmSerial, Path]]:
    acm = gadgets.acm_serial(gadgets.udcs()[0], name="doors", vid=DOORS_IDS[0], pid=DOORS_IDS[1])
    try:
        yield acm, acm.host_tty()
    finally:
        acm.remove()


def _exercise() -> dict[str, Any]:
    from drivers.doors.base import DoorState, OpenResult
    from drivers.doors.faults import DoorFault
    from drivers.doors.kerong import Board, KerongDoors
    from drivers.doors.verify import open_door
    from tests.support.fake_lock_board import FakeLockBus

    with _adapter() as (acm, host):
        acm.open()
        assert acm.fd is not None
        bus = FakeLockBus(BOARDS, fd=acm.fd)
        doors = KerongDoors(port=str(host), boards=[Board.of(a, m) for a, m in BOARDS.items()])
        try:
            bus.force_open(0x20, 47)
            readings = doors.read_all()
            _check(bus.opens() == [], f"a start sent an open: {[f.hex(' ') for f in bus.opens()]}")
            _check(readings[63].state is DoorState.OPEN, f"door 63 reads {readings[63]}")
            opened = open_door(doors, 5, poll_s=0.01)
            _check(opened is OpenResult.OPENED, f"door 5: {opened}")
            bus.fail_next("corrupt")
            try:
                doors.read(16)
                reason = None
            except DoorFault as exc:
                reason = exc.reason
            _check(reason == "bad_checksum", f"a corrupted reply gave {reason}")
            doors.pulse(16 + 9)
            sent = [f.hex(" ") for f in bus.received]
            want = [
                "02 10 30 03 45",  # read_all: the CU16 at 1
                "02 20 00 60 03 85",  # and the CU48 at 0x20
                "02 10 30 03 45",  # open_door: read before
                "02 15 31 03 4b",  # the open of lock 5
                "02 10 30 03 45",  # read after: open
                "02 20 00 60 03 85",  # the read whose reply was corrupted
                "02 20 09 61 03 8f",  # the CU48's lock 9
            ]
            _check(sent == want, f"frames on the line {sent}, expected {want}")
            return {"host_tty": str(host), "gadget_tty": bus.path, "frames": sent, "status": doors.status()}
        finally:
            doors.close()
            bus.close()


async def kerong_bus_acm() -> dict[str, Any]:
    """The Kerong backend on a CDC-ACM tty: bytes, a bad checksum, a verified open, no open at start."""
    return await asyncio.to_thread(_exercise)


SCENARIOS["kerong_bus_acm"] = kerong_bus_acm
