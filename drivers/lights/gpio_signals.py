"""The station's status light tower and buzzer on Raspberry Pi GPIO, and the blink and beep timings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from drivers.base import Beep, Color, Pattern
from drivers.lights.pin_factories import GpioUnavailable, Output, close_all, open_output

BLINK_ON_S = 0.5  # BLINK is 1 Hz: 0.5 s on, 0.5 s off
BLINK_OFF_S = 0.5
FAST_BLINK_ON_S = 0.125  # FAST_BLINK is 4 Hz: 0.125 s on, 0.125 s off
FAST_BLINK_OFF_S = 0.125
PULSE_ON_S = 0.2  # status light pulse(): each flash and each gap
PULSE_OFF_S = 0.2
BEEP_SHORT_S = 0.08  # OK and WARN chirps
BEEP_GAP_S = 0.1  # silence between WARN's two chirps
BEEP_LONG_S = 0.8  # the ERROR tone

_BLINK_TIMES = {
    Pattern.BLINK: (BLINK_ON_S, BLINK_OFF_S),
    Pattern.FAST_BLINK: (FAST_BLINK_ON_S, FAST_BLINK_OFF_S),
}


class GpioStatusLight:
    """A green/amber/red light tower on three pins; one colour at a time, the others dark."""

    def __init__(
        self, *, green: int, amber: int, red: int, pin_factory: Any, active_high: bool = True
    ) -> None:
        self._leds: dict[Color, Output] = {}
        try:
            for color, pin in ((Color.GREEN, green), (Color.AMBER, amber), (Color.RED, red)):
                self._leds[color] = open_output(
                    pin,
                    pin_factory=pin_factory,
                    purpose=f"status light {color.value}",
                    active_high=active_high,
                )
        except GpioUnavailable:
            close_all(list(self._leds.values()))
            raise
        self.color = Color.OFF
        self.pattern = Pattern.OFF
        self.pulses: int | None = None  # set while the last command was pulse()
        self.changes = 0

    def show(self, color: Color, pattern: Pattern = Pattern.STEADY) -> None:
        """Light `color` steady or blinking, turning the other colours off; Color.OFF darkens all."""
        if not isinstance(color, Color) or not isinstance(pattern, Pattern):
            raise TypeError("show() takes a Color and a Pattern")
        if color is Color.OFF or pattern is Pattern.OFF:
            color = Color.OFF
            pattern = Pattern.OFF
        self._only(color)
        if pattern is Pattern.STEADY:
            self._leds[color].on()
        elif pattern in _BLINK_TIMES:
            on_s, off_s = _BLINK_TIMES[pattern]
            self._leds[color].blink(on_s, off_s, None, True)
        self._record(color, pattern, None)

    def pulse(
        self,
        color: Color,
        n: int,
        *,
        on_s: float = PULSE_ON_S,
        off_s: float = PULSE_OFF_S,
        wait: bool = False,
    ) -> None:
        """Flash `color` `n` times, then leave the light dark; `wait` blocks until the flashes end."""
        if not isinstance(color, Color) or color is Color.OFF:
            raise ValueError(f"pulse() needs a lit colour, got {color!r}")
        _check_pulses(n, on_s, off_s)
        self._only(color)
        self._record(color, Pattern.BLINK, n)
        self._leds[color].blink(on_s, off_s, n, not wait)

    def _only(self, keep: Color) -> None:
        for color, led in self._leds.items():
            if color is not keep:
                led.off()

    def _record(self, color: Color, pattern: Pattern, pulses: int | None) -> None:
        self.color = color
        self.pattern = pattern
        self.pulses = pulses
        self.changes += 1

    def status(self) -> dict[str, Any]:
        return {
            "kind": "gpio",
            "color": self.color.value,
            "pattern": "pulse" if self.pulses is not None else self.pattern.value,
            "pulses": self.pulses,
            "changes": self.changes,
        }

    def close(self) -> None:
        """Darken the tower and release its pins."""
        self._only(Color.OFF)
        close_all(list(self._leds.values()))


class BeepShape(NamedTuple):
    """A beep as `pulses` tones of `on_s` seconds with `off_s` of silence between them."""

    pulses: int
    on_s: float
    off_s: float


BEEP_SHAPES: Mapping[Beep, BeepShape] = {
    Beep.OK: BeepShape(1, BEEP_SHORT_S, BEEP_GAP_S),
    Beep.WARN: BeepShape(2, BEEP_SHORT_S, BEEP_GAP_S),
    Beep.ERROR: BeepShape(1, BEEP_LONG_S, BEEP_GAP_S),
}


class GpioBuzzer:
    """An active buzzer on one pin; beeps play in the background and a new beep cuts the last one.

    `wait=True` makes beep() block until the sound ends (scripts and tests).
    """

    def __init__(
        self,
        pin: int,
        *,
        pin_factory: Any,
        active_high: bool = True,
        shapes: Mapping[Beep, BeepShape] = BEEP_SHAPES,
        wait: bool = False,
    ) -> None:
        missing = [b.value for b in Beep if b not in shapes]
        if missing:
            raise ValueError(f"beep shapes missing for {missing}")
        self._shapes = dict(shapes)
        self._wait = wait
        self._device = open_output(
            pin, pin_factory=pin_factory, purpose="buzzer", active_high=active_high, kind="Buzzer"
        )
        self.last: Beep | None = None
        self.counts: dict[Beep, int] = dict.fromkeys(Beep, 0)

    def beep(self, beep: Beep) -> None:
        if not isinstance(beep, Beep):
            raise TypeError(f"beep must be a Beep, not {type(beep).__name__}")
        shape = self._shapes[beep]
        self.last = beep
        self.counts[beep] += 1
        self.pulses(shape.pulses, on_s=shape.on_s, off_s=shape.off_s, wait=self._wait)

    def pulses(
        self, n: int, *, on_s: float = BEEP_SHORT_S, off_s: float = BEEP_GAP_S, wait: bool = False
    ) -> None:
        """Sound `n` tones of `on_s` seconds, `off_s` apart; `wait` blocks until they end."""
        _check_pulses(n, on_s, off_s)
        self._device.blink(on_s, off_s, n, not wait)

    def status(self) -> dict[str, Any]:
        return {
            "kind": "gpio",
            "last": self.last.value if self.last is not None else None,
            "counts": {b.value: n for b, n in self.counts.items()},
        }

    def close(self) -> None:
        """Silence the buzzer and release its pin."""
        self._device.off()
        self._device.close()


def _check_pulses(n: int, on_s: float, off_s: float) -> None:
    if n < 1:
        raise ValueError(f"number of pulses must be at least 1, got {n}")
    if on_s <= 0 or off_s < 0:
        raise ValueError(f"pulse times must be positive, got on {on_s} s, off {off_s} s")
