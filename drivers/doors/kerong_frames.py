"""The bytes of Kerong lock-control boards (KR-CU16, CU48): requests built, replies checked and decoded.

Pure functions, no port: the backend (kerong.py) and the tests share them, and the fake board
in tests/support/fake_lock_board.py speaks the same bytes from its own code.

Every frame opens with STX (0x02), closes with ETX (0x03) and a checksum: the low byte of the
sum of every byte before it, STX and ETX included.

KR-CU16, 16 locks, board address 0-15 (DIP switches), five-byte requests: the board address is the
high nibble of ADDR and the lock the low nibble.
    status  02 ADDR 30 03 SUM                  ADDR = board << 4
    open    02 ADDR 31 03 SUM                  ADDR = board << 4 | lock
    reply   02 ADDR CMD H1 H2 I1 I2 03 SUM     to both; ADDR and CMD echo the request
H1/H2: a bit per lock (bit 0 of H1 is lock 0, bit 0 of H2 lock 8), set while the lock's hook is
closed, that is while its door is shut and latched. I1/I2: the same for the infrared sensor in
each cell, set while something is in it (meaningful only where the sensors are fitted).

CU48, 48 locks, board address 0-255, six-byte requests with the lock in its own byte:
    status  02 ADDR 00 60 03 SUM
    open    02 ADDR LOCK 61 03 SUM
    status reply  02 ADDR 00 75 D1 D2 D3 D4 D5 D6 03 SUM    D1 bit 0 is lock 0; set: hook closed
    open reply    02 ADDR LOCK 75 03 SUM
0x75 says the board carried the command out; a six-byte reply with anything else there is a refusal.
The CU48 reports no occupancy.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.doors.faults import DoorFault

STX = 0x02
ETX = 0x03
CU48_ACCEPTED = 0x75  # the CU48's status byte for a command carried out


@dataclass(frozen=True, slots=True)
class Model:
    """One kind of board: how many locks it drives and the command bytes it speaks."""

    name: str
    locks: int
    status_cmd: int
    open_cmd: int
    max_address: int
    infrared: bool  # its status reply carries the cells' infrared sensors


CU16 = Model("cu16", locks=16, status_cmd=0x30, open_cmd=0x31, max_address=0x0F, infrared=True)
CU48 = Model("cu48", locks=48, status_cmd=0x60, open_cmd=0x61, max_address=0xFF, infrared=False)
MODELS = {m.name: m for m in (CU16, CU48)}


@dataclass(frozen=True, slots=True)
class BoardStatus:
    """One board's locks as its status reply says: per lock, shut and latched; and occupied where reported."""

    closed: tuple[bool, ...]
    occupied: tuple[bool, ...] | None


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def _seal(body: bytes) -> bytes:
    return body + bytes([checksum(body)])


def _check_target(model: Model, address: int, lock: int) -> None:
    if not 0 <= address <= model.max_address:
        raise ValueError(f"a {model.name} board's address is 0-{model.max_address}, got {address}")
    if not 0 <= lock < model.locks:
        raise ValueError(f"a {model.name} board's locks are 0-{model.locks - 1}, got {lock}")


def status_request(model: Model, address: int) -> bytes:
    _check_target(model, address, 0)
    if model is CU16:
        return _seal(bytes([STX, address << 4, model.status_cmd, ETX]))
    return _seal(bytes([STX, address, 0, model.status_cmd, ETX]))


def open_request(model: Model, address: int, lock: int) -> bytes:
    _check_target(model, address, lock)
    if model is CU16:
        return _seal(bytes([STX, address << 4 | lock, model.open_cmd, ETX]))
    return _seal(bytes([STX, address, lock, model.open_cmd, ETX]))


def reply_length(model: Model, request: bytes) -> int:
    """How many bytes the board answers `request` with, when it carries it out."""
    if model is CU16:
        return 9
    return 12 if request[3] == model.status_cmd else 6


def decode_status(model: Model, request: bytes, reply: bytes) -> BoardStatus:
    """The board's locks from its reply to `request` (a status request, or a CU16 open); raises DoorFault."""
    _check_frame(model, request, reply)
    if model is CU16:
        hooks = reply[3] | reply[4] << 8
        infrared = reply[5] | reply[6] << 8
        return BoardStatus(_bits(hooks, 16), _bits(infrared, 16))
    return BoardStatus(_bits(int.from_bytes(reply[4:10], "little"), 48), None)


def check_open_reply(model: Model, request: bytes, reply: bytes) -> None:
    """Raise DoorFault unless `reply` is the board's confirmation of the open `request`."""
    _check_frame(model, request, reply)


def _bits(value: int, count: int) -> tuple[bool, ...]:
    return tuple(bool(value >> i & 1) for i in range(count))


def _check_frame(model: Model, request: bytes, reply: bytes) -> None:
    """The checks every reply passes, in the order a technician reads them: length, framing,
    checksum, who answered, to what."""
    expected = reply_length(model, request)
    who = _who(model, request)
    if model is CU48 and len(reply) == 6 and _sealed(reply) and reply[3] != CU48_ACCEPTED:
        _check_address(model, request, reply, who)
        raise DoorFault(f"{who} refused the command (status byte 0x{reply[3]:02x})", reason="refused")
    if len(reply) < expected:
        got = reply.hex(" ") or "nothing"
        raise DoorFault(
            f"{who} replied {len(reply)} of {expected} bytes ({got})",
            reason="short_reply" if reply else "no_reply",
        )
    if reply[0] != STX or reply[expected - 2] != ETX or len(reply) != expected:
        raise DoorFault(f"{who} sent a malformed reply ({reply.hex(' ')})", reason="bad_frame")
    if not _sealed(reply):
        raise DoorFault(
            f"{who} reply checksum 0x{reply[-1]:02x}, its bytes sum to 0x{checksum(reply[:-1]):02x}",
            reason="bad_checksum",
        )
    _check_address(model, request, reply, who)
    if model is CU16 and reply[2] != request[2]:
        raise DoorFault(f"{who} answered command 0x{reply[2]:02x}", reason="bad_frame")
    if model is CU48:
        if reply[2] != request[2]:
            raise DoorFault(f"{who} answered for lock {reply[2]}", reason="bad_frame")
        if reply[3] != CU48_ACCEPTED:
            raise DoorFault(f"{who} refused the command (status byte 0x{reply[3]:02x})", reason="refused")


def _sealed(frame: bytes) -> bool:
    return len(frame) >= 2 and frame[0] == STX and frame[-2] == ETX and frame[-1] == checksum(frame[:-1])


def _check_address(model: Model, request: bytes, reply: bytes, who: str) -> None:
    if reply[1] == request[1]:
        return
    if model is CU16 and reply[1] >> 4 == request[1] >> 4:  # the board itself, for another lock
        raise DoorFault(f"{who} answered for lock {reply[1] & 0x0F}", reason="bad_frame")
    other = reply[1] >> 4 if model is CU16 else reply[1]
    raise DoorFault(f"{who} was asked, board {other} answered", reason="wrong_address")


def _who(model: Model, request: bytes) -> str:
    address = request[1] >> 4 if model is CU16 else request[1]
    return f"{model.name} board {address}"
