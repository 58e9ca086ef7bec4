"""Simulated doors: the twin of a locker for `pvz demo`, the simulator and the tests.

A pulse opens a door unless it was told to jam. What a customer does next is scripted by
the caller: take() empties the cell and closes the door, leave() closes it with the parcel
still inside, force_open() is an opening nobody commanded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from drivers.doors.base import DoorError, DoorReading, DoorState, check_door


class SimDoors:
    def __init__(
        self,
        count: int,
        *,
        without_sensor: Iterable[int] = (),
        without_occupancy: Iterable[int] = (),
        clock: Callable[[], float] = time.monotonic,
        name: str = "sim-doors",
    ) -> None:
        if count < 1:
            raise ValueError(f"a locker has at least one door, got {count}")
        self.name = name
        self._count = count
        self._clock = clock
        self._lock = threading.Lock()
        self._open: set[int] = set()
        self._occupied: set[int] = set()
        self._jammed: set[int] = set()
        self._no_sensor = set(without_sensor)
        self._no_occupancy = set(without_occupancy)
        self.offline = False  # True: the bus does not answer (DoorError)
        self.pulses: list[tuple[float, int]] = []  # every lock fired, with the time

    def count(self) -> int:
        return self._count

    def has_sensor(self, door: int) -> bool:
        check_door(door, self._count)
        return door not in self._no_sensor

    def read(self, door: int) -> DoorReading:
        check_door(door, self._count)
        with self._lock:
            self._answer()
            return self._reading(door)

    def read_all(self) -> dict[int, DoorReading]:
        with self._lock:
            self._answer()
            return {door: self._reading(door) for door in range(self._count)}

    def pulse(self, door: int) -> None:
        check_door(door, self._count)
        with self._lock:
            self._answer()
            self.pulses.append((self._clock(), door))
            if door not in self._jammed:
                self._open.add(door)

    # What happens at the locker, scripted by a test or the demo.

    def load(self, door: int, occupied: bool = True) -> None:
        """Something is put in (or taken out of) the cell, the door untouched."""
        check_door(door, self._count)
        with self._lock:
            (self._occupied.add if occupied else self._occupied.discard)(door)

    def jam(self, door: int, jammed: bool = True) -> None:
        check_door(door, self._count)
        with self._lock:
            (self._jammed.add if jammed else self._jammed.discard)(door)

    def take(self, door: int) -> None:
        """The customer takes what is inside and shuts the door."""
        check_door(door, self._count)
        with self._lock:
            self._occupied.discard(door)
            self._open.discard(door)

    def leave(self, door: int) -> None:
        """The door is shut with the parcel still inside."""
        check_door(door, self._count)
        with self._lock:
            self._open.discard(door)

    def force_open(self, door: int) -> None:
        """The door opens with no command (forced, or a lock that failed)."""
        check_door(door, self._count)
        with self._lock:
            self._open.add(door)

    def is_open(self, door: int) -> bool:
        return door in self._open

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "backend": "sim",
                "doors": self._count,
                "open": sorted(self._open),
                "jammed": sorted(self._jammed),
                "online": not self.offline,
            }

    def close(self) -> None:
        return None

    def _answer(self) -> None:
        if self.offline:
            raise DoorError(f"{self.name}: the lock bus does not answer")

    def _reading(self, door: int) -> DoorReading:
        if door in self._no_sensor:
            state = DoorState.UNKNOWN
        else:
            state = DoorState.OPEN if door in self._open else DoorState.CLOSED
        occupied = None if door in self._no_occupancy or door in self._no_sensor else door in self._occupied
        return DoorReading(door, state, occupied)
