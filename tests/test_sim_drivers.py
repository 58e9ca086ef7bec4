"""Tests for the simulated input sources, lights, buzzer and screen."""

from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from drivers.base import (
    Beep,
    Buzzer,
    CellLights,
    CodeSource,
    Color,
    Pattern,
    RawScan,
    Screen,
    StatusLight,
)
from drivers.exc import DeviceGone, DriverError
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from drivers.scanner.sim_input import MAX_LINE_BYTES, ScriptSource, StreamSource


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


async def collect(codes: AsyncIterator[RawScan], timeout: float = 5.0) -> list[RawScan]:
    async def run() -> list[RawScan]:
        return [scan async for scan in codes]

    return await asyncio.wait_for(run(), timeout)


def stream_scans(data: bytes | list[bytes], name: str = "kbd") -> list[RawScan]:
    stream: io.BytesIO | ChunkedStream = io.BytesIO(data) if isinstance(data, bytes) else ChunkedStream(data)
    source = StreamSource(name=name, stream=stream)  # type: ignore[arg-type]
    return asyncio.run(collect(source.codes()))


class ChunkedStream:
    """Hands out fixed chunks, one per read, to exercise terminators split across reads."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)

    def read1(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


# --- ScriptSource ---------------------------------------------------------------------


def test_script_source_satisfies_protocol() -> None:
    assert isinstance(ScriptSource(name="s"), CodeSource)
    assert isinstance(StreamSource(name="s", stream=io.BytesIO()), CodeSource)


def test_script_source_yields_codes_in_order_with_invalid_utf8_untouched() -> None:
    bad = b"\xff\xfe\x80PVZ"
    source = ScriptSource(name="scan1", codes=["A1", bad, "Ж-7", b""])
    source.close()
    scans = asyncio.run(collect(source.codes()))
    assert scans == [
        RawScan(source="scan1", data=b"A1", keyed=False),
        RawScan(source="scan1", data=bad, keyed=False),
        RawScan(source="scan1", data="Ж-7".encode(), keyed=False),
        RawScan(source="scan1", data=b"", keyed=False),
    ]
    assert source.status()["codes_read"] == 4
    assert source.status()["pending"] == 0


def test_script_source_keyed_flag_is_applied() -> None:
    source = ScriptSource(name="keypad", codes=["1234"], keyed=True)
    source.close()
    (scan,) = asyncio.run(collect(source.codes()))
    assert scan == RawScan(source="keypad", data=b"1234", keyed=True)


def test_script_source_accepts_any_iterable_once() -> None:
    source = ScriptSource(name="s", codes=(c for c in ["x", "y"]))
    source.close()
    assert [s.data for s in asyncio.run(collect(source.codes()))] == [b"x", b"y"]


def test_script_source_rejects_non_code() -> None:
    source = ScriptSource(name="s")
    with pytest.raises(TypeError):
        source.feed(123)  # type: ignore[arg-type]


def test_script_source_feed_and_close_while_iterating() -> None:
    async def scenario() -> tuple[list[bytes], list[bool]]:
        source = ScriptSource(name="s", codes=["first"])
        got: list[bytes] = []
        waiting: list[bool] = []

        async def consume() -> None:
            async for scan in source.codes():
                got.append(scan.data)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0.01)
        # The consumer has drained the script and must still be waiting, not finished.
        waiting.append(not task.done())
        assert got == [b"first"]
        source.feed("second")
        source.feed(b"\xc3\x28")
        await asyncio.sleep(0.01)
        waiting.append(not task.done())
        source.close()
        await asyncio.wait_for(task, 1.0)
        return got, waiting

    got, waiting = asyncio.run(scenario())
    assert got == [b"first", b"second", b"\xc3\x28"]
    assert waiting == [True, True]


def test_script_source_close_drains_queue_before_ending() -> None:
    async def scenario() -> list[bytes]:
        source = ScriptSource(name="s")
        source.feed("a")
        source.feed("b")
        source.close()
        return [scan.data for scan in await collect(source.codes())]

    assert asyncio.run(scenario()) == [b"a", b"b"]


def test_script_source_after_close() -> None:
    source = ScriptSource(name="s", codes=["a"])
    source.close()
    source.close()  # idempotent
    assert source.closed
    with pytest.raises(RuntimeError):
        source.feed("late")
    assert len(asyncio.run(collect(source.codes()))) == 1
    # A second iteration ends at once instead of hanging on the empty queue.
    assert asyncio.run(collect(source.codes(), timeout=1.0)) == []


def test_script_source_status() -> None:
    source = ScriptSource(name="s", codes=["a", "b"], keyed=True)
    status = source.status()
    assert status == {
        "name": "s",
        "kind": "script",
        "keyed": True,
        "codes_read": 0,
        "pending": 2,
        "closed": False,
    }
    json.dumps(status)


# --- StreamSource ---------------------------------------------------------------------


def test_stream_source_cr_lf_crlf_and_keypad_prefix() -> None:
    data = b"LF1\nCR1\rCRLF1\r\nk:4321\r\nk:\nLAST"
    scans = stream_scans(data)
    assert scans == [
        RawScan(source="kbd", data=b"LF1"),
        RawScan(source="kbd", data=b"CR1"),
        RawScan(source="kbd", data=b"CRLF1"),
        RawScan(source="kbd", data=b"4321", keyed=True),
        RawScan(source="kbd", data=b"LAST"),
    ]


def test_stream_source_every_line_is_one_code() -> None:
    # No special syntax beyond "k:": "#123", a "K:" and bytes are passed through as-is.
    scans = stream_scans(b"#123\nK:9\n\xff\xfe\n x \n")
    assert [(s.data, s.keyed) for s in scans] == [
        (b"#123", False),
        (b"K:9", False),
        (b"\xff\xfe", False),
        (b" x ", False),
    ]


def test_stream_source_skips_empty_lines_and_counts() -> None:
    source = StreamSource(name="kbd", stream=io.BytesIO(b"\n\r\n\rA\n\n"))
    scans = asyncio.run(collect(source.codes()))
    assert [s.data for s in scans] == [b"A"]
    assert source.status() == {
        "name": "kbd",
        "kind": "stream",
        "codes_read": 1,
        "eof": True,
        "discarded_overlong": 0,
    }


def test_stream_source_drops_a_line_with_no_end_instead_of_growing() -> None:
    """/dev/zero piped in by mistake: the endless line is discarded whole, never held, and the
    codes after its end (or before it) still come through."""
    endless = [b"\0" * 4096] * 64  # 256 KiB with no terminator, read in chunks
    source = StreamSource(
        name="kbd", stream=io.BytesIO(b"A1\n" + b"".join(endless) + b"\nB2\n" + b"x" * 5000)
    )
    scans = asyncio.run(collect(source.codes()))
    assert [s.data for s in scans] == [b"A1", b"B2"]
    assert source.status()["discarded_overlong"] == 2
    assert len(source._splitter._buf) <= MAX_LINE_BYTES


def test_stream_source_crlf_split_across_reads() -> None:
    scans = stream_scans([b"AB\r", b"\nCD\r", b"EF\r", b"", b"GH"])
    assert [s.data for s in scans] == [b"AB", b"CD", b"EF"]


def test_stream_source_line_split_across_reads() -> None:
    scans = stream_scans([b"12", b"34\r", b"\n", b"56\n"])
    assert [s.data for s in scans] == [b"1234", b"56"]


def test_stream_source_empty_stream_ends() -> None:
    assert stream_scans(b"") == []


def test_stream_source_after_eof_ends_again() -> None:
    source = StreamSource(name="kbd", stream=io.BytesIO(b"A\n"))
    assert len(asyncio.run(collect(source.codes()))) == 1
    assert asyncio.run(collect(source.codes(), timeout=1.0)) == []


def test_stream_source_does_not_block_the_loop() -> None:
    read_fd, write_fd = os.pipe()
    writer_open = True

    def close_writer() -> None:
        nonlocal writer_open
        if writer_open:
            writer_open = False
            os.close(write_fd)

    async def scenario(source: StreamSource) -> tuple[list[bytes], int]:
        got: list[bytes] = []
        ticks = 0

        async def consume() -> None:
            async for scan in source.codes():
                got.append(scan.data)

        task = asyncio.create_task(consume())
        # While the reader thread is blocked on the empty pipe the loop keeps running.
        for _ in range(5):
            await asyncio.sleep(0.005)
            ticks += 1
        assert got == []
        os.write(write_fd, b"one\r")
        for _ in range(200):
            if got:
                break
            await asyncio.sleep(0.005)
        # A CR-terminated line is delivered without waiting for more input.
        assert got == [b"one"]
        os.write(write_fd, b"\ntwo\n")
        close_writer()
        await asyncio.wait_for(task, 2.0)
        return got, ticks

    with os.fdopen(read_fd, "rb") as reader:
        try:
            got, ticks = asyncio.run(scenario(StreamSource(name="pipe", stream=reader)))
        finally:
            # EOF first: closing a buffered reader while its thread is blocked in a read
            # would deadlock on the buffer's lock.
            close_writer()
    assert got == [b"one", b"two"]
    assert ticks == 5


def test_stream_source_read_error_becomes_device_gone() -> None:
    class Broken:
        def read1(self, size: int = -1) -> bytes:
            raise OSError("unplugged")

    source = StreamSource(name="kbd", stream=Broken())  # type: ignore[arg-type]
    with pytest.raises(DeviceGone) as info:
        asyncio.run(collect(source.codes()))
    assert isinstance(info.value, DriverError)
    assert isinstance(info.value.__cause__, OSError)


def test_stream_source_falls_back_to_readline() -> None:
    class LinesOnly:
        def __init__(self) -> None:
            self._lines = iter([b"a\r\n", b"k:7\n", b""])

        def readline(self) -> bytes:
            return next(self._lines)

    source = StreamSource(name="kbd", stream=LinesOnly())  # type: ignore[arg-type]
    scans = asyncio.run(collect(source.codes()))
    assert [(s.data, s.keyed) for s in scans] == [(b"a", False), (b"7", True)]


# --- lights, buzzer, screen -----------------------------------------------------------


def test_sim_outputs_satisfy_protocols() -> None:
    assert isinstance(SimCellLights(), CellLights)
    assert isinstance(SimStatusLight(), StatusLight)
    assert isinstance(SimBuzzer(), Buzzer)
    assert isinstance(SimScreen(), Screen)


def test_cell_lights_history_and_lit() -> None:
    lights = SimCellLights(clock=FakeClock())
    assert lights.lit() == {}
    lights.show(3, Pattern.BLINK)
    lights.show(1, Pattern.STEADY)
    lights.show(3, Pattern.FAST_BLINK)
    lights.show(7, Pattern.OFF)
    assert lights.lit() == {1: Pattern.STEADY, 3: Pattern.FAST_BLINK}
    assert lights.pattern(7) is Pattern.OFF
    assert lights.pattern(99) is Pattern.OFF
    assert lights.history == [
        (101.0, 3, Pattern.BLINK),
        (102.0, 1, Pattern.STEADY),
        (103.0, 3, Pattern.FAST_BLINK),
        (104.0, 7, Pattern.OFF),
    ]


def test_cell_lights_clear_records_each_lit_channel() -> None:
    lights = SimCellLights(clock=FakeClock())
    lights.show(5, Pattern.STEADY)
    lights.show(2, Pattern.BLINK)
    lights.show(9, Pattern.OFF)
    lights.clear()
    assert lights.lit() == {}
    assert lights.pattern(5) is Pattern.OFF
    assert lights.history[3:] == [(104.0, 2, Pattern.OFF), (104.0, 5, Pattern.OFF)]
    lights.clear()  # nothing lit: nothing to record
    assert len(lights.history) == 5


def test_cell_lights_reject_bad_input() -> None:
    lights = SimCellLights()
    with pytest.raises(ValueError):
        lights.show(-1, Pattern.STEADY)
    with pytest.raises(TypeError):
        lights.show(1, "steady")  # type: ignore[arg-type]
    assert lights.history == []


def test_history_is_capped() -> None:
    lights = SimCellLights(clock=FakeClock(), max_history=3)
    for ch in range(5):
        lights.show(ch, Pattern.STEADY)
    assert [ch for _, ch, _ in lights.history] == [2, 3, 4]
    assert len(lights.lit()) == 5
    with pytest.raises(ValueError):
        SimBuzzer(max_history=0)


def test_status_light() -> None:
    light = SimStatusLight(clock=FakeClock())
    assert not light.lit
    assert (light.color, light.pattern) == (Color.OFF, Pattern.OFF)
    light.show(Color.AMBER)
    light.show(Color.RED, Pattern.FAST_BLINK)
    assert light.lit
    assert (light.color, light.pattern) == (Color.RED, Pattern.FAST_BLINK)
    assert light.history == [
        (101.0, Color.AMBER, Pattern.STEADY),
        (102.0, Color.RED, Pattern.FAST_BLINK),
    ]
    light.show(Color.GREEN, Pattern.OFF)
    assert not light.lit


def test_buzzer_counts() -> None:
    buzzer = SimBuzzer(clock=FakeClock())
    assert buzzer.last is None
    for beep in (Beep.OK, Beep.ERROR, Beep.OK):
        buzzer.beep(beep)
    assert buzzer.last is Beep.OK
    assert buzzer.counts == {Beep.OK: 2, Beep.WARN: 0, Beep.ERROR: 1}
    assert buzzer.history == [(101.0, Beep.OK), (102.0, Beep.ERROR), (103.0, Beep.OK)]


def test_screen_keeps_last_frame_history_and_echo() -> None:
    echoed: list[str] = []
    screen = SimScreen(clock=FakeClock(), echo=echoed.append)
    lines = ["Cell 12", "Scan next"]
    screen.show("Issue", lines)
    lines.append("mutated later")
    screen.show("Ready", [])
    assert (screen.title, screen.lines) == ("Ready", [])
    assert screen.history == [(101.0, "Issue", ["Cell 12", "Scan next"]), (102.0, "Ready", [])]
    assert echoed == ["[Issue]\n  Cell 12\n  Scan next", "[Ready]"]


def test_status_dicts_are_json_serialisable() -> None:
    lights = SimCellLights()
    lights.show(4, Pattern.BLINK)
    light = SimStatusLight()
    light.show(Color.GREEN, Pattern.BLINK)
    buzzer = SimBuzzer()
    buzzer.beep(Beep.WARN)
    screen = SimScreen()
    screen.show("Привет", ["строка"])
    source = ScriptSource(name="s", codes=[b"\xff"])
    stream = StreamSource(name="kbd", stream=io.BytesIO(b"x\n"))

    statuses: list[dict[str, Any]] = [
        lights.status(),
        light.status(),
        buzzer.status(),
        screen.status(),
        source.status(),
        stream.status(),
    ]
    for status in statuses:
        assert json.loads(json.dumps(status)) == status

    assert lights.status() == {"kind": "sim", "lit": {"4": "blink"}, "changes": 1}
    assert light.status() == {"kind": "sim", "color": "green", "pattern": "blink", "changes": 1}
    assert buzzer.status() == {
        "kind": "sim",
        "last": "warn",
        "counts": {"ok": 0, "warn": 1, "error": 0},
    }
    assert screen.status() == {"kind": "sim", "title": "Привет", "lines": ["строка"], "updates": 1}


def test_stream_source_stop_ends_a_reader_blocked_on_an_open_pipe() -> None:
    """A stop signal comes while nothing was typed: stop() wakes the thread and joins it."""
    read_fd, write_fd = os.pipe()

    async def scenario(source: StreamSource) -> None:
        task = asyncio.create_task(collect(source.codes()))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        with os.fdopen(read_fd, "rb") as reader:
            source = StreamSource(name="pipe", stream=reader)
            asyncio.run(scenario(source))
            thread = source._thread
            assert thread is not None and thread.is_alive()
            source.stop()
            assert not thread.is_alive()
            assert source._thread is None
    finally:
        os.close(write_fd)
