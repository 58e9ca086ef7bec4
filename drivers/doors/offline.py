"""Doors that cannot be driven: every call is the DoorFault that stopped them being built.

Stands in where a real backend failed at start (no GPIO library, a pin taken), so the
daemon still starts, the kiosk knows how many doors it has, and every attempt to use them says
why it cannot. Never a simulated twin: a kiosk must not believe a door opened when none can.
"""

from __future__ import annotations

from typing import Any

from drivers.doors.base import DoorReading, check_door
from drivers.doors.faults import DoorFault


class OfflineDoors:
    def __init__(self, *, count: int, backend: str, fault: DoorFault, name: str = "doors") -> None:
        self.name = name
        self._count = count
        self._backend = backend
        self._fault = fault

    def count(self) -> int:
        return self._count

    def has_sensor(self, door: int) -> bool:
        check_door(door, self._count)
        return True  # what the hardware would have; nothing is read anyway

    def read(self, door: int) -> DoorReading:
        check_door(door, self._count)
        raise self._again()

    def read_all(self) -> dict[int, DoorReading]:
        raise self._again()

    def pulse(self, door: int) -> None:
        check_door(door, self._count)
        raise self._again()

    def status(self) -> dict[str, Any]:
        return {
            "backend": self._backend,
            "doors": self._count,
            "online": False,
            "last_error": str(self._fault),
            "faults": {self._fault.reason: 1},
        }

    def close(self) -> None:
        return None

    def _again(self) -> DoorFault:
        return DoorFault(str(self._fault), reason=self._fault.reason)
