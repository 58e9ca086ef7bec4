"""The rack's cell lights as the open sessions want them: each cell's meaning shown as a pattern."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from device.store.db import Store
from drivers.base import CellLights, Pattern
from workflows.outcome import Light
from workflows.session import Session

LIGHT_PATTERN = {
    Light.SUGGESTED: Pattern.STEADY,
    Light.TAKE: Pattern.BLINK,
    Light.CURRENT: Pattern.FAST_BLINK,
    Light.PICK: Pattern.BLINK,
    Light.COUNT: Pattern.BLINK,
    Light.COUNTING: Pattern.STEADY,
}


class RackLights:
    """Keeps the rack showing the union of every open session's lit cells, changing only what differs.

    `meanings` (cell address to why it is lit) is what a screen draws as the rack's map.
    """

    def __init__(self, rack: CellLights, store: Store) -> None:
        self.rack = rack
        self.store = store
        self._channels: dict[str, int] = {}
        self._lit: dict[int, Pattern] = {}
        self.meanings: dict[str, Light] = {}

    @property
    def lit(self) -> Mapping[int, Pattern]:
        return self._lit

    def redraw(self, sessions: Iterable[Session[Any, Any]]) -> None:
        """From scratch: every light off, then the sessions' cells (at start, after a lights test)."""
        self.rack.clear()
        self._lit = {}
        self.refresh(sessions)

    def refresh(self, sessions: Iterable[Session[Any, Any]]) -> bool:
        """Show what the sessions want now; True when any cell's meaning changed."""
        return self.refresh_lit(session.lights for session in sessions)

    def refresh_lit(self, lit: Iterable[Mapping[str, Light]]) -> bool:
        """refresh() from each open session's lit cells alone (Engine.lit: no session is decoded)."""
        wanted: dict[int, Pattern] = {}
        meanings: dict[str, Light] = {}
        for lights in lit:
            for address, meaning in lights.items():
                channel = self._channel(address)
                if channel is not None:
                    wanted[channel] = LIGHT_PATTERN[meaning]
                    meanings[address] = meaning
        for channel in self._lit.keys() - wanted.keys():
            self.rack.show(channel, Pattern.OFF)
        for channel, pattern in wanted.items():
            if self._lit.get(channel) is not pattern:
                self.rack.show(channel, pattern)
        self._lit = wanted
        changed = meanings != self.meanings
        self.meanings = meanings
        return changed

    def _channel(self, address: str) -> int | None:
        if address not in self._channels:
            rows = self.store.conn.execute("SELECT address, channel FROM cells")
            self._channels = {r[0]: r[1] for r in rows}
        return self._channels.get(address)
