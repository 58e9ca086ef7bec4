"""The counter scale feeding a send: while a send waits for a weight, the scale's settled reading goes to it.

The scale is read in a worker thread (a serial read blocks for up to its settle timeout), and
its reading comes back to the loop as a Weighed event handled like a scan. An empty scale (0 g)
says nothing, and the same reading or fault is handed to a station once, so a parcel lying on
the scale, or a scale left unplugged, does not repeat its message every half second.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from drivers.exc import DeviceNotFound, ScaleError
from drivers.scale.base import Scale
from workflows.inputs import DeviceEvent, Weighed
from workflows.send_model import NAME as SEND
from workflows.send_model import State
from workflows.session import Session

log = logging.getLogger("pvz.runtime")

WEIGH_EVERY_S = 0.5


def waiting_for_weight(sessions: Mapping[str, Session[Any, Any]]) -> list[str]:
    """The stations whose send waits for its weight."""
    return [
        name for name, s in sorted(sessions.items()) if s.workflow.name == SEND and s.state is State.WEIGHT
    ]


class ScaleFeed:
    """One scale for the device's counters: it weighs for the first station whose send waits."""

    def __init__(
        self,
        scale: Scale,
        *,
        waiting: Callable[[], list[str]],
        handle: Callable[[str, DeviceEvent], object],
    ) -> None:
        self.scale = scale
        self.waiting = waiting
        self.handle = handle
        self._handed: dict[str, Weighed] = {}

    async def run(self, every_s: float = WEIGH_EVERY_S) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.once()
            except Exception:
                log.exception("scale %s: a weighing failed", self.scale.name)

    async def once(self) -> Weighed | None:
        """Weigh once for the first waiting station; the event handed to it, if any."""
        stations = self.waiting()
        self._handed = {s: w for s, w in self._handed.items() if s in stations}
        if not stations:
            return None
        station = stations[0]
        event = await asyncio.to_thread(self._read)
        # The clerk may have cancelled or typed the weight while the scale settled.
        if event is None or station not in self.waiting() or self._handed.get(station) == event:
            return None
        self._handed[station] = event
        self.handle(station, event)
        return event

    def _read(self) -> Weighed | None:
        try:
            grams = self.scale.read_grams()
        except ScaleError as exc:
            return Weighed(fault=exc.reason)
        except DeviceNotFound:
            return Weighed(fault="scale_missing")
        return None if grams == 0 else Weighed(grams=grams)

    def status(self) -> dict[str, object]:
        return {**self.scale.status(), "waiting": self.waiting()}
