"""Cell lights on Raspberry Pi GPIO: one pin per cell, or a chain of 74HC595 shift registers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from drivers.base import Pattern
from drivers.lights.gpio_signals import BLINK_ON_S, FAST_BLINK_ON_S, GpioBuzzer, GpioStatusLight
from drivers.lights.pin_factories import GpioUnavailable, Output, close_all, open_output

# The status light and buzzer live in gpio_signals; they are importable from here too.
__all__ = ["GpioBuzzer", "GpioCellLights", "GpioStatusLight", "ShiftRegisterLights", "lit_in_phase"]

Clock = Callable[[], float]
log = logging.getLogger("pvz.lights")

TICK_S = FAST_BLINK_ON_S  # the blink thread steps once per fast-blink phase (4 Hz blink)
SLOW_TICKS = round(BLINK_ON_S / TICK_S)  # steps per BLINK phase (1 Hz blink)
DEFAULT_TIMEOUT_S = 300.0  # a cell light nobody turned off goes dark after this long


def lit_in_phase(pattern: Pattern, tick: int) -> bool:
    """Whether a light showing `pattern` is on at blink step `tick`; every blinking light is in step."""
    if pattern is Pattern.STEADY:
        return True
    if pattern is Pattern.FAST_BLINK:
        return tick % 2 == 0
    if pattern is Pattern.BLINK:
        return (tick // SLOW_TICKS) % 2 == 0
    return False


def _blinks(pattern: Pattern) -> bool:
    return pattern in (Pattern.BLINK, Pattern.FAST_BLINK)


class _BlinkingLights:
    """What both cell-light drivers share: patterns, timeouts, one blink thread and one lock.

    `tick_s` is the blink step (the fast-blink half period; BLINK toggles every SLOW_TICKS
    steps). With `tick_s=None` no thread runs and the owner calls tick() itself, which is
    also when forgotten lights time out.
    """

    kind = "gpio"

    def __init__(self, channels: int, *, timeout_s: float | None, tick_s: float | None, clock: Clock) -> None:
        if timeout_s is not None and timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0 or None, got {timeout_s}")
        if tick_s is not None and tick_s <= 0:
            raise ValueError(f"tick_s must be > 0 or None, got {tick_s}")
        self.channels = channels
        self.timeout_s = timeout_s
        self.timeouts_fired = 0
        self._tick_s = tick_s
        self._clock = clock
        self._lock = threading.RLock()  # the runtime calls from its thread, the blink thread ticks
        self._shown: dict[int, tuple[Pattern, float]] = {}  # channel -> (pattern, shown at)
        self._tick = 0
        self._closed = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None  # why the blink thread stopped, if it did

    def _start(self) -> None:
        if self._tick_s is not None:
            self._thread = threading.Thread(target=self._run, name=f"pvz-{self.kind}-blink", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        assert self._tick_s is not None
        try:
            while not self._stop.wait(self._tick_s):
                self.tick()
        except Exception as exc:  # a failing pin: stop blinking, say why in the log and in status()
            log.exception("%s cell lights: blink thread stopped", self.kind)
            self.error = f"{type(exc).__name__}: {exc}"

    def _render(self) -> None:
        raise NotImplementedError

    def _release(self) -> None:
        raise NotImplementedError

    def show(self, channel: int, pattern: Pattern) -> None:
        """Show `pattern` on `channel`; showing it again restarts the channel's timeout."""
        if not isinstance(pattern, Pattern):
            raise TypeError(f"pattern must be a Pattern, not {type(pattern).__name__}")
        if not 0 <= channel < self.channels:
            raise ValueError(f"light channel must be 0..{self.channels - 1}, got {channel}")
        with self._lock:
            self._check_open()
            if pattern is Pattern.OFF:
                self._shown.pop(channel, None)
            else:
                if _blinks(pattern) and not any(_blinks(p) for p, _ in self._shown.values()):
                    self._tick = 0  # the first blinker starts with a whole on phase
                self._shown[channel] = (pattern, self._clock())
            self._render()

    def clear(self) -> None:
        with self._lock:
            self._check_open()
            self._shown.clear()
            self._render()

    def tick(self) -> None:
        """One blink step: advance the phase, darken lights past their timeout, update the outputs."""
        with self._lock:
            if self._closed:
                return
            self._tick += 1
            if self.timeout_s is not None:
                now = self._clock()
                expired = [ch for ch, (_, since) in self._shown.items() if now - since >= self.timeout_s]
                for channel in expired:
                    del self._shown[channel]
                self.timeouts_fired += len(expired)
            self._render()

    def lit(self) -> dict[int, Pattern]:
        """Channels that are shown (steady or blinking) with their patterns."""
        with self._lock:
            return {ch: p for ch, (p, _) in sorted(self._shown.items())}

    def outputs(self) -> list[bool]:
        """Each channel's light at this instant, blink phase applied (True = lit)."""
        with self._lock:
            return [
                ch in self._shown and lit_in_phase(self._shown[ch][0], self._tick)
                for ch in range(self.channels)
            ]

    def status(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "channels": self.channels,
            "lit": {str(ch): p.value for ch, p in self.lit().items()},
            "timeouts": self.timeouts_fired,
            "timeout_s": self.timeout_s,
            "blink_thread": self._thread is not None and self._thread.is_alive(),
            "closed": self._closed,
            "error": self.error,
        }

    def close(self) -> None:
        """Stop the blink thread, turn every light off and release the pins; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            self._shown.clear()
            try:
                self._render()
            finally:
                self._release()

    def __enter__(self) -> _BlinkingLights:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise GpioUnavailable(f"{self.kind} cell lights are closed")


class GpioCellLights(_BlinkingLights):
    """One LED per cell: channel N drives BCM pin `pins[N]` (high = lit unless `active_high=False`)."""

    kind = "gpio"

    def __init__(
        self,
        pins: Sequence[int],
        *,
        pin_factory: Any,
        active_high: bool = True,
        timeout_s: float | None = DEFAULT_TIMEOUT_S,
        tick_s: float | None = TICK_S,
        clock: Clock = time.monotonic,
    ) -> None:
        if not pins:
            raise GpioUnavailable("gpio cell lights need at least one pin")
        if len(set(pins)) != len(pins):
            dup = next(p for p in pins if list(pins).count(p) > 1)
            raise GpioUnavailable(f"GPIO{dup} is given to two cell light channels")
        super().__init__(len(pins), timeout_s=timeout_s, tick_s=tick_s, clock=clock)
        self.pins = list(pins)
        self._leds: list[Output] = []
        try:
            for channel, pin in enumerate(pins):
                purpose = f"cell light channel {channel}"
                self._leds.append(
                    open_output(pin, pin_factory=pin_factory, purpose=purpose, active_high=active_high)
                )
        except GpioUnavailable:
            close_all(self._leds)
            raise
        self._written = [False] * len(pins)
        self._start()

    def _render(self) -> None:
        for channel, on in enumerate(self.outputs()):
            if on != self._written[channel]:
                self._leds[channel].value = on
                self._written[channel] = on

    def _release(self) -> None:
        close_all(self._leds)


class ShiftRegisterLights(_BlinkingLights):
    """Cells on a chain of 74HC595 shift registers driven by three pins (SER, SRCLK, RCLK).

    Bit order: channel 8*k + b is output Q(A+b) of register k, register 0 being the one whose
    SER is wired to the Pi (channel 0 = its QA, channel 7 = its QH, channel 8 = the next
    register's QA). Each update clocks out every bit, the LAST channel first and channel 0
    last, then pulses the latch so all outputs change at once. OE must be tied low, MR high.
    """

    kind = "shift"

    def __init__(
        self,
        *,
        data_pin: int,
        clock_pin: int,
        latch_pin: int,
        registers: int = 1,
        pin_factory: Any,
        active_high: bool = True,
        timeout_s: float | None = DEFAULT_TIMEOUT_S,
        tick_s: float | None = TICK_S,
        clock: Clock = time.monotonic,
    ) -> None:
        if not 1 <= registers <= 64:
            raise ValueError(f"registers must be 1..64, got {registers}")
        if len({data_pin, clock_pin, latch_pin}) != 3:
            raise GpioUnavailable("shift register data, clock and latch need three different pins")
        super().__init__(registers * 8, timeout_s=timeout_s, tick_s=tick_s, clock=clock)
        self.registers = registers
        self.shifts = 0  # latch pulses so far
        self._active_high = active_high
        self._devices: list[Output] = []
        try:
            for pin, role in (
                (data_pin, "data (SER)"),
                (clock_pin, "clock (SRCLK)"),
                (latch_pin, "latch (RCLK)"),
            ):
                self._devices.append(
                    open_output(pin, pin_factory=pin_factory, purpose=f"shift register {role}")
                )
        except GpioUnavailable:
            close_all(self._devices)
            raise
        self._data, self._sck, self._rck = (d.pin for d in self._devices)
        self._data_level = False
        self._latched: list[bool] | None = None  # unknown at power-up: the first render shifts
        with self._lock:
            self._render()
        self._start()

    def _render(self) -> None:
        bits = self.outputs()
        if bits != self._latched:
            self._shift(bits)
            self._latched = bits

    def _shift(self, bits: list[bool]) -> None:
        for bit in reversed(bits):
            level = bit == self._active_high
            if level != self._data_level:
                self._data.state = level
                self._data_level = level
            self._sck.state = True
            self._sck.state = False
        self._rck.state = True
        self._rck.state = False
        self.shifts += 1

    def _release(self) -> None:
        close_all(self._devices)

    def status(self) -> dict[str, Any]:
        return {**super().status(), "registers": self.registers, "shifts": self.shifts}
