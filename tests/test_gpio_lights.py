"""GPIO cell lights and the 74HC595 chain: pin levels over time on gpiozero mock pins."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from drivers.base import CellLights, Pattern
from drivers.lights.gpio_lights import (
    DEFAULT_TIMEOUT_S,
    SLOW_TICKS,
    GpioCellLights,
    ShiftRegisterLights,
    lit_in_phase,
)
from drivers.lights.gpio_signals import BLINK_ON_S, FAST_BLINK_ON_S
from drivers.lights.pin_factories import GpioUnavailable
from tests.support.gpio_mock import (
    SHIFT_PINS,
    FakeClock,
    RecordingFactory,
    frames,
    level,
    only,
    raw_frames,
    rises,
    wait_for,
)

DATA, CLOCK, LATCH = SHIFT_PINS
CELL_PINS = [5, 6, 13, 19, 26]  # not 2/3: those have fixed pull-ups on a Pi


@pytest.fixture
def factory() -> RecordingFactory:
    return RecordingFactory()


# --- one pin per cell ---------------------------------------------------------------------------


def test_implements_the_protocol(factory: RecordingFactory) -> None:
    lights = GpioCellLights(CELL_PINS, pin_factory=factory, tick_s=None)
    shift = ShiftRegisterLights(data_pin=DATA, clock_pin=CLOCK, latch_pin=LATCH, pin_factory=factory)
    assert isinstance(lights, CellLights) and isinstance(shift, CellLights)
    lights.close()
    shift.close()


def test_phases() -> None:
    assert [lit_in_phase(Pattern.STEADY, t) for t in range(4)] == [True] * 4
    assert [lit_in_phase(Pattern.OFF, t) for t in range(4)] == [False] * 4
    assert [lit_in_phase(Pattern.FAST_BLINK, t) for t in range(4)] == [True, False, True, False]
    slow = [lit_in_phase(Pattern.BLINK, t) for t in range(2 * SLOW_TICKS)]
    assert slow == [True] * SLOW_TICKS + [False] * SLOW_TICKS
    assert SLOW_TICKS * FAST_BLINK_ON_S == BLINK_ON_S  # BLINK at 1 Hz when FAST_BLINK is 4 Hz


def test_cells_with_different_patterns_over_ticks(factory: RecordingFactory) -> None:
    lights = GpioCellLights(CELL_PINS, pin_factory=factory, tick_s=None)
    lights.show(0, Pattern.STEADY)
    lights.show(1, Pattern.BLINK)
    lights.show(2, Pattern.FAST_BLINK)
    seen: list[list[bool]] = []
    for _ in range(9):
        seen.append([level(factory, p) for p in CELL_PINS])
        lights.tick()
    by_pin = list(zip(*seen, strict=True))
    assert by_pin[0] == (True,) * 9
    assert by_pin[1] == (True,) * 4 + (False,) * 4 + (True,)
    assert by_pin[2] == (True, False) * 4 + (True,)
    assert by_pin[3] == by_pin[4] == (False,) * 9
    # The mock pins' own histories agree: the steady pin rose once, the fast one five times.
    assert rises(factory, CELL_PINS[0]) == 1
    assert rises(factory, CELL_PINS[1]) == 2
    assert rises(factory, CELL_PINS[2]) == 5
    assert lights.lit() == {0: Pattern.STEADY, 1: Pattern.BLINK, 2: Pattern.FAST_BLINK}
    lights.show(1, Pattern.OFF)
    assert not level(factory, CELL_PINS[1])
    lights.clear()
    assert [level(factory, p) for p in CELL_PINS] == [False] * 5
    assert lights.status()["lit"] == {}
    lights.close()


def test_timeout_restarts_when_shown_again(factory: RecordingFactory) -> None:
    clock = FakeClock()
    lights = GpioCellLights(CELL_PINS, pin_factory=factory, tick_s=None, timeout_s=60, clock=clock)
    lights.show(0, Pattern.STEADY)
    lights.show(1, Pattern.FAST_BLINK)
    clock.now += 40
    lights.show(0, Pattern.STEADY)  # restarts channel 0's timer only
    clock.now += 25
    lights.tick()
    assert lights.lit() == {0: Pattern.STEADY}
    assert lights.status()["timeouts"] == 1
    assert not level(factory, CELL_PINS[1])
    clock.now += 35
    lights.tick()
    assert lights.lit() == {}
    assert not level(factory, CELL_PINS[0])
    assert lights.status()["timeouts"] == 2
    lights.close()


def test_default_timeout_and_no_timeout(factory: RecordingFactory) -> None:
    clock = FakeClock()
    lights = GpioCellLights([5], pin_factory=factory, tick_s=None, clock=clock)
    assert lights.status()["timeout_s"] == DEFAULT_TIMEOUT_S == 300
    lights.close()
    lights = GpioCellLights([5], pin_factory=factory, tick_s=None, timeout_s=None, clock=clock)
    lights.show(0, Pattern.STEADY)
    clock.now += 10 * DEFAULT_TIMEOUT_S
    lights.tick()
    assert level(factory, 5)
    lights.close()


def test_active_low_and_bad_arguments(factory: RecordingFactory) -> None:
    lights = GpioCellLights([5, 6], pin_factory=factory, tick_s=None, active_high=False)
    assert level(factory, 5) and level(factory, 6)  # dark = high on an active-low board
    lights.show(1, Pattern.STEADY)
    assert level(factory, 5) and not level(factory, 6)
    for bad in (2, -1):
        with pytest.raises(ValueError, match=r"0\.\.1"):
            lights.show(bad, Pattern.STEADY)
    with pytest.raises(TypeError):
        lights.show(0, "steady")  # type: ignore[arg-type]
    lights.close()
    for pins in ([5, 5], []):
        with pytest.raises(GpioUnavailable):
            GpioCellLights(pins, pin_factory=factory)
    with pytest.raises(ValueError):
        GpioCellLights([5], pin_factory=factory, timeout_s=0)
    with pytest.raises(ValueError):
        GpioCellLights([5], pin_factory=factory, tick_s=0)


def test_close_turns_off_releases_and_refuses(factory: RecordingFactory) -> None:
    with GpioCellLights(CELL_PINS, pin_factory=factory, tick_s=None) as lights:
        lights.show(3, Pattern.STEADY)
        assert level(factory, CELL_PINS[3])
    assert not level(factory, CELL_PINS[3])
    assert lights.status()["closed"] is True
    lights.close()  # twice is fine
    lights.tick()  # a late tick does nothing
    with pytest.raises(GpioUnavailable, match="closed"):
        lights.show(0, Pattern.STEADY)
    with pytest.raises(GpioUnavailable):
        lights.clear()
    GpioCellLights(CELL_PINS, pin_factory=factory, tick_s=None).close()  # the pins are free again


def test_the_blink_thread_toggles_in_real_time(factory: RecordingFactory) -> None:
    lights = GpioCellLights([5, 6], pin_factory=factory, tick_s=0.005)
    assert lights.status()["blink_thread"] is True
    lights.show(0, Pattern.FAST_BLINK)
    lights.show(1, Pattern.STEADY)
    wait_for(lambda: rises(factory, 5) >= 4)
    lights.close()
    assert lights.status()["blink_thread"] is False
    assert rises(factory, 6) == 1
    assert not level(factory, 5) and not level(factory, 6)


def test_a_failing_pin_stops_the_blink_thread_and_says_why(
    factory: RecordingFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    lights = GpioCellLights([5], pin_factory=factory, tick_s=0.001)

    def broken() -> None:
        raise OSError("pin gone")

    monkeypatch.setattr(lights, "_render", broken)
    wait_for(lambda: not lights.status()["blink_thread"])
    assert lights.status()["error"] == "OSError: pin gone"
    monkeypatch.undo()
    lights.close()


# --- 74HC595 chain ------------------------------------------------------------------------------


def shift_lights(factory: RecordingFactory, registers: int = 2, **kw: Any) -> ShiftRegisterLights:
    opts: dict[str, Any] = {"data_pin": DATA, "clock_pin": CLOCK, "latch_pin": LATCH, "tick_s": None}
    return ShiftRegisterLights(registers=registers, pin_factory=factory, **{**opts, **kw})


def test_bit_order_channel_zero_is_shifted_last(factory: RecordingFactory) -> None:
    lights = shift_lights(factory, registers=2)
    assert raw_frames(factory, 16) == [[False] * 16]  # power-up: the chain is cleared once
    lights.show(0, Pattern.STEADY)
    assert raw_frames(factory, 16)[-1] == [False] * 15 + [True]
    lights.show(0, Pattern.OFF)
    lights.show(15, Pattern.STEADY)
    assert raw_frames(factory, 16)[-1] == [True] + [False] * 15
    lights.show(9, Pattern.STEADY)  # the second register's QB
    assert frames(factory, 16)[-1] == only(16, 9, 15)
    assert not level(factory, LATCH) and not level(factory, CLOCK)
    assert lights.status()["shifts"] == len(raw_frames(factory, 16)) == 5
    lights.close()


def test_a_512_cell_chain(factory: RecordingFactory) -> None:
    lights = shift_lights(factory, registers=64)
    assert lights.channels == 512
    wanted = {0, 1, 7, 8, 100, 255, 256, 400, 510, 511}
    for ch in sorted(wanted):
        lights.show(ch, Pattern.STEADY)
    decoded = frames(factory, 512)
    assert decoded[-1] == only(512, *wanted)
    assert len(decoded) == 1 + len(wanted)
    with pytest.raises(ValueError, match=r"0\.\.511"):
        lights.show(512, Pattern.STEADY)
    lights.clear()
    assert frames(factory, 512)[-1] == [False] * 512
    lights.close()


def test_steady_stays_on_through_the_blink_phase(factory: RecordingFactory) -> None:
    lights = shift_lights(factory, registers=1)
    lights.show(2, Pattern.STEADY)
    before = lights.shifts
    for _ in range(10):
        lights.tick()
    assert lights.shifts == before  # nothing blinks: nothing re-shifted
    lights.show(5, Pattern.FAST_BLINK)  # the first blinker starts a whole on phase, whatever the tick
    lights.show(6, Pattern.BLINK)
    start = len(frames(factory, 8))
    for _ in range(8):
        lights.tick()
    seen = frames(factory, 8)[start - 1 :]
    assert len(seen) == 9  # the fast blinker changes on every tick, so every tick re-shifted
    assert [f[2] for f in seen] == [True] * 9
    assert [f[5] for f in seen] == [True, False] * 4 + [True]
    assert [f[6] for f in seen] == [True] * 4 + [False] * 4 + [True]
    lights.close()
    assert frames(factory, 8)[-1] == [False] * 8


def test_shift_timeout_and_active_low(factory: RecordingFactory) -> None:
    clock = FakeClock()
    lights = shift_lights(factory, registers=1, timeout_s=5, clock=clock, active_high=False)
    assert raw_frames(factory, 8)[0] == [True] * 8  # dark = high on an active-low board
    lights.show(3, Pattern.STEADY)
    assert frames(factory, 8)[-1] == [ch != 3 for ch in range(8)]
    clock.now += 5
    lights.tick()
    assert frames(factory, 8)[-1] == [True] * 8
    assert lights.status()["timeouts"] == 1
    lights.close()


def test_shift_arguments(factory: RecordingFactory) -> None:
    with pytest.raises(GpioUnavailable, match="three different pins"):
        ShiftRegisterLights(data_pin=5, clock_pin=5, latch_pin=6, pin_factory=factory)
    with pytest.raises(ValueError):
        ShiftRegisterLights(data_pin=5, clock_pin=6, latch_pin=13, registers=65, pin_factory=factory)
    with pytest.raises(GpioUnavailable, match="latch"):
        ShiftRegisterLights(data_pin=5, clock_pin=6, latch_pin=61, pin_factory=factory)
    ShiftRegisterLights(data_pin=5, clock_pin=6, latch_pin=13, pin_factory=factory, tick_s=None).close()


def test_the_blink_thread_and_the_caller_never_interleave_shifts(factory: RecordingFactory) -> None:
    lights = shift_lights(factory, registers=4, tick_s=0.0005)
    lights.show(31, Pattern.FAST_BLINK)
    done = threading.Event()

    def churn() -> None:
        for i in range(300):
            lights.show(i % 31, Pattern.STEADY if i % 2 else Pattern.BLINK)
            if i % 50 == 0:
                lights.clear()
        done.set()

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join(30)
    assert done.is_set()
    wait_for(lambda: lights.shifts > 310)
    lights.close()
    decoded = frames(factory, 32)  # asserts exactly 32 clocks before every latch
    assert len(decoded) == lights.shifts
    assert decoded[-1] == [False] * 32
