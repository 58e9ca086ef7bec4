"""One command to open a door: read before, fire, watch the sensor; the result says what happened."""

from __future__ import annotations

import time
from collections.abc import Callable

from drivers.doors.base import Doors, DoorState, OpenResult


def open_door(
    doors: Doors,
    door: int,
    *,
    opened_within_s: float = 3.0,
    poll_s: float = 0.05,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> OpenResult:
    """Open `door` once, blocking until its sensor answers or `opened_within_s` passes.

    A door already open is not fired at again. A door without a sensor is fired once and
    reported NOT_VERIFIED. DoorError from the hardware propagates: nothing is known then.
    """
    before = doors.read(door)
    if before.state is DoorState.OPEN:
        return OpenResult.ALREADY_OPEN
    doors.pulse(door)
    if not doors.has_sensor(door):
        return OpenResult.NOT_VERIFIED
    deadline = clock() + opened_within_s
    while True:
        if doors.read(door).state is DoorState.OPEN:
            return OpenResult.OPENED
        if clock() >= deadline:
            return OpenResult.JAMMED
        sleep(poll_s)
