"""Locker doors on Kerong lock-control boards (KR-CU16, CU48) sharing one RS-485 bus, through pyserial.

Doors are numbered from 0 across the boards in their configured order: with a CU16 then a CU48,
doors 0-15 are the CU16's locks and 16-63 the CU48's. Each door has one lock whose hook switch
is its door sensor, so every door has a sensor here; the CU16's infrared bits say whether a cell
holds something, on boards where the sensors are fitted (`infrared`).

One request is on the bus at a time (a lock serialises the threads the runtime calls from);
every reply is checked (length, framing, checksum, address) and any fault is a DoorFault
with a reason. An open whose reply is lost is never sent again: the board's status is read
instead, since the lock may have fired, and verify.open_door then watches the door.
Opening the port sends nothing, so a daemon starting after a power cut opens no door.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from drivers.doors.base import DoorReading, DoorState, check_door
from drivers.doors.faults import DoorFault
from drivers.doors.kerong_frames import (
    MODELS,
    BoardStatus,
    Model,
    check_open_reply,
    decode_status,
    open_request,
    reply_length,
    status_request,
)

log = logging.getLogger("pvz.drivers.doors")

# A board answers within milliseconds (12 bytes take 6 ms at 19200 baud); silence this long means
# it will not. Short, because a customer waits through it when a board is off the bus.
REPLY_TIMEOUT_S = 0.25


class Port(Protocol):
    """The part of serial.Serial the backend uses; read() returns what came within the timeout."""

    def write(self, data: bytes) -> int | None: ...
    def flush(self) -> None: ...
    def read(self, size: int = 1) -> bytes: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...


OpenPort = Callable[[str, int, float], Port]


def open_serial(path: str, baudrate: int, timeout_s: float) -> Port:
    import serial

    # 8N1; exclusive: a second master on the bus (a stray `pvz hw doors`) would garble both.
    port: Port = serial.Serial(
        path, baudrate=baudrate, bytesize=8, parity="N", stopbits=1, timeout=timeout_s, exclusive=True
    )
    return port


@dataclass(frozen=True, slots=True)
class Board:
    """One board on the bus: its address (DIP switches), its model, whether infrared sensors are fitted."""

    address: int
    model: Model
    infrared: bool = False

    @classmethod
    def of(cls, address: int, model: str, infrared: bool = False) -> Board:
        return cls(address, MODELS[model], infrared)


class KerongDoors:
    def __init__(
        self,
        *,
        port: str,
        boards: Sequence[Board],
        baudrate: int = 19200,
        reply_timeout_s: float = REPLY_TIMEOUT_S,
        open_port: OpenPort = open_serial,
        name: str = "kerong",
    ) -> None:
        if not boards:
            raise ValueError("a Kerong bus needs at least one board")
        for board in boards:
            if board.infrared and not board.model.infrared:
                raise ValueError(f"a {board.model.name} board reports no infrared sensors")
        self.name = name
        self._path = port
        self._baudrate = baudrate
        self._timeout_s = reply_timeout_s
        self._open_port = open_port
        self._boards = list(boards)
        self._doors: list[tuple[Board, int]] = [
            (b, lock) for b in self._boards for lock in range(b.model.locks)
        ]
        self._bus = threading.Lock()
        self._port: Port | None = None
        self.online: bool | None = None  # None until the bus has been asked anything
        self.last_error: str | None = None
        self.faults: collections.Counter[str] = collections.Counter()
        self.frames_sent = 0
        self.unconfirmed_opens = 0  # opens whose reply was lost, answered by a status read instead
        self._last: dict[int, DoorReading] = {}  # each door as last read, for status() without the bus
        try:
            self._ensure_port()
        except DoorFault as exc:
            log.error("%s: %s; trying again at the next request", self.name, exc)

    def count(self) -> int:
        return len(self._doors)

    def has_sensor(self, door: int) -> bool:
        check_door(door, self.count())
        return True  # the lock's hook switch

    def where(self, door: int) -> str:
        """The door's board and lock, as a technician finds them in the locker."""
        check_door(door, self.count())
        board, lock = self._doors[door]
        return f"{board.model.name} board {board.address}, lock {lock}"

    def read(self, door: int) -> DoorReading:
        check_door(door, self.count())
        board, lock = self._doors[door]
        with self._bus:
            status = self._status(board)
        return self._keep({door: self._reading(door, board, lock, status)})[door]

    def read_all(self) -> dict[int, DoorReading]:
        with self._bus:
            statuses = {board.address: self._status(board) for board in self._boards}
        return self._keep(
            {
                door: self._reading(door, board, lock, statuses[board.address])
                for door, (board, lock) in enumerate(self._doors)
            }
        )

    def pulse(self, door: int) -> None:
        check_door(door, self.count())
        board, lock = self._doors[door]
        request = open_request(board.model, board.address, lock)
        with self._bus:
            port = self._ensure_port()  # port_unavailable: nothing was sent
            try:
                reply = self._exchange(port, board, request)
                if board.model.infrared:
                    decode_status(board.model, request, reply)  # the CU16 answers an open with its status
                else:
                    check_open_reply(board.model, request, reply)
                self._fine()
                return
            except DoorFault as exc:
                if exc.reason == "refused":
                    self._fault(exc)
                    raise
                lost = exc
            self.unconfirmed_opens += 1
            log.warning(
                "%s: door %d: open sent, %s; reading the status, not sending it again", self.name, door, lost
            )
            try:
                self._status(board)
            except DoorFault as exc:
                fault = DoorFault(
                    f"door {door} ({self.where(door)}): open sent, not confirmed ({lost}), and the board "
                    f"did not answer a status request ({exc}): the door may have opened; not sent again",
                    reason="open_unconfirmed",
                )
                self._fault(fault)
                raise fault from exc

    def status(self) -> dict[str, Any]:
        return {
            "backend": "kerong",
            "port": self._path,
            "boards": [
                {"address": b.address, "model": b.model.name, "locks": b.model.locks, "infrared": b.infrared}
                for b in self._boards
            ],
            "doors": self.count(),
            # As last read; None before anything was (a door never read is not "shut").
            "open": sorted(d for d, r in self._last.items() if r.state is DoorState.OPEN)
            if self._last
            else None,
            "online": self.online,
            "last_error": self.last_error,
            "faults": dict(self.faults),
            "frames_sent": self.frames_sent,
            "unconfirmed_opens": self.unconfirmed_opens,
        }

    def close(self) -> None:
        with self._bus:
            self._drop_port()

    # The bus, under self._bus.

    def _status(self, board: Board) -> BoardStatus:
        request = status_request(board.model, board.address)
        try:
            status = decode_status(board.model, request, self._exchange(self._ensure_port(), board, request))
        except DoorFault as exc:
            self._fault(exc)
            raise
        self._fine()
        return status

    def _exchange(self, port: Port, board: Board, request: bytes) -> bytes:
        try:
            port.reset_input_buffer()  # late bytes of an earlier, lost reply are not this one's
            port.write(request)
            port.flush()
            self.frames_sent += 1
            return port.read(reply_length(board.model, request))
        except OSError as exc:  # serial.SerialException is an OSError
            self._drop_port()
            raise DoorFault(f"{self._path}: the port failed: {exc}", reason="port_failed") from exc

    def _ensure_port(self) -> Port:
        if self._port is None:
            try:
                self._port = self._open_port(self._path, self._baudrate, self._timeout_s)
            except (OSError, ValueError) as exc:
                fault = DoorFault(f"{self._path}: cannot open the lock bus: {exc}", reason="port_unavailable")
                self._fault(fault)
                raise fault from exc
        return self._port

    def _drop_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except OSError as exc:
                log.debug("%s: closing the port: %s", self.name, exc)

    def _fault(self, exc: DoorFault) -> None:
        self.online = False
        self.last_error = str(exc)
        self.faults[exc.reason] += 1

    def _fine(self) -> None:
        self.online = True
        self.last_error = None

    def _keep(self, readings: dict[int, DoorReading]) -> dict[int, DoorReading]:
        self._last.update(readings)
        return readings

    @staticmethod
    def _reading(door: int, board: Board, lock: int, status: BoardStatus) -> DoorReading:
        state = DoorState.CLOSED if status.closed[lock] else DoorState.OPEN
        occupied = status.occupied[lock] if board.infrared and status.occupied is not None else None
        return DoorReading(door, state, occupied)
