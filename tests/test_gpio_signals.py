"""Pin factories, the GPIO status light and buzzer: pin levels and pulse counts on mock pins."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gpiozero import LED
from gpiozero.pins.mock import MockFactory

from drivers.base import Beep, Buzzer, Color, Pattern, StatusLight
from drivers.exc import DriverError, UnknownBackend
from drivers.lights.gpio_lights import (
    GpioBuzzer,
    GpioCellLights,
    GpioStatusLight,
)
from drivers.lights.gpio_signals import BEEP_SHAPES, BEEP_SHORT_S, FAST_BLINK_ON_S, BeepShape
from drivers.lights.pin_factories import GpioUnavailable, board_model, make_factory, open_output
from tests.support.gpio_mock import RecordingFactory, level, rises, wait_for

GREEN, AMBER, RED = 20, 21, 16
BUZZ = 12
FAST_SHAPES = {b: BeepShape(s.pulses, 0.002, 0.002) for b, s in BEEP_SHAPES.items()}


@pytest.fixture
def factory() -> RecordingFactory:
    return RecordingFactory()


# --- pin factories ------------------------------------------------------------------------------


def model_file(tmp_path: Path, text: str) -> list[Path]:
    path = tmp_path / "model"
    path.write_bytes(text.encode() + b"\0")
    return [path]


def test_mock_factory_by_name() -> None:
    assert isinstance(make_factory("mock"), MockFactory)


def test_board_model_strips_the_nul(tmp_path: Path) -> None:
    assert (
        board_model(model_file(tmp_path, "Raspberry Pi 4 Model B Rev 1.4"))
        == "Raspberry Pi 4 Model B Rev 1.4"
    )
    assert board_model([tmp_path / "absent"]) is None


def test_auto_without_a_pi_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(GpioUnavailable, match="no Raspberry Pi found"):
        make_factory("auto", model_paths=[tmp_path / "absent"])
    with pytest.raises(GpioUnavailable, match="Orange Pi"):
        make_factory("auto", model_paths=model_file(tmp_path, "Orange Pi 5"))


def test_auto_picks_lgpio_on_a_pi5_and_rpigpio_first_on_older(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[str] = []

    def fake_load(name: str) -> str:
        tried.append(name)
        if name == "rpigpio":
            raise GpioUnavailable("RPi.GPIO is not installed")
        return f"{name}-factory"

    monkeypatch.setattr("drivers.lights.pin_factories._load", fake_load)
    assert (
        make_factory("auto", model_paths=model_file(tmp_path, "Raspberry Pi 5 Model B Rev 1.0"))
        == "lgpio-factory"
    )
    assert tried == ["lgpio"]
    tried.clear()
    assert make_factory("auto", model_paths=model_file(tmp_path, "Raspberry Pi 4 Model B")) == "lgpio-factory"
    assert tried == ["rpigpio", "lgpio"]


def test_missing_libraries_are_named(tmp_path: Path) -> None:
    pytest.importorskip("gpiozero")
    try:
        import lgpio  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("lgpio is installed here")
    with pytest.raises(GpioUnavailable, match="lgpio") as err:
        make_factory("auto", model_paths=model_file(tmp_path, "Raspberry Pi 4 Model B"))
    assert "RPi.GPIO" in str(err.value)
    assert isinstance(err.value, DriverError)
    with pytest.raises(GpioUnavailable, match="lgpio"):
        make_factory("lgpio")


def test_unknown_factory_name() -> None:
    with pytest.raises(UnknownBackend):
        make_factory("pigpio")  # type: ignore[arg-type]


def test_a_bad_or_taken_pin_names_its_purpose(factory: RecordingFactory) -> None:
    with pytest.raises(GpioUnavailable, match="buzzer: cannot use GPIO60"):
        open_output(60, pin_factory=factory, purpose="buzzer")
    led = LED(5, pin_factory=factory)
    with pytest.raises(GpioUnavailable, match="cell light channel 1: cannot use GPIO5"):
        GpioCellLights([6, 5], pin_factory=factory, tick_s=None)
    led.close()
    # The pin taken before the failure was released again.
    GpioCellLights([6, 5], pin_factory=factory, tick_s=None).close()


def test_implements_the_protocols(factory: RecordingFactory) -> None:
    tower = GpioStatusLight(green=GREEN, amber=AMBER, red=RED, pin_factory=factory)
    buzzer = GpioBuzzer(BUZZ, pin_factory=factory)
    assert isinstance(tower, StatusLight) and isinstance(buzzer, Buzzer)
    tower.close()
    buzzer.close()


# --- status light -------------------------------------------------------------------------------


def tower_levels(factory: RecordingFactory) -> list[bool]:
    return [level(factory, p) for p in (GREEN, AMBER, RED)]


def test_status_light_colours_are_exclusive(factory: RecordingFactory) -> None:
    tower = GpioStatusLight(green=GREEN, amber=AMBER, red=RED, pin_factory=factory)
    assert tower_levels(factory) == [False, False, False]
    tower.show(Color.GREEN)
    assert tower_levels(factory) == [True, False, False]
    tower.show(Color.AMBER, Pattern.STEADY)
    assert tower_levels(factory) == [False, True, False]
    tower.show(Color.RED)
    assert tower_levels(factory) == [False, False, True]
    tower.show(Color.RED, Pattern.OFF)
    assert tower_levels(factory) == [False, False, False]
    assert tower.status() == {"kind": "gpio", "color": "off", "pattern": "off", "pulses": None, "changes": 4}
    tower.show(Color.GREEN)
    tower.show(Color.OFF)
    assert tower_levels(factory) == [False, False, False]
    with pytest.raises(TypeError):
        tower.show("red")  # type: ignore[arg-type]
    tower.close()


def test_status_light_blinks_then_stops(factory: RecordingFactory) -> None:
    tower = GpioStatusLight(green=GREEN, amber=AMBER, red=RED, pin_factory=factory)
    tower.show(Color.RED, Pattern.FAST_BLINK)
    wait_for(lambda: rises(factory, RED) >= 3)
    tower.show(Color.GREEN)
    settled = len(factory.pin(RED).states)
    assert tower_levels(factory) == [True, False, False]
    time.sleep(3 * FAST_BLINK_ON_S)
    assert len(factory.pin(RED).states) == settled  # the blink thread was stopped
    # Each on and off phase lasted at least about FAST_BLINK_ON_S (lower bound only).
    # states[i].timestamp is how long states[i - 1] lasted; the first and last phases are partial.
    durations = [s.timestamp for s in factory.pin(RED).states[2:-1]]
    assert durations and min(durations) >= 0.8 * FAST_BLINK_ON_S
    assert tower.status()["pattern"] == "steady"
    tower.close()
    assert tower_levels(factory) == [False, False, False]


def test_status_light_pulses(factory: RecordingFactory) -> None:
    tower = GpioStatusLight(green=GREEN, amber=AMBER, red=RED, pin_factory=factory)
    tower.show(Color.GREEN)
    tower.pulse(Color.AMBER, 3, on_s=0.002, off_s=0.002, wait=True)
    assert rises(factory, AMBER) == 3
    assert tower_levels(factory) == [False, False, False]
    assert tower.status()["pattern"] == "pulse" and tower.status()["pulses"] == 3
    with pytest.raises(ValueError):
        tower.pulse(Color.AMBER, 0)
    with pytest.raises(ValueError):
        tower.pulse(Color.OFF, 2)
    with pytest.raises(ValueError):
        tower.pulse(Color.RED, 2, on_s=0)
    tower.close()


# --- buzzer -------------------------------------------------------------------------------------


def test_beep_shapes() -> None:
    assert BEEP_SHAPES[Beep.OK].pulses == 1
    assert BEEP_SHAPES[Beep.WARN].pulses == 2
    assert BEEP_SHAPES[Beep.ERROR].pulses == 1
    assert BEEP_SHAPES[Beep.ERROR].on_s > 4 * BEEP_SHAPES[Beep.OK].on_s


@pytest.mark.parametrize(("beep", "count"), [(Beep.OK, 1), (Beep.WARN, 2), (Beep.ERROR, 1)])
def test_beep_pulse_counts(factory: RecordingFactory, beep: Beep, count: int) -> None:
    buzzer = GpioBuzzer(BUZZ, pin_factory=factory, shapes=FAST_SHAPES, wait=True)
    buzzer.beep(beep)
    assert rises(factory, BUZZ) == count
    assert not level(factory, BUZZ)
    assert buzzer.status()["last"] == beep.value
    assert buzzer.status()["counts"][beep.value] == 1
    buzzer.close()


def test_warn_with_real_timings(factory: RecordingFactory) -> None:
    buzzer = GpioBuzzer(BUZZ, pin_factory=factory, wait=True)
    buzzer.beep(Beep.WARN)
    states = factory.pin(BUZZ).states
    assert [s.state for s in states] == [False, True, False, True, False]
    # states[i].timestamp is how long states[i - 1] lasted: on, gap, on.
    assert min(s.timestamp for s in states[2:]) >= 0.8 * min(BEEP_SHORT_S, BEEP_SHAPES[Beep.WARN].off_s)
    buzzer.close()


def test_beep_does_not_block_and_close_silences(factory: RecordingFactory) -> None:
    long_tone = {**FAST_SHAPES, Beep.ERROR: BeepShape(1, 30.0, 0.0)}
    buzzer = GpioBuzzer(BUZZ, pin_factory=factory, shapes=long_tone)
    started = time.monotonic()
    buzzer.beep(Beep.ERROR)
    assert time.monotonic() - started < 10  # far shorter than the 30 s tone
    wait_for(lambda: level(factory, BUZZ))
    buzzer.close()
    assert not level(factory, BUZZ)


def test_buzzer_arguments(factory: RecordingFactory) -> None:
    with pytest.raises(ValueError, match="error"):
        GpioBuzzer(BUZZ, pin_factory=factory, shapes={Beep.OK: FAST_SHAPES[Beep.OK]})
    buzzer = GpioBuzzer(BUZZ, pin_factory=factory)
    with pytest.raises(TypeError):
        buzzer.beep("ok")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        buzzer.pulses(0)
    buzzer.pulses(2, on_s=0.002, off_s=0.002, wait=True)
    assert rises(factory, BUZZ) == 2
    buzzer.close()
