"""`pvz hw doors` and the doors' row in `pvz hw list`, on the fake Kerong bus: read, never opened; build_doors picks backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from device.cli.main import main
from device.config import load_config
from device.hardware import Hardware, build_doors
from drivers.doors.faults import DoorFault
from drivers.doors.gpio_doors import GpioDoors
from drivers.doors.kerong import KerongDoors
from drivers.doors.offline import OfflineDoors
from drivers.doors.sim_doors import SimDoors
from tests.support.config import write_config
from tests.support.fake_lock_board import FakeLockBus


@pytest.fixture
def bus() -> Iterator[FakeLockBus]:
    made = FakeLockBus({0: "cu16", 37: "cu48"})
    yield made
    made.close()


def kerong_config(tmp_path: Path, port: str) -> Path:
    doors = f'[doors]\nbackend = "kerong"\nport = "{port}"\n'
    doors += 'boards = [{ address = 0, infrared = true }, { address = 37, model = "cu48" }]\n'
    return write_config(tmp_path, extra=doors)


def test_hw_doors_reads_every_door_and_opens_none(
    tmp_path: Path, bus: FakeLockBus, capsys: pytest.CaptureFixture[str]
) -> None:
    bus.force_open(37, 47)
    bus.put(0, 1)
    config = kerong_config(tmp_path, bus.path)
    assert main(["hw", "doors", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "63 " in out and "cu48 board 37, lock 47" in out
    assert out.rstrip().endswith("64 doors; open: 63")
    assert main(["hw", "doors", "--json", "--config", str(config)]) == 0
    found = json.loads(capsys.readouterr().out)["doors"]
    assert found[1] == {"door": 1, "where": "cu16 board 0, lock 1", "state": "closed", "occupied": True}
    assert found[63]["state"] == "open" and found[63]["occupied"] is None
    assert bus.opens() == []


def test_hw_doors_when_the_bus_does_not_answer(
    tmp_path: Path, bus: FakeLockBus, capsys: pytest.CaptureFixture[str]
) -> None:
    bus.boards[37].off = True
    assert main(["hw", "doors", "--config", str(kerong_config(tmp_path, bus.path))]) == 1
    out = capsys.readouterr().out
    assert "the doors do not answer" in out and "to do:" in out


def test_hw_list_shows_the_doors_and_their_problem(
    tmp_path: Path, bus: FakeLockBus, capsys: pytest.CaptureFixture[str]
) -> None:
    bus.force_open(0, 3)
    config = kerong_config(tmp_path, bus.path)
    assert main(["hw", "list", "--json", "--config", str(config)]) == 0
    row = next(p for p in json.loads(capsys.readouterr().out)["parts"] if p["device"] == "doors")
    assert (row["backend"], row["ready"], row["detail"]) == ("kerong", True, "64 doors, open: 3")
    bus.boards[0].off = True
    assert main(["hw", "list", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "state:   64 doors, open: none" not in out
    assert "problem: cu16 board 0 replied 0 of 9 bytes" in out
    assert bus.opens() == []


def test_build_doors_picks_each_backend(tmp_path: Path) -> None:
    def built(doors: str) -> object:
        return build_doors(load_config(write_config(tmp_path, extra=f"[doors]\n{doors}\n")))

    assert built('backend = "none"') is None
    sim = built('backend = "sim"\ncount = 6')
    assert isinstance(sim, SimDoors) and sim.count() == 6
    absent = built('backend = "kerong"\nport = "/dev/pvz-absent-doors"\nboards = [{ address = 1 }]')
    assert isinstance(absent, KerongDoors) and absent.status()["faults"] == {"port_unavailable": 1}
    gpio = built('backend = "gpio"\npin_factory = "mock"\nrelay_pins = [5, 6]\nsensor_pins = [19, 26]')
    assert isinstance(gpio, GpioDoors) and gpio.count() == 2
    gpio.close()


def test_gpio_doors_that_cannot_be_driven_are_offline_not_simulated(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, extra='[doors]\nbackend = "gpio"\nrelay_pins = [5]\n'))
    hw = Hardware()
    from gpiozero.pins.mock import MockFactory

    hw.pin_factory = MockFactory()
    hw.pin_factory.pin(5)  # taken by someone else: the relay cannot claim it
    taken = GpioDoors(relay_pins=[5], pin_factory=hw.pin_factory)
    doors = build_doors(config, hw)
    assert isinstance(doors, OfflineDoors) and doors.count() == 1
    with pytest.raises(DoorFault) as caught:
        doors.pulse(0)
    assert caught.value.reason == "gpio_unavailable"
    assert doors.status()["online"] is False
    taken.close()
