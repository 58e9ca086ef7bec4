"""A device run on its own asyncio loop in a thread, for tests that talk to it from outside (a browser).

A subclass sets up in `_serve` (after `started` the runtime runs until `stop` is set) and calls
`self._ready.set()` once it serves; a failure before that is raised in the test's thread.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Self


class LoopThread:
    def __init__(self, name: str) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        self._ready.wait(30)
        if self._failed is not None:
            raise self._failed
        return self

    def __exit__(self, *_: object) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _main(self) -> None:
        try:
            asyncio.run(self._start())
        except BaseException as exc:  # handed to the test's thread
            self._failed = exc
            self._ready.set()

    async def _start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await self._run()

    async def _run(self) -> None:
        raise NotImplementedError
