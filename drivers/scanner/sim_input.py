"""Simulated code sources: scripted or runtime-fed scans, and lines read from a byte stream."""

from __future__ import annotations

import asyncio
import collections
import re
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import IO, Any

from drivers.base import RawScan
from drivers.exc import DeviceGone

KEYPAD_PREFIX = b"k:"

_TERMINATOR = re.compile(rb"[\r\n]")
_CHUNK = 4096


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
    """

    def __init__(self) -> None:
        self._buf = b""

    def push(self, chunk: bytes) -> list[bytes]:
        *lines, self._buf = _TERMINATOR.split(self._buf + chunk)
        return lines

    def finish(self) -> list[bytes]:
        """Whatever follows the last terminator at EOF is a final line."""
        rest, self._buf = self._buf, b""
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

    def _start(self) -> asyncio.Queue[bytes | BaseException]:
        loop = asyncio.get_running_loop()
        if self._queue is None:
            self._loop = loop
            self._queue = asyncio.Queue()
            # A daemon thread rather than run_in_executor: a read blocked on stdin in the
            # default executor would make asyncio.run() and interpreter exit wait for the
            # user to press Enter after Ctrl+C.
            threading.Thread(
                target=self._reader, args=(loop, self._queue), name=f"sim-{self.name}", daemon=True
            ).start()
        elif loop is not self._loop:
            raise RuntimeError(f"{self.name}: already reading for another event loop")
        return self._queue

    def _reader(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes | BaseException]) -> None:
        read1: Callable[[int], bytes] | None = getattr(self._stream, "read1", None)

        def deliver(item: bytes | BaseException) -> bool:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:
                return False  # the loop is closed: nobody is listening any more
            return True

        while True:
            try:
                # read1 returns as soon as anything is available, so a CR-terminated line
                # typed on a terminal is not held back waiting for an LF.
                chunk = read1(_CHUNK) if read1 is not None else self._stream.readline()
            except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
                deliver(exc)
                return
            if not deliver(chunk) or not chunk:
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
        return {"name": self.name, "kind": "stream", "codes_read": self._read, "eof": self._eof}
