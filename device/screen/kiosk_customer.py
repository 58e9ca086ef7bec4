"""What belongs to the customer at a kiosk: the language they chose and the last words said to
them. Both go when the customer does, so the next one is greeted in the kiosk's own language and
never reads what the previous one was told (their masked name, what they collected).

The language is the station's (runtime.lang_of), not the browser's: a kiosk's page is shared by
everyone who walks up, and its messages and its speech follow the same choice. A customer is
gone CUSTOMER_GONE_S after the kiosk's last input with no order open; while an order is open
the customer is there, however long the doors take.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from workflows.messages import LANGUAGES

if TYPE_CHECKING:
    from device.runtime import Runtime

CUSTOMER_GONE_S = 60.0  # no order open and no input this long: the kiosk greets the next customer


class KioskCustomer:
    def __init__(
        self, runtime: Callable[[], Runtime], kiosks: frozenset[str], *, fresh: Callable[[str], None]
    ) -> None:
        self.runtime = runtime
        self.kiosks = kiosks
        self.fresh = fresh  # the station's page starts afresh: greeting, every word in its language
        self._own: dict[str, str | None] = {}  # a station's configured language, while switched
        self._timers: dict[str, asyncio.TimerHandle] = {}

    def choose(self, station: str, lang: str) -> None:
        """The customer pressed a language: the kiosk speaks it until they are gone."""
        if lang not in LANGUAGES or station not in self.kiosks:
            raise ValueError(lang)
        rt = self.runtime()
        io = rt.stations[station]
        self._own.setdefault(station, io.lang)
        io.lang = lang
        self.fresh(station)
        self.scanned(station, idle=rt.engine.session(station) is None)

    def scanned(self, station: str, *, idle: bool) -> None:
        """Any input at the kiosk: an open order keeps the customer; an idle kiosk starts counting."""
        self._cancel(station)
        if idle:
            self._wait(station)

    def gone(self, station: str) -> None:
        """The customer left: the kiosk's own language again, and a greeting instead of their news."""
        self._cancel(station)
        if station in self._own:
            self.runtime().stations[station].lang = self._own.pop(station)
        self.fresh(station)

    def chosen(self, station: str) -> bool:
        return station in self._own

    def _wait(self, station: str) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a test calling directly): gone() is called by hand
        self._timers[station] = loop.call_later(CUSTOMER_GONE_S, self.gone, station)

    def _cancel(self, station: str) -> None:
        timer = self._timers.pop(station, None)
        if timer is not None:
            timer.cancel()
