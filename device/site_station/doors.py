"""A remote station whose Pi drives the locker's boards serves its main device's door requests
(docs/site.md): describe, read, read_all and pulse through its own door driver, in a thread, one
at a time (one bus), answered with DoorAnswer; a driver's fault travels as its reason code.

A request sent again with the same id (its answer was lost) is answered from memory: a lock is
never fired twice for one request.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from device.decode import decode
from device.exc import InputError
from drivers.doors.base import DoorError, DoorReading, Doors
from sync.site import MAX_DOOR_BYTES, DoorAnswer, DoorRequest, DoorSeen
from sync.transport import Inbound

log = logging.getLogger("pvz.site.doors")

REMEMBER_ANSWERS = 64
BAD_REQUEST = "bad_request"  # a door number out of range, a read or pulse without a door
DOOR_FAILED = "port_failed"  # a DoorError without a reason code of its own

Answer = Callable[[DoorAnswer], Awaitable[None]]


def seen(reading: DoorReading) -> DoorSeen:
    return DoorSeen(door=reading.door, state=reading.state.value, occupied=reading.occupied)


class StationDoors:
    def __init__(self, doors: Doors, *, answer: Answer) -> None:
        self.doors = doors
        self.answer = answer
        self.counters = {"requests": 0, "failed": 0, "repeated": 0, "bad_requests": 0}
        self._bus = asyncio.Lock()
        self._answers: OrderedDict[str, DoorAnswer] = OrderedDict()

    async def handle(self, message: Inbound) -> None:
        """One DoorRequest from the main device (an MQTT handler on the loop)."""
        try:
            request = decode(message.payload, DoorRequest, max_bytes=MAX_DOOR_BYTES)
        except InputError as exc:
            self.counters["bad_requests"] += 1
            log.warning("door request dropped: %s at %s", exc.reason, exc.path)
            return
        await self.answer(await self.serve(request))

    async def serve(self, request: DoorRequest) -> DoorAnswer:
        async with self._bus:
            known = self._answers.get(request.id)
            if known is not None:
                self.counters["repeated"] += 1
                return known
            self.counters["requests"] += 1
            answer = await asyncio.to_thread(self._do, request)
            if not answer.ok:
                self.counters["failed"] += 1
            self._answers[request.id] = answer
            while len(self._answers) > REMEMBER_ANSWERS:
                self._answers.popitem(last=False)
            return answer

    def _do(self, request: DoorRequest) -> DoorAnswer:
        """In a worker thread: the driver may wait on its bus."""
        doors = self.doors
        try:
            if request.op == "describe":
                count = doors.count()
                return DoorAnswer(
                    id=request.id, ok=True, count=count, sensors=[doors.has_sensor(d) for d in range(count)]
                )
            if request.op == "read_all":
                readings = doors.read_all()
                return DoorAnswer(
                    id=request.id, ok=True, readings=[seen(r) for _, r in sorted(readings.items())]
                )
            if request.door is None:
                raise ValueError(f"{request.op} needs a door")
            if request.op == "read":
                return DoorAnswer(id=request.id, ok=True, readings=[seen(doors.read(request.door))])
            doors.pulse(request.door)
            log.info("door %d fired for the main device", request.door)
            return DoorAnswer(id=request.id, ok=True)
        except DoorError as exc:
            reason = str(getattr(exc, "reason", DOOR_FAILED))
            log.warning("door request %s (%s) failed: %s", request.op, request.id, exc)
            return DoorAnswer(id=request.id, ok=False, reason=reason, message=str(exc)[:200])
        except ValueError as exc:
            return DoorAnswer(id=request.id, ok=False, reason=BAD_REQUEST, message=str(exc)[:200])

    def status(self) -> dict[str, Any]:
        return {**self.counters, "driver": self.doors.status()}
