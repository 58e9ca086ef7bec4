"""The continuous line protocol most counter scales speak over RS-232 or USB serial.

Each line is `<stability>,<mode>,<sign><number><unit>`, e.g. `ST,GS,+0001.234kg`: ST stable,
US unstable, OL overload; GS gross, NT net; unit kg, g or lb. Everything else is garbage.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from decimal import Decimal

from drivers.exc import ScaleError

_LINE = re.compile(rb"(ST|US|OL),(GS|NT),([+-])\s*([0-9]{1,6}(?:\.[0-9]{1,4})?)\s*(kg|g|lb)")
_GRAMS_PER = {b"kg": Decimal(1000), b"g": Decimal(1), b"lb": Decimal("453.59237")}


class Stability(enum.Enum):
    STABLE = "ST"
    UNSTABLE = "US"
    OVERLOAD = "OL"


@dataclass(frozen=True, slots=True)
class Reading:
    stability: Stability
    grams: int


def parse_line(line: bytes) -> Reading:
    """One line (without its terminator) as a reading; ScaleError("scale_garbage") if it is not one."""
    match = _LINE.fullmatch(line.strip())
    if match is None:
        raise ScaleError("scale_garbage", repr(line[:32]))
    stability, _mode, sign, number, unit = match.groups()
    grams = Decimal(number.decode("ascii")) * _GRAMS_PER[unit]
    if sign == b"-":
        grams = -grams
    return Reading(Stability(stability.decode("ascii")), int(grams.to_integral_value()))


def format_line(reading: Reading) -> bytes:
    """The line a scale sends for a reading (the sim scale and the tests' fake scale speak it)."""
    sign = "-" if reading.grams < 0 else "+"
    kg = Decimal(abs(reading.grams)) / 1000
    return f"{reading.stability.value},GS,{sign}{kg:09.3f}kg\r\n".encode("ascii")


@dataclass
class Settler:
    """Lines in, one settled weight out: `stable_lines` equal stable readings in a row.

    `max_garbage` garbage lines in a row, an overload or a negative weight end the reading with
    a ScaleError; a partial first line (the port opened mid-line) is forgiven as one garbage line.
    """

    stable_lines: int = 3
    max_garbage: int = 3
    _garbage: int = 0
    _run: int = 0
    _last: int | None = None
    saw_unstable: bool = False

    def feed(self, line: bytes) -> int | None:
        try:
            reading = parse_line(line)
        except ScaleError:
            self._garbage += 1
            if self._garbage >= self.max_garbage:
                raise
            return None
        self._garbage = 0
        if reading.stability is Stability.OVERLOAD:
            raise ScaleError("scale_overload")
        if reading.stability is Stability.UNSTABLE:
            self.saw_unstable = True
            self._run, self._last = 0, None
            return None
        if reading.grams < 0:
            raise ScaleError("scale_negative", str(reading.grams))
        self._run = self._run + 1 if reading.grams == self._last else 1
        self._last = reading.grams
        return reading.grams if self._run >= self.stable_lines else None
