"""The language a customer chose at a kiosk, and when the kiosk goes back to its own.

The choice is per customer, not per browser: a kiosk's page is shared by everyone who walks up,
so the language is the station's (runtime.lang_of), switched for the customer who pressed
"English" and given back LANG_HOLD_S after the kiosk was last idle with nobody using it. While
an order is open the choice holds, so the messages, the page and the speech stay in one language.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from workflows.messages import LANGUAGES

if TYPE_CHECKING:
    from device.runtime import Runtime

LANG_HOLD_S = 60.0  # with no order open and no input, a customer's language lasts this long


class KioskLanguage:
    def __init__(
        self, runtime: Callable[[], Runtime], kiosks: frozenset[str], *, changed: Callable[[str], None]
    ) -> None:
        self.runtime = runtime
        self.kiosks = kiosks
        self.changed = changed  # every word of the station's page changed
        self._own: dict[str, str | None] = {}  # a station's configured language, while switched
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def choose(self, station: str, lang: str) -> None:
        """The customer pressed a language: the kiosk speaks it until it is idle for a while."""
        if lang not in LANGUAGES or station not in self.kiosks:
            raise ValueError(lang)
        rt = self.runtime()
        io = rt.stations[station]
        self._own.setdefault(station, io.lang)
        io.lang = lang
        self.changed(station)
        if rt.engine.session(station) is None:
            self._hold(station)

    def scanned(self, station: str, *, idle: bool) -> None:
        """Any input at the kiosk: an open order holds the language; an idle kiosk starts counting."""
        if station not in self._own:
            return
        self._cancel(station)
        if idle:
            self._hold(station)

    def restore(self, station: str) -> None:
        """The customer is gone: the kiosk speaks its own language again."""
        self._cancel(station)
        if station not in self._own:
            return
        self.runtime().stations[station].lang = self._own.pop(station)
        self.changed(station)

    def _hold(self, station: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a test calling directly): restore() is called by hand
        self._timers[station] = loop.call_later(LANG_HOLD_S, self.restore, station)

    def _cancel(self, station: str) -> None:
        timer = self._timers.pop(station, None)
        if timer is not None:
            timer.cancel()

    def chosen(self, station: str) -> bool:
        return station in self._own
