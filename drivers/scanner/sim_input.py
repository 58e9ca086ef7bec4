"""Simulated code sources: scripted or runtime-fed scans, and lines read from a byte stream."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import io
import os
import re
import select
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import IO, Any

from drivers.base import RawScan
from drivers.exc import DeviceGone

KEYPAD_PREFIX = b"k:"

_TERMINATOR = re.compile(rb"[\r\n]")
_CHUNK = 4096
MAX_LINE_BYTES = 4096  # far above the longest code pvz takes (workflows/inputs.MAX_CODE_LENGTH)
STOP_JOIN_S = 1.0  # how long stop() waits for the reader thread; it only waits on a poll


def _as_bytes(code: str | bytes) -> bytes:
    if isinstance(code, str):
        return code.encode("utf-8")
    if isinstance(code, bytes | bytearray | memoryview):
        # Copied untouched: tests rely on invalid UTF-8 reaching the runtime as-is.
        return bytes(code)
    raise TypeError(f"a code must be str or bytes, not {type(code).__name__}")


class ScriptSource:
    """A scanner or keypad that yields scripted codes, then whatever is fed until closed.

    Iteration ends only after `close()` and once every queued code has been yielded, so
    a consumer can keep waiting for codes pushed later by a test or the demo. `feed()`
    and `close()` must be called from the event loop's thread (asyncio.Queue is not
    thread-safe); use `loop.call_soon_threadsafe` from elsewhere. One consumer at a time.
    """

    def __init__(self, *, name: str, codes: Iterable[str | bytes] = (), keyed: bool = False) -> None:
        self.name = name
        self.keyed = keyed
        # None marks the end; the queue binds to a loop lazily, so building it here is safe.
        self._queue: asyncio.Queue[RawScan | None] = asyncio.Queue()
        self._closed = False
        self._read = 0
        for code in codes:
            self.feed(code)

    @property
    def closed(self) -> bool:
        return self._closed

    def feed(self, code: str | bytes) -> None:
        """Queue one more code; raises RuntimeError once the source is closed."""
        if self._closed:
            raise RuntimeError(f"{self.name}: cannot feed a closed source")
        self._queue.put_nowait(RawScan(source=self.name, data=_as_bytes(code), keyed=self.keyed))

    def close(self) -> None:
        """No more codes will come: iteration ends after the queued ones. Idempotent."""
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(None)

    async def codes(self) -> AsyncIterator[RawScan]:
        while True:
            scan = await self._queue.get()
            if scan is None:
                # Put the end marker back so a later or second consumer also stops
                # instead of waiting forever on an empty queue.
                self._queue.put_nowait(None)
                return
            self._read += 1
            yield scan

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "script",
            "keyed": self.keyed,
            "codes_read": self._read,
            # The end marker is not a pending code.
            "pending": self._queue.qsize() - (1 if self._closed else 0),
            "closed": self._closed,
        }


class _LineSplitter:
    """Splits a byte stream into lines on CR, LF or CRLF, across chunk boundaries.

    Every CR and every LF ends a line; the empty "line" between the CR and LF of a CRLF
    (even one split across two reads) is dropped along with real empty lines by the caller.
    A line longer than `max_line` bytes (a stream with no terminator, /dev/zero piped in) is
    discarded whole, as the serial scanner does, so memory never grows with a line.
    """

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self._buf = b""
        self._max = max_line
        self._skipping = False  # inside a line already too long: dropped up to its terminator
        self.discarded = 0

    def push(self, chunk: bytes) -> list[bytes]:
        *lines, self._buf = _TERMINATOR.split(self._buf + chunk)
        if self._skipping and lines:
            lines.pop(0)  # the end of the overlong line
            self._skipping = False
        kept = [line for line in lines if len(line) <= self._max]
        self.discarded += len(lines) - len(kept)
        if len(self._buf) > self._max:
            if not self._skipping:
                self.discarded += 1
            self._buf = b""
            self._skipping = True
        return kept

    def finish(self) -> list[bytes]:
        """Whatever follows the last terminator at EOF is a final line."""
        rest, self._buf = self._buf, b""
        if self._skipping:
            self._skipping = False
            return []
        return [rest]


class StreamSource:
    """Codes typed or piped into a binary stream (stdin by default), one per line.

    Every line is one code, its terminator (CR, LF or CRLF) removed; a line starting
    with "k:" is keypad input (the prefix removed, keyed=True). Empty lines, and a bare
    "k:", are skipped: nothing was scanned or typed. EOF ends iteration.
    """

    def __init__(self, *, name: str = "stdin", stream: IO[bytes] | None = None) -> None:
        self.name = name
        self._stream: IO[bytes] = stream if stream is not None else sys.stdin.buffer
        self._splitter = _LineSplitter()
        # Parsed but not yet yielded lines live here so a cancelled consumer loses none.
        self._ready: collections.deque[bytes] = collections.deque()
        self._queue: asyncio.Queue[bytes | BaseException] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._eof = False
        self._read = 0
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._wake_r: int | None = None
        self._wake_w: int | None = None

    def _start(self) -> asyncio.Queue[bytes | BaseException]:
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._loop = loop
            self._queue = asyncio.Queue()
            # A thread rather than run_in_executor: a read blocked on stdin in the default
            # executor would make asyncio.run() and interpreter exit wait for Enter after
            # Ctrl+C. It reads the file descriptor with os.read after a poll that stop()
            # can wake, never through the buffered stream: a daemon thread blocked inside
            # BufferedReader.read1 holds its lock, and the interpreter aborts at exit
            # ("_enter_buffered_busy ... <stdin>") when it flushes sys.stdin.
            self._wake_r, self._wake_w = os.pipe()
            self._thread = threading.Thread(
                target=self._reader, args=(loop, self._queue), name=f"sim-{self.name}", daemon=True
            )
            self._thread.start()
        elif loop is not self._loop:
            raise RuntimeError(f"{self.name}: already reading for another event loop")
        return self._queue

    def stop(self) -> None:
        """Stop the reader thread and wait for it; lines not yet read stay in the stream. Idempotent."""
        self._stopping = True
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                os.write(self._wake_w, b"x")
        if self._thread is not None:
            self._thread.join(STOP_JOIN_S)
            if not self._thread.is_alive():
                self._thread = None
                self._close_wake()

    def _close_wake(self) -> None:
        for fd in (self._wake_r, self._wake_w):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._wake_r = None
        self._wake_w = None

    def _fd(self) -> int | None:
        """The stream's file descriptor; None for in-memory streams (tests), read through read1."""
        try:
            return self._stream.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            return None

    def _read_chunk(self, fd: int | None) -> bytes | None:
        """The next chunk (b"" at EOF), or None once stop() asked the thread to stop."""
        if fd is None:
            read1: Callable[[int], bytes] | None = getattr(self._stream, "read1", None)
            # read1 returns as soon as anything is available, so a CR-terminated line
            # typed on a terminal is not held back waiting for an LF.
            return read1(_CHUNK) if read1 is not None else self._stream.readline()
        assert self._wake_r is not None
        ready, _, _ = select.select([fd, self._wake_r], [], [])
        if self._stopping or self._wake_r in ready:
            return None
        return os.read(fd, _CHUNK)

    def _reader(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes | BaseException]) -> None:
        fd = self._fd()

        def deliver(item: bytes | BaseException) -> bool:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:
                return False  # the loop is closed: nobody is listening any more
            return True

        while not self._stopping:
            try:
                chunk = self._read_chunk(fd)
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                deliver(exc)
                return
            if chunk is None or not deliver(chunk) or not chunk:
                return

    def _to_scan(self, line: bytes) -> RawScan | None:
        keyed = line.startswith(KEYPAD_PREFIX)
        if keyed:
            line = line[len(KEYPAD_PREFIX) :]
        if not line:
            return None
        return RawScan(source=self.name, data=line, keyed=keyed)

    async def codes(self) -> AsyncIterator[RawScan]:
        if self._eof and not self._ready:
            return
        queue = self._start()
        while True:
            while self._ready:
                scan = self._to_scan(self._ready.popleft())
                if scan is not None:
                    self._read += 1
                    yield scan
            if self._eof:
                return
            item = await queue.get()
            if isinstance(item, BaseException):
                self._eof = True
                raise DeviceGone(f"{self.name}: read failed: {item}") from item
            if item:
                self._ready.extend(self._splitter.push(item))
            else:
                self._ready.extend(self._splitter.finish())
                self._eof = True

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "stream",
            "codes_read": self._read,
            "eof": self._eof,
            "discarded_overlong": self._splitter.discarded,
        }
