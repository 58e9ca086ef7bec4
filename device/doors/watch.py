"""Doors after they opened: watched until they shut, one alert when left open, and openings nobody commanded.

Pure bookkeeping over the readings the controller takes: what a reading means depends on
whether the door was commanded open (watched), is being commanded now (busy), or neither.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from drivers.doors.base import DoorReading, DoorState
from workflows.inputs import DoorEvent


@dataclass
class Watch:
    """A door that opened on a command: who asked, and since when it is open (monotonic seconds)."""

    door: int
    cell: str
    station: str | None  # None: nobody to tell (a service open; the fleet has its reply)
    command: int | None
    opened_at: float
    left_open: bool = False  # the alert was raised for this opening


@dataclass(frozen=True, slots=True)
class Finding:
    """A door's news: what the controller records, and tells the station that asked, if any."""

    door: int
    cell: str
    event: DoorEvent
    station: str | None = None
    command: int | None = None
    open_s: float = 0.0


def closed_event(reading: DoorReading) -> DoorEvent:
    """A door that shut: the occupancy sensor says whether the cell is empty; without one, nobody knows."""
    if reading.occupied is None:
        return DoorEvent.CLOSED
    return DoorEvent.CLOSED_FULL if reading.occupied else DoorEvent.CLOSED_EMPTY


class Watches:
    def __init__(self, *, left_open_alert_s: float) -> None:
        self.left_open_alert_s = left_open_alert_s
        self.watched: dict[int, Watch] = {}
        self.unasked: set[int] = set()  # open with no command, already reported for this opening

    def watch(self, door: int, cell: str, station: str | None, command: int | None, now: float) -> None:
        self.unasked.discard(door)
        self.watched[door] = Watch(door, cell, station, command, now)

    def look(
        self,
        readings: Mapping[int, DoorReading],
        cell_of: Callable[[int], str],
        now: float,
        busy: Collection[int] = (),
    ) -> list[Finding]:
        """What changed since the last look. `cell_of`: a door's cell address ("" for none), asked
        only for a door with news. `busy`: doors with a command not yet answered (an open one of
        those is the command's doing, not an opening nobody asked for)."""
        found: list[Finding] = []
        for door, reading in sorted(readings.items()):
            watch = self.watched.get(door)
            if watch is not None:
                found += self._watched(watch, reading, now)
            elif reading.state is DoorState.OPEN:
                if door not in self.unasked and door not in busy:
                    self.unasked.add(door)
                    found.append(Finding(door, cell_of(door), DoorEvent.OPENED_UNASKED))
            elif reading.state is DoorState.CLOSED and door in self.unasked:
                self.unasked.discard(door)
                found.append(Finding(door, cell_of(door), closed_event(reading)))
        return found

    def _watched(self, watch: Watch, reading: DoorReading, now: float) -> list[Finding]:
        if reading.state is DoorState.CLOSED:
            del self.watched[watch.door]
            return [Finding(watch.door, watch.cell, closed_event(reading), watch.station, watch.command)]
        open_s = now - watch.opened_at
        if reading.state is DoorState.OPEN and not watch.left_open and open_s >= self.left_open_alert_s:
            watch.left_open = True  # once per opening; the watch goes on until it shuts
            return [
                Finding(watch.door, watch.cell, DoorEvent.LEFT_OPEN, watch.station, watch.command, open_s)
            ]
        return []
