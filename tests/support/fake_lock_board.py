"""Kerong lock-control boards on a pseudo-terminal: the bus a test opens by path, byte for byte.

One thread answers for every board on the bus (CU16 and CU48, by address), from its own
code rather than drivers/doors/kerong_frames.py, so that a mistake in the backend's bytes shows.
It records every frame it received, keeps each lock (shut or open, jammed, something inside)
and plays the customer: shut() closes a door, take() empties the cell and closes it. It can
lose, corrupt, cut short or misaddress its next replies, trickle them byte by byte, and a board
can be switched off.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
import tty
from dataclasses import dataclass, field

STX, ETX = 0x02, 0x03
LOCKS = {"cu16": 16, "cu48": 48}


def seal(body: bytes) -> bytes:
    return body + bytes([sum(body) & 0xFF])


@dataclass
class Lock:
    shut: bool = True
    jammed: bool = False
    inside: bool = False


@dataclass
class FakeBoard:
    address: int
    model: str
    locks: list[Lock] = field(default_factory=list)
    off: bool = False  # switched off: receives, never answers

    def __post_init__(self) -> None:
        self.locks = [Lock() for _ in range(LOCKS[self.model])]


class FakeLockBus:
    def __init__(self, boards: dict[int, str], *, fd: int | None = None) -> None:
        """`boards`: address → "cu16" or "cu48". Served on a new pty whose slave is `path`, or on `fd`,
        a tty opened raw by the caller and left open (the gadget side of a CDC-ACM gadget in tests/hil)."""
        self.boards = {address: FakeBoard(address, model) for address, model in boards.items()}
        if fd is None:
            self.master, slave = os.openpty()
            tty.setraw(slave)
            tty.setraw(self.master)
            self.path = os.ttyname(slave)
            self._own = [self.master, slave]
        else:
            self.master, self.path, self._own = fd, os.ttyname(fd), []
        self.received: list[bytes] = []  # every whole frame, in order, whoever it was for
        self.received_ns: list[int] = []  # when each was whole (time.monotonic_ns), for bench/door_bench.py
        self.faults: list[str] = []  # the next replies' fates: "drop", "corrupt", "short", "stranger"
        self.trickle_s: float | None = None  # set: each reply byte by byte, this long apart
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self._buffer = b""
        self._thread = threading.Thread(target=self._serve, name="fake-lock-bus", daemon=True)
        self._thread.start()

    # What the test sees and does.

    def lock(self, address: int, lock: int) -> Lock:
        return self.boards[address].locks[lock]

    def opens(self) -> list[bytes]:
        """Every open frame received (0x31 on a CU16, 0x61 on a CU48)."""
        return [f for f in self.received if (len(f) == 5 and f[2] == 0x31) or (len(f) == 6 and f[3] == 0x61)]

    def shut(self, address: int, lock: int) -> None:
        """The door is pushed shut, whatever is inside stays."""
        with self._mutex:
            self.lock(address, lock).shut = True

    def leave(self, address: int, lock: int) -> None:
        """The customer shuts the door without taking what is inside."""
        self.shut(address, lock)

    def take(self, address: int, lock: int) -> None:
        """The customer takes what is inside and shuts the door."""
        with self._mutex:
            self.lock(address, lock).inside = False
            self.lock(address, lock).shut = True

    def put(self, address: int, lock: int, inside: bool = True) -> None:
        with self._mutex:
            self.lock(address, lock).inside = inside

    def jam(self, address: int, lock: int, jammed: bool = True) -> None:
        with self._mutex:
            self.lock(address, lock).jammed = jammed

    def force_open(self, address: int, lock: int) -> None:
        with self._mutex:
            self.lock(address, lock).shut = False

    def fail_next(self, *fates: str) -> None:
        """The next replies' fates in order: drop, corrupt (checksum), short, stranger (another address)."""
        with self._mutex:
            self.faults.extend(fates)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for fd in self._own:
            with contextlib.suppress(OSError):
                os.close(fd)

    # The bus.

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                self._buffer += os.read(self.master, 256)
            except BlockingIOError:
                continue
            except OSError:
                return
            with self._mutex:
                for frame in self._frames():
                    reply = self._answer(frame)
                    if reply is not None:
                        self._send(reply)

    def _frames(self) -> list[bytes]:
        """Whole frames off the buffer; bytes that start none are skipped, as a board does."""
        found: list[bytes] = []
        while self._buffer:
            if self._buffer[0] != STX:
                self._buffer = self._buffer[1:]
                continue
            for size in (5, 6):
                frame = self._buffer[:size]
                if len(frame) == size and frame[-2] == ETX and frame == seal(frame[:-1]):
                    found.append(frame)
                    self.received.append(frame)
                    self.received_ns.append(time.monotonic_ns())
                    self._buffer = self._buffer[size:]
                    break
            else:
                if len(self._buffer) < 6:
                    return found  # wait for the rest
                self._buffer = self._buffer[1:]
        return found

    def _answer(self, frame: bytes) -> bytes | None:
        if len(frame) == 5:  # CU16: the board in ADDR's high nibble, the lock in its low one
            board = self.boards.get(frame[1] >> 4)
            if board is None or board.model != "cu16" or board.off:
                return None
            if frame[2] == 0x31:
                self._fire(board.locks[frame[1] & 0x0F])
            elif frame[2] != 0x30:
                return None
            shut = sum(1 << i for i, lk in enumerate(board.locks) if lk.shut)
            inside = sum(1 << i for i, lk in enumerate(board.locks) if lk.inside)
            data = shut.to_bytes(2, "little") + inside.to_bytes(2, "little")
            return seal(bytes([STX, frame[1], frame[2]]) + data + bytes([ETX]))
        board = self.boards.get(frame[1])
        if board is None or board.model != "cu48" or board.off:
            return None
        if frame[3] == 0x61 and frame[2] < len(board.locks):
            self._fire(board.locks[frame[2]])
            return seal(bytes([STX, frame[1], frame[2], 0x75, ETX]))
        if frame[3] == 0x60:
            shut = sum(1 << i for i, lk in enumerate(board.locks) if lk.shut)
            return seal(bytes([STX, frame[1], 0, 0x75]) + shut.to_bytes(6, "little") + bytes([ETX]))
        return seal(bytes([STX, frame[1], frame[2], 0x00, ETX]))  # a refusal

    @staticmethod
    def _fire(lock: Lock) -> None:
        if not lock.jammed:
            lock.shut = False  # the door springs open

    def _send(self, reply: bytes) -> None:
        fate = self.faults.pop(0) if self.faults else None
        if fate == "drop":
            return
        if fate == "corrupt":
            reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
        elif fate == "short":
            reply = reply[:4]
        elif fate == "stranger":
            reply = seal(bytes([reply[0], reply[1] ^ 0x10]) + reply[2:-1])
        if self.trickle_s is None:
            os.write(self.master, reply)
            return
        for byte in reply:  # a slow board, or a USB adapter that hands the bytes over one by one
            os.write(self.master, bytes([byte]))
            time.sleep(self.trickle_s)
