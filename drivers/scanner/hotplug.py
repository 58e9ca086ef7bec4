"""Hotplug for scanner backends: open, read until the device goes away, wait, open again; one log line each way."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from drivers.exc import DeviceGone, DeviceNotFound

D = TypeVar("D")  # an open device, as the backend knows it
T = TypeVar("T")  # what reading it gives

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Attached(Generic[D]):
    """An open device: its handle, the path it was found at, and how the log names it."""

    device: D
    path: str
    description: str


class Hotplug(Generic[D, T]):
    """The life of a device that can be unplugged and plugged back at any time.

    `open_device` finds and opens the device, or raises DeviceNotFound saying why not;
    `read` yields what one open device gives until it raises DeviceGone (a read that
    just ends counts as gone too); `close_device` lets it go, whatever happened;
    `drop_partial` forgets a half-read item and says whether there was one. `run()`
    yields the items across any number of losses and never ends on its own: after a
    loss, and after every failed open, it waits `reopen_interval_s` before looking
    again, so a device that fails at once is no busy loop. The loss (or the first
    failure) is logged once as a warning, the device coming (back) once as info.
    """

    def __init__(
        self,
        *,
        name: str,
        log: logging.Logger,
        open_device: Callable[[], Attached[D]],
        read: Callable[[D], AsyncGenerator[T, None]],
        close_device: Callable[[D], None],
        drop_partial: Callable[[], bool],
        reopen_interval_s: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = name
        self.reopen_interval_s = reopen_interval_s
        self._log = log
        self._open = open_device
        self._read = read
        self._close = close_device
        self._drop_partial = drop_partial
        self._sleep = sleep
        self._path: str | None = None
        self._connected = False
        self._ever_connected = False
        self._failing = False
        self._delivered = 0
        self._reconnects = 0
        self._last_error: str | None = None

    @property
    def path(self) -> str | None:
        """Where the device was last found; None until it first was."""
        return self._path

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def delivered(self) -> int:
        """Items yielded by `run()`, over every connection."""
        return self._delivered

    @property
    def reconnects(self) -> int:
        """Connections after the first: each one follows a loss or a failed open."""
        return self._reconnects

    @property
    def last_error(self) -> str | None:
        """Why the device was last missing or lost; kept after it is back, for telemetry."""
        return self._last_error

    def status(self, configured_path: str | None) -> dict[str, Any]:
        """The lifecycle part of a scanner's status(): where it reads, whether it is there, counts."""
        return {
            "path": self.path or configured_path,
            "connected": self.connected,
            "codes_read": self.delivered,
            "reconnects": self.reconnects,
            "last_error": self.last_error,
        }

    async def run(self) -> AsyncGenerator[T, None]:
        while True:
            attached = await self._attach()
            try:
                # aclosing: a consumer that stops must not leave the backend's read running
                # (a serial port's fd would stay registered with the loop after its close).
                async with contextlib.aclosing(self._read(attached.device)) as items:
                    async for item in items:
                        self._delivered += 1
                        yield item
                self._lost("no more events")
            except DeviceGone as exc:
                self._lost(str(exc))
            finally:
                self._connected = False
                with contextlib.suppress(OSError):
                    self._close(attached.device)
            # Before looking again: the node of an unplugged device lingers for a moment,
            # and a device that fails at once must not make this a busy loop.
            await self._sleep(self.reopen_interval_s)

    async def _attach(self) -> Attached[D]:
        while True:
            try:
                attached = self._open()
            except DeviceNotFound as exc:
                self._down(str(exc))
                await self._sleep(self.reopen_interval_s)
                continue
            self._up(attached)
            return attached

    def _up(self, attached: Attached[D]) -> None:
        if self._failing or not self._ever_connected:
            self._log.info("%s: reading %s", self.name, attached.description)
        if self._ever_connected:
            self._reconnects += 1
        self._path = attached.path
        self._connected = True
        self._ever_connected = True
        self._failing = False
        self._drop_partial()  # a device starts clean, whatever the last one left

    def _down(self, why: str) -> None:
        self._last_error = why
        if not self._failing:
            self._log.warning("%s: %s; looking again every %g s", self.name, why, self.reopen_interval_s)
            self._failing = True

    def _lost(self, why: str) -> None:
        partial = ", a partial code was dropped" if self._drop_partial() else ""
        self._connected = False
        self._failing = False
        self._down(f"{self._path} went away ({why}){partial}")
