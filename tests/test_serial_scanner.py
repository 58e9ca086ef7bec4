"""Tests for the serial scanner over real pseudo-terminals: line endings, garbage, framing, unplug and re-plug."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import CodeSource, RawScan
from drivers.scanner.device_paths import parse_ids
from drivers.scanner.serial_scanner import LineFramer, SerialScanner, find_ports

INTERVAL = 0.05


class Pty:
    """A pseudo-terminal: the scanner opens the slave by path, the test writes to the master."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def unplug(self) -> None:
        """Closing the master makes reads of the slave fail, as an unplugged ttyACM does."""
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


@pytest.fixture
def ptys() -> Any:
    made: list[Pty] = []

    def make() -> Pty:
        made.append(Pty())
        return made[-1]

    yield make
    for pty in made:
        pty.unplug()


async def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for the scanner")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def reading(source: CodeSource) -> AsyncIterator[list[RawScan]]:
    got: list[RawScan] = []

    async def consume() -> None:
        async for scan in source.codes():
            got.append(scan)

    task = asyncio.create_task(consume())
    try:
        yield got
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def connected(scanner: SerialScanner) -> Callable[[], bool]:
    return lambda: bool(scanner.status()["connected"])


def scan_codes(pty: Pty, chunks: list[bytes], expected: int, **kwargs: Any) -> list[bytes]:
    async def main() -> list[bytes]:
        scanner = SerialScanner(name="counter/scanner0", path=pty.path, reopen_interval_s=INTERVAL, **kwargs)
        async with reading(scanner) as got:
            await wait_until(connected(scanner))
            for chunk in chunks:
                pty.write(chunk)
                await asyncio.sleep(0.02)  # separate reads, so terminators fall across chunks
            await wait_until(lambda: len(got) >= expected)
            await asyncio.sleep(0.05)  # nothing more may come
        assert all(scan.source == "counter/scanner0" for scan in got)
        return [scan.data for scan in got]

    return asyncio.run(main())


def test_cr_lf_and_crlf_each_end_one_code(ptys: Any) -> None:
    chunks = [b"4601234567893\r", b"LF-CODE\n", b"CRLF-CODE\r\n", b"SPLIT\r", b"\nLAST\r"]
    codes = scan_codes(ptys(), chunks, 5)
    assert codes == [b"4601234567893", b"LF-CODE", b"CRLF-CODE", b"SPLIT", b"LAST"]


@pytest.mark.parametrize("terminator", ["cr", "lf"])
def test_cr_and_lf_settings_accept_every_ending(ptys: Any, terminator: str) -> None:
    codes = scan_codes(ptys(), [b"A\rB\nC\r\nD\n\r"], 4, terminator=terminator)
    assert codes == [b"A", b"B", b"C", b"D"]


def test_crlf_setting_keeps_lone_cr_and_lf_inside_a_code(ptys: Any) -> None:
    codes = scan_codes(ptys(), [b"line1\rline2\nline3\r", b"\nNEXT\r\n"], 2, terminator="crlf")
    assert codes == [b"line1\rline2\nline3", b"NEXT"]


def test_garbage_bytes_pass_through_untouched(ptys: Any) -> None:
    garbage = b"\x00\xff\xfe\x80\x03\x11\x13\x16\x7f\x1b[A\xd0"
    codes = scan_codes(ptys(), [garbage + b"\r", b"OK\r"], 2)
    assert codes == [garbage, b"OK"]


def test_prefix_and_suffix_are_stripped_when_present(ptys: Any) -> None:
    codes = scan_codes(ptys(), [b"]C1ABC#\r", b"PLAIN\r", b"]C1\r"], 2, prefix="]C1", suffix="#")
    assert codes == [b"ABC", b"PLAIN"]


def test_keypad_codes_are_keyed(ptys: Any) -> None:
    pty = ptys()

    async def main() -> list[RawScan]:
        scanner = SerialScanner(name="pad", path=pty.path, keypad=True, reopen_interval_s=INTERVAL)
        async with reading(scanner) as got:
            await wait_until(connected(scanner))
            pty.write(b"123456\r")
            await wait_until(lambda: len(got) == 1)
        return got

    assert asyncio.run(main()) == [RawScan(source="pad", data=b"123456", keyed=True)]


def test_an_overlong_line_is_discarded_and_logged(ptys: Any, caplog: pytest.LogCaptureFixture) -> None:
    pty = ptys()

    async def main() -> tuple[list[bytes], dict[str, Any]]:
        scanner = SerialScanner(name="s", path=pty.path, max_code_bytes=16, reopen_interval_s=INTERVAL)
        async with reading(scanner) as got:
            await wait_until(connected(scanner))
            pty.write(b"X" * 40 + b"\rOK\r")
            for chunk in (b"Y" * 10, b"Y" * 10, b"Y" * 10, b"\r", b"EXACTLY-16-BYTES\r"):
                pty.write(chunk)
                await asyncio.sleep(0.02)
            await wait_until(lambda: len(got) == 2)
        return [scan.data for scan in got], scanner.status()

    with caplog.at_level(logging.WARNING, logger="pvz.drivers.serial"):
        codes, status = asyncio.run(main())
    assert codes == [b"OK", b"EXACTLY-16-BYTES"]
    assert status["overlong_discarded"] == 2
    assert len([r for r in caplog.records if "over 16 bytes" in r.getMessage()]) == 2


def test_unplug_drops_the_half_line_and_the_replugged_port_continues(
    ptys: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    link = tmp_path / "scanner"
    first = ptys()
    link.symlink_to(first.path)

    async def main() -> tuple[list[bytes], SerialScanner]:
        scanner = SerialScanner(name="s", path=str(link), reopen_interval_s=INTERVAL)
        async with reading(scanner) as got:
            await wait_until(connected(scanner))
            first.write(b"ONE\r")
            await wait_until(lambda: len(got) == 1)
            first.write(b"HALF")
            await asyncio.sleep(0.05)  # read into the partial line
            first.unplug()
            await wait_until(lambda: not scanner.status()["connected"])
            await asyncio.sleep(4 * INTERVAL)  # several failed looks at a dead port
            second = ptys()
            tmp = tmp_path / "scanner.new"
            tmp.symlink_to(second.path)
            tmp.replace(link)
            await wait_until(lambda: scanner.status()["reconnects"] == 1 and scanner.status()["connected"])
            second.write(b"TWO\r")
            await wait_until(lambda: len(got) == 2)
            await asyncio.sleep(0.1)
        return [scan.data for scan in got], scanner

    with caplog.at_level(logging.INFO, logger="pvz.drivers.serial"):
        codes, scanner = asyncio.run(main())
    assert codes == [b"ONE", b"TWO"]
    status = scanner.status()
    assert status["codes_read"] == 2
    assert status["path"] == str(link)
    assert status["connected"] is False  # the consumer stopped, so the port was closed
    assert status["last_error"]  # the last failure stays visible after recovery
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "partial code was dropped" in warnings[0]
    assert len([r for r in caplog.records if "reading" in r.getMessage()]) == 2


def test_missing_port_is_looked_for_again_without_log_spam(caplog: pytest.LogCaptureFixture) -> None:
    sleeps: list[float] = []

    class Stop(Exception):
        pass

    async def sleep(delay: float) -> None:
        sleeps.append(delay)
        if len(sleeps) == 5:
            raise Stop

    def fail(path: str, baudrate: int) -> Any:
        raise OSError(errno.ENOENT, "No such file or directory")

    scanner = SerialScanner(
        name="s",
        path="/dev/ttyACM*",
        reopen_interval_s=2.5,
        list_paths=lambda p: ["/dev/ttyACM0"],
        open_port=fail,
        sleep=sleep,
    )

    async def main() -> None:
        async for _ in scanner.codes():
            pass

    with caplog.at_level(logging.INFO, logger="pvz.drivers.serial"), pytest.raises(Stop):
        asyncio.run(main())
    assert sleeps == [2.5] * 5
    assert len(caplog.records) == 1
    status = scanner.status()
    assert status["connected"] is False
    assert status["last_error"] == "no serial port /dev/ttyACM* (/dev/ttyACM0: No such file or directory)"


def test_locked_port_is_named() -> None:
    def locked(path: str, baudrate: int) -> Any:
        raise OSError(errno.EAGAIN, "Could not exclusively lock port")

    async def sleep(delay: float) -> None:
        raise asyncio.CancelledError

    scanner = SerialScanner(name="s", path="/dev/x", list_paths=lambda p: [p], open_port=locked, sleep=sleep)

    async def main() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            async for _ in scanner.codes():
                pass

    asyncio.run(main())
    assert scanner.status()["last_error"] == "no serial port /dev/x (/dev/x: locked by another program)"


def port(device: str, vid: int | None, pid: int | None) -> SimpleNamespace:
    return SimpleNamespace(
        device=device, vid=vid, pid=pid, description=f"port {device}", serial_number=None, location=None
    )


def test_device_ids_pick_the_usb_port(ptys: Any) -> None:
    pty = ptys()
    ports = [
        port("/dev/ttyS0", None, None),
        port(pty.path, 0x0C2E, 0x0B61),
        port("/dev/ttyACM9", 0x1234, 0x5678),
    ]

    async def main() -> list[bytes]:
        scanner = SerialScanner(
            name="s", device="0c2e:0b61", list_ports=lambda: ports, reopen_interval_s=INTERVAL
        )
        async with reading(scanner) as got:
            await wait_until(connected(scanner))
            assert scanner.status()["path"] == pty.path
            pty.write(b"BY-ID\r")
            await wait_until(lambda: len(got) == 1)
        return [scan.data for scan in got]

    assert asyncio.run(main()) == [b"BY-ID"]


def test_path_and_device_together_match_through_links(ptys: Any, tmp_path: Path) -> None:
    pty = ptys()
    (tmp_path / "usb-Honeywell-if00").symlink_to(pty.path)
    (tmp_path / "usb-Other-if00").symlink_to("/dev/null")
    ports = [port(pty.path, 0x0C2E, 0x0B61), port("/dev/null", 0x0C2E, 0x0B61)]
    scanner = SerialScanner(
        name="s", path=str(tmp_path / "usb-*-if00"), device="0C2E:0B61", list_ports=lambda: ports
    )
    assert scanner._candidates() == [str(tmp_path / "usb-Honeywell-if00"), str(tmp_path / "usb-Other-if00")]
    only = SerialScanner(
        name="s", path=str(tmp_path / "usb-H*"), device="0c2e:0b61", list_ports=lambda: ports
    )
    assert only._candidates() == [str(tmp_path / "usb-Honeywell-if00")]
    other = SerialScanner(
        name="s", path=str(tmp_path / "usb-*"), device="0c2e:0b62", list_ports=lambda: ports
    )
    assert other._candidates() == []


def test_find_ports_lists_every_port_in_natural_order() -> None:
    ports = [port("/dev/ttyACM10", 0x0C2E, 0x0B61), port("/dev/ttyACM2", None, None)]
    found = find_ports(list_ports=lambda: ports)
    assert [p["path"] for p in found] == ["/dev/ttyACM2", "/dev/ttyACM10"]
    assert found[1]["device"] == "0c2e:0b61"
    assert found[0]["device"] is None
    assert isinstance(find_ports(), list)  # the real listing works on this machine


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="path` or `device"):
        SerialScanner(name="s")
    with pytest.raises(ValueError, match="vvvv:pppp"):
        SerialScanner(name="s", device="0c2e-0b61")
    with pytest.raises(ValueError, match="cr, lf or crlf"):
        SerialScanner(name="s", path="/dev/ttyACM0", terminator="enter")
    assert parse_ids("0C2E:0b61") == (0x0C2E, 0x0B61)


def test_scanner_is_a_code_source() -> None:
    assert isinstance(SerialScanner(name="s", path="/dev/ttyACM0"), CodeSource)


@given(
    st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")), max_size=6),
    st.lists(st.sampled_from([b"\r", b"\n", b"\r\n"]), min_size=6, max_size=6),
    st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=10),
)
def test_framing_does_not_depend_on_how_reads_split_the_stream(
    codes: list[bytes], endings: list[bytes], sizes: list[int]
) -> None:
    stream = b"".join(code + end for code, end in zip(codes, endings, strict=False))
    framer = LineFramer(terminator="cr", max_code_bytes=8)
    got: list[bytes] = []
    at = 0
    for i in range(len(stream)):
        if at >= len(stream):
            break
        size = sizes[i % len(sizes)]
        got += framer.push(stream[at : at + size])
        at += size
    assert got == [code for code in codes if code and len(code) <= 8]
    assert framer.discarded == len([code for code in codes if len(code) > 8])
    assert not framer.pending


def test_reset_drops_a_partial_line() -> None:
    framer = LineFramer()
    assert framer.push(b"HALF") == []
    assert framer.pending
    framer.reset()
    assert framer.push(b"WHOLE\r") == [b"WHOLE"]
