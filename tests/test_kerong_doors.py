"""The Kerong backend on a real serial line (a pty) against the fake boards: the bytes, the faults, the verified open."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.doors.base import DoorError, DoorReading, Doors, DoorState, OpenResult
from drivers.doors.faults import DoorFault
from drivers.doors.kerong import Board, KerongDoors
from drivers.doors.kerong_frames import CU16, CU48, decode_status, open_request, status_request
from drivers.doors.verify import open_door
from tests.support.fake_lock_board import FakeLockBus, seal

TIMEOUT_S = 0.1  # a board that does not answer: short, so the default run stays quick


@pytest.fixture
def bus_of() -> Iterator[Any]:
    made: list[tuple[FakeLockBus, KerongDoors]] = []

    def make(*boards: tuple[int, str], infrared: bool = False) -> tuple[FakeLockBus, KerongDoors]:
        bus = FakeLockBus(dict(boards))
        doors = KerongDoors(
            port=bus.path,
            boards=[Board.of(a, m, infrared and m == "cu16") for a, m in boards],
            reply_timeout_s=TIMEOUT_S,
        )
        made.append((bus, doors))
        return bus, doors

    yield make
    for bus, doors in made:
        doors.close()
        bus.close()


# --- the bytes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "address", "status", "opens"),
    [
        (CU16, 0, "02 00 30 03 35", {0: "02 00 31 03 36", 15: "02 0f 31 03 45"}),
        (CU16, 1, "02 10 30 03 45", {0: "02 10 31 03 46", 5: "02 15 31 03 4b"}),
        (CU16, 15, "02 f0 30 03 25", {15: "02 ff 31 03 35"}),
        (CU48, 0, "02 00 00 60 03 65", {0: "02 00 00 61 03 66", 47: "02 00 2f 61 03 95"}),
        (CU48, 2, "02 02 00 60 03 67", {9: "02 02 09 61 03 71"}),
        (CU48, 200, "02 c8 00 60 03 2d", {1: "02 c8 01 61 03 2f"}),
    ],
)
def test_request_bytes(model: Any, address: int, status: str, opens: dict[int, str]) -> None:
    assert status_request(model, address).hex(" ") == status
    for lock, frame in opens.items():
        assert open_request(model, address, lock).hex(" ") == frame


@pytest.mark.parametrize(
    ("model", "address", "lock"), [(CU16, 16, 0), (CU16, 0, 16), (CU48, 0, 48), (CU48, 256, 0), (CU16, -1, 0)]
)
def test_targets_out_of_range_are_refused(model: Any, address: int, lock: int) -> None:
    with pytest.raises(ValueError):
        open_request(model, address, lock)
    if lock == 0:
        with pytest.raises(ValueError):
            status_request(model, address)


@given(hooks=st.integers(0, 0xFFFF), infrared=st.integers(0, 0xFFFF), address=st.integers(0, 15))
def test_cu16_status_bits(hooks: int, infrared: int, address: int) -> None:
    request = status_request(CU16, address)
    data = hooks.to_bytes(2, "little") + infrared.to_bytes(2, "little")
    status = decode_status(CU16, request, seal(bytes([2, address << 4, 0x30]) + data + b"\x03"))
    assert status.closed == tuple(bool(hooks >> i & 1) for i in range(16))
    assert status.occupied == tuple(bool(infrared >> i & 1) for i in range(16))


@given(hooks=st.integers(0, 2**48 - 1), address=st.integers(0, 255))
def test_cu48_status_bits(hooks: int, address: int) -> None:
    request = status_request(CU48, address)
    reply = seal(bytes([2, address, 0, 0x75]) + hooks.to_bytes(6, "little") + b"\x03")
    status = decode_status(CU48, request, reply)
    assert status.closed == tuple(bool(hooks >> i & 1) for i in range(48))
    assert status.occupied is None


@given(st.binary(max_size=14))
def test_any_reply_is_decoded_or_refused_with_a_reason(reply: bytes) -> None:
    for model in (CU16, CU48):
        try:
            decode_status(model, status_request(model, 1), reply)
        except DoorFault as exc:
            assert exc.reason in {
                "no_reply",
                "short_reply",
                "bad_frame",
                "bad_checksum",
                "wrong_address",
                "refused",
            }


@pytest.mark.parametrize("trickle_s", [None, 0.002], ids=["whole", "byte-by-byte"])
def test_the_bytes_on_the_line_for_both_models(bus_of: Any, trickle_s: float | None) -> None:
    bus, doors = bus_of((1, "cu16"), (2, "cu48"))
    bus.trickle_s = trickle_s
    assert isinstance(doors, Doors)
    assert doors.count() == 64
    doors.read_all()
    doors.pulse(5)  # board 1's lock 5
    doors.pulse(16 + 9)  # board 2's lock 9
    doors.read(20)
    assert [f.hex(" ") for f in bus.received] == [
        "02 10 30 03 45",
        "02 02 00 60 03 67",
        "02 15 31 03 4b",
        "02 02 09 61 03 71",
        "02 02 00 60 03 67",
    ]
    assert not bus.lock(1, 5).shut and not bus.lock(2, 9).shut


def test_readings_follow_the_locks(bus_of: Any) -> None:
    bus, doors = bus_of((0, "cu16"), (3, "cu16"), infrared=True)
    bus.put(0, 2)
    bus.force_open(3, 15)
    readings = doors.read_all()
    assert len(bus.received) == 2  # read_all asks each board once
    assert readings[2] == DoorReading(2, DoorState.CLOSED, True)
    assert readings[31] == DoorReading(31, DoorState.OPEN, False)
    assert {d for d, r in readings.items() if r.state is DoorState.OPEN} == {31}
    assert doors.where(31) == "cu16 board 3, lock 15"
    # A customer at door 2: it opens, they leave the parcel and shut it; again, they take it.
    doors.pulse(2)
    assert doors.read(2) == DoorReading(2, DoorState.OPEN, True)
    bus.leave(0, 2)
    assert doors.read(2) == DoorReading(2, DoorState.CLOSED, True)
    doors.pulse(2)
    bus.take(0, 2)
    assert doors.read(2) == DoorReading(2, DoorState.CLOSED, False)


def test_occupancy_only_where_the_sensors_are_fitted(bus_of: Any) -> None:
    bus, doors = bus_of((0, "cu16"), (32, "cu48"))
    bus.put(0, 0)
    assert doors.read(0).occupied is None
    assert doors.read(16).occupied is None
    with pytest.raises(ValueError):
        KerongDoors(port=bus.path, boards=[Board.of(1, "cu48", infrared=True)])


# --- the faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fate", "reason"),
    [
        ("corrupt", "bad_checksum"),
        ("short", "short_reply"),
        ("stranger", "wrong_address"),
        ("drop", "no_reply"),
    ],
)
def test_a_bad_reply_is_a_fault_with_its_reason(bus_of: Any, fate: str, reason: str) -> None:
    bus, doors = bus_of((1, "cu16"), (4, "cu48"))
    for door in (0, 16):
        bus.fail_next(fate)
        with pytest.raises(DoorFault) as caught:
            doors.read(door)
        assert caught.value.reason == reason
        assert isinstance(caught.value, DoorError)
        assert doors.status()["online"] is False
        assert doors.read(door).state is DoorState.CLOSED  # the next request is answered again
        assert doors.status()["online"] is True


def test_a_board_that_does_not_answer(bus_of: Any) -> None:
    bus, doors = bus_of((0, "cu16"), (1, "cu16"))
    bus.boards[1].off = True
    assert doors.read(3).state is DoorState.CLOSED
    with pytest.raises(DoorFault) as caught:
        doors.read_all()
    assert caught.value.reason == "no_reply"
    assert doors.status()["faults"] == {"no_reply": 1}
    with pytest.raises(DoorFault):
        doors.pulse(17)
    assert bus.lock(1, 1).shut


def test_a_refusal(bus_of: Any) -> None:
    bus, doors = bus_of((7, "cu48"))
    bus.boards[7].locks = bus.boards[7].locks[:40]  # a board that refuses locks it does not drive
    with pytest.raises(DoorFault) as caught:
        doors.pulse(45)
    assert caught.value.reason == "refused"
    assert len(bus.opens()) == 1


def test_a_lost_open_reply_is_never_resent(bus_of: Any) -> None:
    bus, doors = bus_of((0, "cu16"), (32, "cu48"))
    for door, (address, lock) in ((3, (0, 3)), (20, (32, 4))):
        bus.fail_next("drop")  # the board opens the lock, its reply is lost
        doors.pulse(door)  # the status read answers instead
        assert not bus.lock(address, lock).shut
    assert len(bus.opens()) == 2
    assert doors.status()["unconfirmed_opens"] == 2
    assert doors.read(3).state is DoorState.OPEN


def test_an_open_neither_confirmed_nor_followed_by_a_status(bus_of: Any) -> None:
    bus, doors = bus_of((0, "cu16"))
    bus.fail_next("drop", "drop")
    with pytest.raises(DoorFault) as caught:
        doors.pulse(2)
    assert caught.value.reason == "open_unconfirmed"
    assert len(bus.opens()) == 1  # sent once, not again
    assert not bus.lock(0, 2).shut  # it did open


def test_an_absent_port_sends_nothing_and_is_found_later(tmp_path: Any) -> None:
    bus = FakeLockBus({0: "cu16"})
    try:
        link = tmp_path / "doors"
        doors = KerongDoors(port=str(link), boards=[Board.of(0, "cu16")], reply_timeout_s=TIMEOUT_S)
        with pytest.raises(DoorFault) as caught:
            doors.pulse(0)
        assert caught.value.reason == "port_unavailable"
        link.symlink_to(bus.path)  # the adapter is plugged in
        assert doors.read(0).state is DoorState.CLOSED
        assert bus.opens() == []
        doors.close()
    finally:
        bus.close()


# --- the verified open against the boards --------------------------------------------------------


def test_open_door_results(bus_of: Any) -> None:
    bus, doors = bus_of((0, "cu16"), (32, "cu48"))
    for door, (address, lock) in ((0, (0, 0)), (30, (32, 14))):
        assert open_door(doors, door, opened_within_s=0.3, poll_s=0.01) is OpenResult.OPENED
        assert open_door(doors, door, opened_within_s=0.3, poll_s=0.01) is OpenResult.ALREADY_OPEN
        bus.take(address, lock)
        bus.jam(address, lock)
        assert open_door(doors, door, opened_within_s=0.1, poll_s=0.01) is OpenResult.JAMMED
    assert len(bus.opens()) == 4  # opened and jammed fired, already open did not


def test_open_door_not_verified_without_a_sensor(bus_of: Any) -> None:
    """A Kerong door always has its hook switch; NOT_VERIFIED comes from a backend without one."""

    class HookBroken(KerongDoors):
        def has_sensor(self, door: int) -> bool:
            return False

    bus = FakeLockBus({0: "cu16"})
    doors = HookBroken(port=bus.path, boards=[Board.of(0, "cu16")], reply_timeout_s=TIMEOUT_S)
    try:
        assert open_door(doors, 4) is OpenResult.NOT_VERIFIED
        assert len(bus.opens()) == 1
    finally:
        doors.close()
        bus.close()


def test_starting_on_the_bus_opens_nothing(bus_of: Any) -> None:
    """After a power cut the daemon starts, opens the port, reads every door: no open frame."""
    bus, doors = bus_of((0, "cu16"), (1, "cu16"), (34, "cu48"))
    bus.force_open(1, 3)  # a door left open when the power went
    readings = doors.read_all()
    doors.close()
    again = KerongDoors(port=bus.path, boards=[Board.of(0, "cu16")], reply_timeout_s=TIMEOUT_S)
    again.close()
    assert readings[19].state is DoorState.OPEN
    assert bus.opens() == []
    assert all(lock.shut for a in (0, 34) for lock in bus.boards[a].locks)


def test_the_frames_in_docs_doors_md_are_whole() -> None:
    """Every complete frame docs/doors.md shows opens with STX, closes with ETX and its checksum."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "doors.md").read_text(encoding="utf-8")
    frames = [bytes.fromhex(f) for f in re.findall(r"`((?:[0-9A-F]{2} ){4,}[0-9A-F]{2})`", text)]
    assert len(frames) >= 7
    for frame in frames:
        assert frame[0] == 0x02 and frame[-2] == 0x03 and frame == seal(frame[:-1]), frame.hex(" ")
    requests = {f.hex(" ") for f in frames}
    assert {status_request(CU16, 1).hex(" "), open_request(CU48, 2, 9).hex(" ")} <= requests
