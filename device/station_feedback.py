"""An outcome shown at its station (the status light and buzzer by the feedback's level, the screen in
its language), and the watchers (the local screen) told of it."""

from __future__ import annotations

from typing import Protocol

from device.engine import Result
from device.station_io import StationIO
from drivers.base import Beep, Color, Pattern
from workflows.outcome import Feedback, Level

LEVEL_SIGNAL: dict[Level, tuple[Color, Pattern, Beep | None]] = {
    Level.OK: (Color.GREEN, Pattern.STEADY, Beep.OK),
    Level.INFO: (Color.GREEN, Pattern.STEADY, None),
    Level.WARN: (Color.AMBER, Pattern.STEADY, Beep.WARN),
    Level.ERROR: (Color.RED, Pattern.BLINK, Beep.ERROR),
}


def show_feedback(io: StationIO, feedback: Feedback, lang: str) -> None:
    """Light, beep and say what one input (or a device event) did, in the station's language `lang`."""
    color, pattern, beep = LEVEL_SIGNAL[feedback.level]
    if io.status_light is not None:
        io.status_light.show(color, pattern)
    if io.buzzer is not None and beep is not None:
        io.buzzer.beep(beep)
    if io.screen is not None:
        details = [m.render(lang) for m in feedback.details]
        io.screen.show(feedback.msg.render(lang), details, color=color)


class Watcher(Protocol):
    """Something that follows the counter as it works (the local screen), told on the loop after
    each change; it reads what it shows from the runtime and must not change anything."""

    def scanned(self, result: Result) -> None: ...

    def lights_changed(self) -> None: ...

    def print_job(self, job: int, station: str, state: str) -> None: ...

    def hardware_checked(self) -> None: ...
