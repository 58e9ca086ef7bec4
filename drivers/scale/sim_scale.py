"""The simulated scale: the weight a test or the demo puts on it, through the same line parser."""

from __future__ import annotations

from collections.abc import Iterable

from drivers.exc import ScaleError
from drivers.scale.base import Scale
from drivers.scale.protocol import Reading, Settler, Stability, format_line


class SimScale(Scale):
    """`put(grams)` puts a parcel on; `feed(lines)` makes it send anything, garbage included."""

    def __init__(self, *, name: str = "scale0") -> None:
        self.name = name
        self._lines: list[bytes] = []

    def put(self, grams: int) -> None:
        self._lines = [format_line(Reading(Stability.STABLE, grams))] * 3

    def feed(self, lines: Iterable[bytes]) -> None:
        self._lines = list(lines)

    def read_grams(self) -> int:
        settler = Settler()
        for line in self._lines:
            grams = settler.feed(line.rstrip(b"\r\n"))
            if grams is not None:
                return grams
        raise ScaleError("scale_unstable" if self._lines else "scale_silent")
