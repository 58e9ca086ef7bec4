"""GPIO doors on gpiozero's mock pins: relays created off, a pulse of pulse_s, reed switches and occupancy sensors read."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.doors.base import DoorReading, Doors, DoorState, OpenResult
from drivers.doors.faults import DoorFault
from drivers.doors.gpio_doors import GpioDoors
from drivers.doors.verify import open_door
from tests.support.gpio_mock import RecordingFactory

RELAYS = [5, 6, 13]
SENSORS = [19, 26, 16]
OCCUPANCY = [20, 21, 12]


@pytest.fixture
def factory() -> RecordingFactory:
    return RecordingFactory()


def shut(factory: Any, pin: int) -> None:
    factory.pin(pin).drive_low()  # the reed switch closes to ground


def opened(factory: Any, pin: int) -> None:
    factory.pin(pin).drive_high()  # the door swings open: the pull-up wins


def levels(factory: Any, pin: int) -> list[bool]:
    return [bool(s.state) for s in factory.pin(pin).states]


@pytest.mark.parametrize("active_high", [True, False])
def test_relays_are_created_off_and_a_pulse_holds_one_for_pulse_s(factory: Any, active_high: bool) -> None:
    held: list[tuple[float, list[bool]]] = []

    def sleep(seconds: float) -> None:
        held.append((seconds, [factory.pin(p).state == active_high for p in RELAYS]))

    doors = GpioDoors(
        relay_pins=RELAYS, pin_factory=factory, relay_active_high=active_high, pulse_s=0.7, sleep=sleep
    )
    assert isinstance(doors, Doors)
    # Never at the active level once made (states[0] is the mock pin's own default before gpiozero
    # configures it; a real pin is an input until then): a power-up fires nothing.
    assert all(level != active_high for p in RELAYS for level in levels(factory, p)[1:])
    doors.pulse(1)
    assert held == [(0.7, [False, True, False])]
    assert factory.pin(RELAYS[1]).state != active_high  # released after the pulse
    assert [level == active_high for level in levels(factory, RELAYS[1])[1:]].count(True) == 1
    doors.close()


def test_reed_switches_and_occupancy(factory: Any) -> None:
    doors = GpioDoors(relay_pins=RELAYS, sensor_pins=SENSORS, occupancy_pins=OCCUPANCY, pin_factory=factory)
    shut(factory, SENSORS[0])
    shut(factory, SENSORS[2])
    factory.pin(OCCUPANCY[2]).drive_low()  # something in cell 2
    assert doors.read_all() == {
        0: DoorReading(0, DoorState.CLOSED, False),
        1: DoorReading(1, DoorState.OPEN, False),
        2: DoorReading(2, DoorState.CLOSED, True),
    }
    assert doors.has_sensor(0)
    assert doors.where(2) == "relay GPIO13, sensor GPIO16"
    doors.close()


def test_without_sensors(factory: Any) -> None:
    doors = GpioDoors(relay_pins=RELAYS, pin_factory=factory, sleep=lambda s: None)
    assert not doors.has_sensor(0)
    assert doors.read(0) == DoorReading(0, DoorState.UNKNOWN, None)
    assert open_door(doors, 0) is OpenResult.NOT_VERIFIED
    assert doors.pulses == 1
    doors.close()


def test_open_door_results(factory: Any) -> None:
    jammed: set[int] = set()

    def lock_fires(seconds: float) -> None:
        for door, relay in enumerate(RELAYS):
            if factory.pin(relay).state and door not in jammed:
                opened(factory, SENSORS[door])  # the door springs open while its lock is held

    doors = GpioDoors(relay_pins=RELAYS, sensor_pins=SENSORS, pin_factory=factory, sleep=lock_fires)
    for pin in SENSORS:
        shut(factory, pin)
    assert open_door(doors, 0, opened_within_s=0.2, poll_s=0.01) is OpenResult.OPENED
    assert open_door(doors, 0, opened_within_s=0.2, poll_s=0.01) is OpenResult.ALREADY_OPEN
    jammed.add(1)
    assert open_door(doors, 1, opened_within_s=0.05, poll_s=0.01) is OpenResult.JAMMED
    assert doors.pulses == 2
    doors.close()


def test_pins_that_cannot_be_used(factory: Any) -> None:
    with pytest.raises(DoorFault) as caught:
        GpioDoors(relay_pins=[5, 5], pin_factory=factory)
    assert caught.value.reason == "gpio_unavailable"
    doors = GpioDoors(relay_pins=[5], pin_factory=factory)  # the first relay was released
    doors.close()
    with pytest.raises(DoorFault) as caught:
        doors.read(0) if doors.has_sensor(0) else doors.pulse(0)
    assert caught.value.reason == "gpio_unavailable"
    with pytest.raises(ValueError):
        GpioDoors(relay_pins=RELAYS, sensor_pins=SENSORS[:2], pin_factory=factory)
