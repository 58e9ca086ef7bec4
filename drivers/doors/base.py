"""The doors interface every backend implements (lock-control boards, GPIO relays, the simulated twin).

Doors are numbered from 0 across the whole locker; a cell's light channel is its door number.
Firing a lock and the door opening are two facts: `pulse` fires, `read` says what the sensor
sees. `drivers.doors.verify.open_door` joins them into one result.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from drivers.exc import DriverError


class DoorError(DriverError, OSError):
    """The doors' hardware did not answer or refused (a board off the bus, a bad reply)."""


class DoorState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    UNKNOWN = "unknown"  # no door sensor on this door


class OpenResult(enum.Enum):
    """What became of one command to open a door."""

    OPENED = "opened"  # closed before, open after the pulse
    ALREADY_OPEN = "already_open"  # open before anything was fired; nothing was fired
    JAMMED = "jammed"  # fired, and the sensor never read open within the limit
    NOT_VERIFIED = "not_verified"  # fired on a door without a sensor: nobody knows


@dataclass(frozen=True, slots=True)
class DoorReading:
    """One door as its sensors read: the door, and whether something lies in the cell (None: no sensor)."""

    door: int
    state: DoorState
    occupied: bool | None = None


@runtime_checkable
class Doors(Protocol):
    """A locker's doors. Every call may block on a bus, so the runtime calls them in a thread."""

    name: str

    def count(self) -> int:
        """How many doors: they are numbered 0 … count-1."""
        ...

    def has_sensor(self, door: int) -> bool: ...

    def read(self, door: int) -> DoorReading:
        """The door's sensors now; raises DoorError when the hardware does not answer."""
        ...

    def read_all(self) -> dict[int, DoorReading]:
        """Every door at once (one status request per board); raises DoorError."""
        ...

    def pulse(self, door: int) -> None:
        """Fire the door's lock once; raises DoorError. Never called by the driver itself."""
        ...

    def status(self) -> dict[str, Any]: ...

    def close(self) -> None: ...


def check_door(door: int, count: int) -> None:
    if not 0 <= door < count:
        raise ValueError(f"door {door} is not one of the {count} doors (0 … {count - 1})")
