"""What a remote station shows by itself about its link to the main device: waiting, given up,
refused while the main device cannot be reached, the main device gone and back; and an answer
shown exactly as a local station shows a result (device/station_feedback.show_feedback).

Green is only ever an answer's: the link's own states are amber or red, and "back" turns the
light off until the next answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from device.station_feedback import show_feedback
from device.station_io import StationIO
from drivers.base import Color, Pattern
from workflows.messages import Msg
from workflows.outcome import Feedback, Level

log = logging.getLogger("pvz.site.station")

# The status light's own patterns for the link (an answer's level has LEVEL_SIGNAL's).
WAITING_SIGNAL = (Color.AMBER, Pattern.BLINK)
NO_MAIN_SIGNAL = (Color.RED, Pattern.FAST_BLINK)
DARK = (Color.OFF, Pattern.OFF)

Shown = Callable[[str, Feedback], None]


class Shows:
    def __init__(
        self, stations: dict[str, StationIO], *, lang_of: Callable[[str], str], main_up: Callable[[], bool]
    ) -> None:
        self.stations = stations
        self.lang_of = lang_of
        self.main_up = main_up
        # Told after anything was shown at a station (the status reporter, the screen's watchers).
        self.shown: list[Shown] = []

    def show(self, station: str, feedback: Feedback, *, beep: bool = True) -> None:
        """Light, beep (unless not `beep`) and words; the "no main device" light kept while it is gone."""
        io = self.stations[station]
        if not beep:
            io = StationIO(io.name, status_light=io.status_light, screen=io.screen)
        show_feedback(io, feedback, self.lang_of(station))
        if feedback.level is Level.ERROR and not self.main_up():
            self.signal(station, NO_MAIN_SIGNAL)
        for listener in list(self.shown):
            try:
                listener(station, feedback)
            except Exception:
                log.exception("station %s: a watcher of the feedback failed", station)

    def signal(self, station: str, signal: tuple[Color, Pattern]) -> None:
        light = self.stations[station].status_light
        if light is not None:
            light.show(*signal)

    def waiting(self, station: str) -> None:
        """Amber, no beep: the input was sent and is not answered yet."""
        self.show(station, Feedback(Level.WARN, Msg("stn_waiting"), (Msg("stn_waiting_what"),)), beep=False)
        self.signal(station, WAITING_SIGNAL if self.main_up() else NO_MAIN_SIGNAL)

    def given_up(self, station: str) -> None:
        self.show(station, Feedback(Level.ERROR, Msg("stn_given_up"), (Msg("stn_given_up_what"),)))

    def refused(self, station: str, count: int) -> None:
        """`count` inputs refused without being sent: the main device cannot be reached."""
        details: tuple[Msg, ...] = (Msg("stn_main_down_what"),)
        if count > 1:
            details = (Msg("stn_waiting_count", {"count": count}), *details)
        self.show(station, Feedback(Level.ERROR, Msg("stn_refused"), details))
        self.signal(station, NO_MAIN_SIGNAL)

    def main_down(self, station: str, *, said: bool) -> None:
        """The main device is gone: its words unless a refusal or a waiting input `said` it already."""
        if not said:
            feedback = Feedback(Level.ERROR, Msg("stn_main_down"), (Msg("stn_main_down_what"),))
            self.show(station, feedback, beep=False)
        self.signal(station, NO_MAIN_SIGNAL)

    def main_back(self, station: str, *, said: bool) -> None:
        """The main device is back: said (not at the first start), and the light off."""
        if said:
            feedback = Feedback(Level.INFO, Msg("stn_main_back"), (Msg("stn_main_back_what"),))
            self.show(station, feedback, beep=False)
        self.signal(station, DARK)
