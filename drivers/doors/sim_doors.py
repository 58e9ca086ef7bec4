"""Simulated doors: the twin of a locker for `pvz demo`, the simulator and the tests.

A pulse opens a door unless it was told to jam. What a customer does next is scripted by
the caller: take() empties the cell and closes the door, leave() closes it with the parcel
still inside, force_open() is an opening nobody commanded. Where no caller is there to script
it (a sim locker in a `pvz run` process: `[doors] sim_take_after_s`), `take_after_s` stands in
for the customer: a door a pulse opened is emptied and shut that long after, as the next read
finds it (from the clock, no thread), so a kiosk's whole flow runs on a daemon nobody drives.
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
        take_after_s: float = 0.0,
    ) -> None:
        if count < 1:
            raise ValueError(f"a locker has at least one door, got {count}")
        if take_after_s < 0:
            raise ValueError(f"take_after_s is 0 (off) or more, got {take_after_s}")
        self.name = name
        self._count = count
        self._clock = clock
        self._lock = threading.Lock()
        self._open: set[int] = set()
        self._occupied: set[int] = set()
        self._jammed: set[int] = set()
        self._no_sensor = set(without_sensor)
        self._no_occupancy = set(without_occupancy)
        self.take_after_s = take_after_s
        self._opened_at: dict[int, float] = {}  # doors a pulse opened, and when
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
            now = self._clock()
            self.pulses.append((now, door))
            if door not in self._jammed:
                self._open.add(door)
                self._opened_at.setdefault(door, now)

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
            self._opened_at.pop(door, None)

    def leave(self, door: int) -> None:
        """The door is shut with the parcel still inside."""
        check_door(door, self._count)
        with self._lock:
            self._open.discard(door)
            self._opened_at.pop(door, None)

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
        if self.take_after_s:
            self._customers()

    def _customers(self) -> None:
        """The simulated customers: each door a pulse opened at least `take_after_s` ago is emptied
        and shut now (under the lock, before what is read)."""
        now = self._clock()
        for door, opened in list(self._opened_at.items()):
            if now - opened >= self.take_after_s:
                del self._opened_at[door]
                self._occupied.discard(door)
                self._open.discard(door)

    def _reading(self, door: int) -> DoorReading:
        if door in self._no_sensor:
            state = DoorState.UNKNOWN
        else:
            state = DoorState.OPEN if door in self._open else DoorState.CLOSED
        occupied = None if door in self._no_occupancy or door in self._no_sensor else door in self._occupied
        return DoorReading(door, state, occupied)
