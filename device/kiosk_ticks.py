"""Time passing at the kiosks: a Tick to every kiosk station with an open session, every few seconds.

A kiosk session waits for a customer who may walk away (an open shelf, parcels to scan); its
workflow decides on each Tick whether the idle limit (`[kiosk] idle_s`) is reached. Stations
without a session get nothing, so an idle kiosk costs one look at the sessions per tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any

from workflows.inputs import DeviceEvent, Tick
from workflows.kiosk_model import NAME as KIOSK
from workflows.session import Session

log = logging.getLogger("pvz.runtime")

TICK_S = 2.0


def open_kiosks(kiosks: Collection[str], sessions: Mapping[str, Session[Any, Any]]) -> list[str]:
    """The `kiosks` (station names) whose kiosk session is open."""
    return [name for name, session in sessions.items() if session.workflow.name == KIOSK and name in kiosks]


async def tick_kiosks(
    kiosks: Callable[[], Collection[str]],
    handle: Callable[[str, DeviceEvent], object],
    every_s: float = TICK_S,
) -> None:
    """Forever: every `every_s`, a Tick to each kiosk station with an open session."""
    while True:
        await asyncio.sleep(every_s)
        for station in kiosks():
            try:
                handle(station, Tick())
            except Exception:
                log.exception("station %s: a tick failed", station)
