"""A kiosk speaks: each new message in the kiosk's language, and the door that opened, by its number.

A runtime watcher (device.runtime.Watcher): told after each input's commit, a door's report
included, it hands sentences to the speaker (drivers/speech/), which says them in a thread of
its own, so the loop never waits for a voice. What it says is what the screen shows, rendered
again in the station's language at that moment (the customer may have switched it). The door
that opened announces itself: every door whose step became open (or a shelf cell that lit)
since the last input is said by the label printed on it, "дверца 14 открыта".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from device.screen.kiosk_view import kiosk_data
from drivers.speech.base import Speaker
from workflows.kiosk_model import DoorStep, KioskData
from workflows.messages import Msg

if TYPE_CHECKING:
    from device.engine import Result
    from device.runtime import Runtime

# The steps at which a door is said aloud, and how.
ANNOUNCED = {DoorStep.OPEN: "kp_said_door_open", DoorStep.LIT: "kp_said_cell_lit"}


class KioskSpeech:
    def __init__(
        self,
        speaker: Speaker,
        *,
        kiosks: frozenset[str],
        source: Callable[[Runtime, str], KioskData | None] = kiosk_data,
    ) -> None:
        self.speaker = speaker
        self.kiosks = kiosks
        self.source = source
        self.rt: Runtime | None = None
        self._announced: dict[str, set[str]] = {}  # per kiosk, the cells already said open
        self._last: dict[str, str] = {}  # per kiosk, the last sentence said

    def attach(self, rt: Runtime) -> None:
        self.rt = rt
        rt.watchers.append(self)

    def scanned(self, result: Result) -> None:
        rt = self.rt
        station = result.station
        if rt is None or station not in self.kiosks:
            return
        lang = rt.lang_of(station)
        feedback = result.feedback
        words = [feedback.msg.render(lang), *(m.render(lang) for m in feedback.details)]
        spoken = " ".join(_sentence(w) for w in words)
        repeated = bool(result.event) and not result.changed and self._last.get(station) == spoken
        if not repeated:  # a tick that changed nothing is not said again every few seconds
            self.speaker.say(spoken, lang)
        self._last[station] = spoken
        for door in self.opened(station, self.source(rt, station)):
            self.speaker.say(door.render(lang), lang)

    def opened(self, station: str, data: KioskData | None) -> list[Msg]:
        """The doors of the order that opened since the last input, each said once per opening."""
        if data is None:
            self._announced.pop(station, None)
            return []
        said = self._announced.setdefault(station, set())
        now = []
        for door in data.doors:
            key = ANNOUNCED.get(door.step)
            if key is None:
                said.discard(door.cell)  # closed, or not yet open: its next opening is said again
            elif door.cell not in said:
                said.add(door.cell)
                now.append(Msg(key, {"label": door.label}))
        return now

    def lights_changed(self) -> None:
        pass

    def print_job(self, job: int, station: str, state: str) -> None:
        pass

    def hardware_checked(self) -> None:
        pass

    def status(self) -> dict[str, Any]:
        return self.speaker.status()


def _sentence(text: str) -> str:
    """A pause between the parts said: each ends as a sentence does."""
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…", ":")) else text + "."
