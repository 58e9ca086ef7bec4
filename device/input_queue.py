"""The one queue every input of every station waits in, one scan at a time, with how long the
oldest has waited (the watchdog's sign that scans do not move)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from device.exc import PvzError
from drivers.base import RawScan

Item = tuple[str, RawScan] | None  # a station's input, or None: one of the sources ended


class NotRunning(PvzError, RuntimeError):
    """An input was handed to a runtime whose loop is not reading inputs (starting or stopping)."""


class InputQueue:
    """Open while the runtime's loop reads it. While closed (starting, or stopping for the last
    prints) nobody reads it: an input then is dropped, as a scan made after the daemon stopped
    would be."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._queue: asyncio.Queue[Item] | None = None
        self._waiting: deque[float] = deque()  # when each input now in the queue was put there

    @property
    def is_open(self) -> bool:
        return self._queue is not None

    def open(self) -> None:
        self._queue = asyncio.Queue()
        self._waiting.clear()

    def close(self) -> None:
        self._queue = None
        self._waiting.clear()

    def put(self, item: Item) -> None:
        if self._queue is None:
            return
        self._waiting.append(self.clock())
        self._queue.put_nowait(item)

    def submit(self, station: str, raw: bytes | str, *, keyed: bool, source: str) -> None:
        """An input from outside the station's own sources: NotRunning when nobody reads."""
        if self._queue is None:
            raise NotRunning("the counter is not reading inputs now")
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        self.put((station, RawScan(source, data, keyed)))

    async def get(self) -> Item:
        assert self._queue is not None, "get() on a closed input queue"
        item = await self._queue.get()
        if self._waiting:
            self._waiting.popleft()
        return item

    def busy(self) -> bool:
        """Whether inputs wait to be handled."""
        return bool(self._waiting)

    def wait_s(self) -> float:
        """How long the oldest input still in the queue has waited (0 when none waits)."""
        if not self._waiting:
            return 0.0
        return max(0.0, self.clock() - self._waiting[0])
