"""A sim locker in a daemon nobody scripts: the simulated customer of `[doors] sim_take_after_s`,
and the twin loaded from the store's stocked cells before the start's comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.doors.start import load_twin, reconcile
from device.exc import ConfigError
from device.hardware import build_doors
from drivers.doors.base import DoorState
from drivers.doors.sim_doors import SimDoors
from tests.support.locker import new_locker
from tests.test_config_doors import parse


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_the_simulated_customer_empties_and_shuts_an_opened_door_after_the_delay() -> None:
    clock = Clock()
    doors = SimDoors(3, clock=clock, take_after_s=2.0)
    for door in (0, 1, 2):
        doors.load(door)
    doors.jam(2)
    doors.pulse(0)
    doors.pulse(1)
    doors.pulse(2)  # jammed: it never opens, so nobody takes anything
    clock.t += 1.9
    assert doors.read(0).state is DoorState.OPEN and doors.read(0).occupied is True
    doors.leave(1)  # shut on its parcel before the customer came: the customer is gone with it
    clock.t += 0.1
    readings = doors.read_all()
    assert (readings[0].state, readings[0].occupied) == (DoorState.CLOSED, False)
    assert (readings[1].state, readings[1].occupied) == (DoorState.CLOSED, True)
    assert (readings[2].state, readings[2].occupied) == (DoorState.CLOSED, True)


def test_without_the_option_a_door_stays_as_the_caller_left_it() -> None:
    clock = Clock()
    doors = SimDoors(1, clock=clock)
    doors.load(0)
    doors.pulse(0)
    clock.t += 3600
    assert doors.read(0).state is DoorState.OPEN and doors.read(0).occupied is True
    with pytest.raises(ValueError):
        SimDoors(1, take_after_s=-1)


def test_the_option_is_read_by_the_sim_backend_only() -> None:
    config = parse('[doors]\nbackend = "sim"\ncount = 4\nsim_take_after_s = 1.5\n')
    doors = build_doors(config)
    assert isinstance(doors, SimDoors) and doors.take_after_s == 1.5
    with pytest.raises(ConfigError) as refused:
        parse('[doors]\nbackend = "gpio"\nrelay_pins = [5]\nsim_take_after_s = 1.5\n')
    assert refused.value.reason == "bad_value" and refused.value.path == "$.doors.sim_take_after_s"


def test_a_twin_loaded_from_the_store_starts_without_alerts_and_its_customer_empties_the_cell(
    tmp_path: Path,
) -> None:
    locker = new_locker(tmp_path)
    locker.place("11111111-0001-1", 1)
    # Unloaded, the twin's empty cell differs from the store's stocked one.
    assert [a["alert"] for a in reconcile(locker.ctl).alerts] == ["cell_differs_at_start"]

    locker = new_locker(tmp_path / "again")
    locker.place("11111111-0001-1", 1)
    twin = SimDoors(4, clock=locker.clocks.clock, take_after_s=2.0)
    locker.ctl.doors = twin
    assert load_twin(twin, locker.store, "locker") == [1]
    assert reconcile(locker.ctl).alerts == [] and twin.read(1).occupied is True
    locker.command(1)
    locker.step()
    assert locker.events() == [("k1", "opened")]
    locker.clocks.advance(2.0)
    locker.step()
    assert locker.events() == [("k1", "opened"), ("k1", "closed_empty")]
    assert locker.alerts() == []
