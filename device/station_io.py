"""A station's inputs and outputs, as the runtime drives them; the cell lights belong to the rack."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.base import Buzzer, CodeSource, Printer, Screen, StatusLight


@dataclass
class StationIO:
    """A station's inputs and outputs; the cell lights belong to the rack, not to a station."""

    name: str
    sources: list[CodeSource] = field(default_factory=list)
    printer: Printer | None = None
    status_light: StatusLight | None = None
    buzzer: Buzzer | None = None
    screen: Screen | None = None
    lang: str | None = None  # the station's own language; None: the device's
