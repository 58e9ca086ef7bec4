"""Barcode scanners on a serial port (RS-232 or USB CDC-ACM): lines framed into codes, re-opened on hotplug."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import errno
import logging
import os
import re
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import serial
import serial.tools.list_ports

from drivers.base import RawScan
from drivers.exc import DeviceGone, DeviceNotFound
from drivers.scanner.device_paths import glob_paths, natural, parse_ids
from drivers.scanner.hotplug import Attached, Hotplug, Sleep

log = logging.getLogger("pvz.drivers.serial")

_LINE_ENDS = {"cr": re.compile(rb"[\r\n]"), "lf": re.compile(rb"[\r\n]"), "crlf": re.compile(rb"\r\n")}


class SerialLike(Protocol):
    """The part of serial.Serial the reader uses; tests pass fakes."""

    def fileno(self) -> int: ...
    def read(self, size: int = 1) -> bytes: ...
    @property
    def in_waiting(self) -> int: ...
    def close(self) -> None: ...


ListPaths = Callable[[str], list[str]]
ListPorts = Callable[[], Iterable[Any]]
OpenPort = Callable[[str, int], SerialLike]


def _comports() -> Iterable[Any]:
    return serial.tools.list_ports.comports()  # type: ignore[no-any-return]


def _open(path: str, baudrate: int) -> SerialLike:
    # exclusive: a second daemon (or a stray `pvz hw scan`) must not split the codes with us.
    # timeout=0: reads return what has arrived; the event loop tells when that is.
    port: SerialLike = serial.Serial(path, baudrate=baudrate, timeout=0, exclusive=True)
    return port


def _close(port: SerialLike) -> None:
    port.close()


def _reason(exc: OSError) -> str:
    # pyserial's own messages repeat the path and the errno; the errno alone says it.
    if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
        return "locked by another program"
    return os.strerror(exc.errno) if exc.errno else str(exc)


def find_ports(*, list_ports: ListPorts = _comports) -> list[dict[str, Any]]:
    """Every serial port, for `pvz hw list`: path, name, vendor:product, serial number, USB location."""
    return [
        {
            "path": p.device,
            "name": p.description,
            "device": None if p.vid is None else f"{p.vid:04x}:{p.pid:04x}",
            "serial_number": p.serial_number,
            "location": p.location,
        }
        for p in sorted(list_ports(), key=lambda p: natural(p.device))
    ]


class LineFramer:
    """Splits a byte stream into codes, across reads; pure.

    "cr" and "lf" both end a code at any CR or LF, so a scanner sending CR, LF or CRLF
    all work and a CRLF split over two reads gives one code (the empty line between is
    skipped). "crlf" ends codes only at CR LF, keeping a lone CR or LF inside the code,
    for 2D codes that carry line breaks. Bytes are passed on as they came: the runtime
    refuses garbage by name. A line longer than `max_code_bytes` is discarded whole,
    up to its terminator, and counted.
    """

    def __init__(
        self, *, terminator: str = "cr", prefix: bytes = b"", suffix: bytes = b"", max_code_bytes: int = 1024
    ) -> None:
        if terminator not in _LINE_ENDS:
            raise ValueError(f"serial terminator must be cr, lf or crlf, not {terminator!r}")
        self._end = _LINE_ENDS[terminator]
        self.prefix = prefix
        self.suffix = suffix
        self.max_code_bytes = max_code_bytes
        self._buf = b""
        self._overlong = False  # inside a line already discarded for its length
        self.discarded = 0

    @property
    def pending(self) -> bool:
        return bool(self._buf) or self._overlong

    def push(self, chunk: bytes) -> list[bytes]:
        *lines, self._buf = self._end.split(self._buf + chunk)
        codes = []
        for line in lines:
            if self._overlong:
                self._overlong = False
                continue
            if len(line) > self.max_code_bytes:
                self.discarded += 1
                continue
            code = self._strip(line)
            if code:
                codes.append(code)
        if len(self._buf) > self.max_code_bytes:
            if not self._overlong:
                self.discarded += 1
            self._overlong = True
            self._buf = b""
        return codes

    def reset(self) -> None:
        """Drop a partial line: the device went away in the middle of it."""
        self._buf = b""
        self._overlong = False

    def _strip(self, line: bytes) -> bytes:
        if self.prefix and line.startswith(self.prefix):
            line = line[len(self.prefix) :]
        if self.suffix and line.endswith(self.suffix):
            line = line[: -len(self.suffix)]
        return line


class SerialScanner:
    """A scanner sending each code as a line over a serial port, read without blocking the loop.

    The port is `path` (a path or glob: /dev/serial/by-id/usb-*) or, with `device`
    ("vvvv:pppp"), the USB serial port with that vendor and product (among the `path`
    matches when both are given); the first that opens is used. A missing or vanished
    port is looked for every `reopen_interval_s`, logged when it goes and when it is
    back; a partial line is dropped; `codes()` never ends for a missing port.
    """

    def __init__(
        self,
        *,
        name: str,
        path: str | None = None,
        device: str | None = None,
        baudrate: int = 9600,
        terminator: str = "cr",
        prefix: str = "",
        suffix: str = "",
        keypad: bool = False,
        reopen_interval_s: float = 1.0,
        max_code_bytes: int = 1024,
        list_paths: ListPaths = glob_paths,
        list_ports: ListPorts = _comports,
        open_port: OpenPort = _open,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if path is None and device is None:
            raise ValueError(f"{name}: a serial scanner needs `path` or `device`")
        self.name = name
        self.path = path
        self.device = device
        self.baudrate = baudrate
        self.keypad = keypad
        self._ids = parse_ids(device) if device is not None else None
        self._framer = LineFramer(
            terminator=terminator,
            prefix=prefix.encode(),
            suffix=suffix.encode(),
            max_code_bytes=max_code_bytes,
        )
        self._list_paths = list_paths
        self._list_ports = list_ports
        self._open = open_port
        # Framed but not yet handed over: kept for the next `codes()` if a consumer stops.
        self._ready: collections.deque[bytes] = collections.deque()
        self._hotplug: Hotplug[SerialLike, RawScan] = Hotplug(
            name=name,
            log=log,
            open_device=self._attach,
            read=self._read,
            close_device=_close,
            drop_partial=self._drop_partial,
            reopen_interval_s=reopen_interval_s,
            sleep=sleep,
        )

    def codes(self) -> AsyncIterator[RawScan]:
        return self._hotplug.run()

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "serial",
            "device": self.device,
            "keyed": self.keypad,
            **self._hotplug.status(self.path),
            "overlong_discarded": self._framer.discarded,
        }

    async def _read(self, port: SerialLike) -> AsyncGenerator[RawScan, None]:
        loop = asyncio.get_running_loop()
        readable = asyncio.Event()
        fd = port.fileno()
        loop.add_reader(fd, readable.set)
        try:
            while True:
                while self._ready:
                    yield RawScan(source=self.name, data=self._ready.popleft(), keyed=self.keypad)
                await readable.wait()
                readable.clear()
                try:
                    # Never blocks: the port has timeout=0 and the loop said it is readable.
                    chunk = port.read(port.in_waiting or 1)
                except OSError as exc:  # serial.SerialException is an OSError
                    raise DeviceGone(str(exc)) from exc
                self._frame(chunk)
        finally:
            loop.remove_reader(fd)

    def _frame(self, chunk: bytes) -> None:
        discarded = self._framer.discarded
        self._ready.extend(self._framer.push(chunk))
        if self._framer.discarded != discarded:
            limit = self._framer.max_code_bytes
            log.warning("%s: discarded a line over %d bytes (wrong baud rate?)", self.name, limit)

    def _candidates(self) -> list[str]:
        if self._ids is None:
            assert self.path is not None
            return self._list_paths(self.path)
        matching = sorted((p.device for p in self._list_ports() if (p.vid, p.pid) == self._ids), key=natural)
        if self.path is None:
            return matching
        # Compared resolved, so that a /dev/serial/by-id/… link matches the ttyACM it names.
        wanted = {str(Path(p).resolve()) for p in matching}
        return [p for p in self._list_paths(self.path) if str(Path(p).resolve()) in wanted]

    def absent(self) -> str | None:
        """Why no serial port of this scanner opens, or None when one does (closed again at once)."""
        try:
            attached = self._attach()
        except DeviceNotFound as exc:
            return str(exc)
        with contextlib.suppress(OSError):
            attached.device.close()
        return None

    def _attach(self) -> Attached[SerialLike]:
        problems = []
        for path in self._candidates():
            try:
                port = self._open(path, self.baudrate)
            except OSError as exc:  # serial.SerialException is an OSError
                problems.append(f"{path}: {_reason(exc)}")
                continue
            return Attached(port, path, f"{path} at {self.baudrate} baud")
        where = " under ".join(filter(None, [self.device, self.path]))
        raise DeviceNotFound(f"no serial port {where}" + (f" ({'; '.join(problems)})" if problems else ""))

    def _drop_partial(self) -> bool:
        pending = self._framer.pending
        self._framer.reset()
        return pending
