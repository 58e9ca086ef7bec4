"""gpiozero mock pins that log every level change in order; helpers to read levels and shifted frames."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from gpiozero.pins.mock import MockFactory, MockPin

SHIFT_PINS = (17, 27, 22)  # data (SER), clock (SRCLK), latch (RCLK)


class RecordingPin(MockPin):  # type: ignore[misc]
    """A mock pin that also appends each level change to its factory's shared, ordered log."""

    def _change_state(self, value: bool) -> bool:
        changed: bool = super()._change_state(value)
        if changed:
            self.factory.log.append((self, value))
        return changed


class RecordingFactory(MockFactory):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(pin_class=RecordingPin)
        self.log: list[tuple[Any, bool]] = []


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def level(factory: Any, pin: int) -> bool:
    return bool(factory.pin(pin).state)


def rises(factory: Any, pin: int) -> int:
    """How many times the pin went high since the factory made it."""
    return sum(1 for s in factory.pin(pin).states[1:] if s.state)


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def raw_frames(factory: RecordingFactory, bits: int) -> list[list[bool]]:
    """Every frame latched on SHIFT_PINS: the data level at each clock rise, in shift order.

    Asserts the protocol as it goes: exactly `bits` clocks before each latch rise, the clock
    low when the latch rises, and no clocks left over after the last latch.
    """
    data, clock, latch = (factory.pin(p) for p in SHIFT_PINS)
    levels = {data: False, clock: False, latch: False}
    shifted: list[bool] = []
    out: list[list[bool]] = []
    for pin, state in factory.log:
        if pin is clock and state:
            shifted.append(levels[data])
        elif pin is latch and state:
            assert len(shifted) == bits, f"latch after {len(shifted)} clocks, expected {bits}"
            assert not levels[clock]
            out.append(shifted)
            shifted = []
        levels[pin] = state
    assert shifted == []
    return out


def frames(factory: RecordingFactory, bits: int) -> list[list[bool]]:
    """Frames in channel order: the last channel is shifted first, so channel 0 arrives last."""
    return [list(reversed(raw)) for raw in raw_frames(factory, bits)]


def only(bits: int, *channels: int) -> list[bool]:
    return [ch in channels for ch in range(bits)]
