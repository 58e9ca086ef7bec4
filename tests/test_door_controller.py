"""The door controller over SimDoors and a real store: each command fired once, or refused, expired, failed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from drivers.doors.base import DoorReading
from drivers.doors.sim_doors import SimDoors
from tests.support.locker import CELLS, new_locker


def test_a_command_is_fired_once_watched_and_closed_empty(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    locker.place("11111111-0001-1", 1)
    command = locker.command(1)
    locker.step()
    assert [door for _, door in locker.doors.pulses] == [1]
    assert locker.state(command) == "opened" and locker.door_state(1) == "open"
    assert locker.events() == [("k1", "opened")]
    assert locker.reports[0][1].command == command and locker.reports[0][1].cell == CELLS[1]
    locker.step()  # still open: nothing new, and never fired again
    assert len(locker.doors.pulses) == 1 and len(locker.reports) == 1
    locker.doors.take(1)
    locker.step()
    assert locker.events()[-1] == ("k1", "closed_empty") and locker.door_state(1) == "closed"
    kinds = [
        r[0]
        for r in locker.store.conn.execute("SELECT kind FROM journal WHERE kind LIKE 'door_%' ORDER BY seq")
    ]
    assert kinds == ["door_result", "door_closed"]
    assert locker.alerts() == []


def test_closed_with_the_parcel_inside_or_without_an_occupancy_sensor(tmp_path: Path) -> None:
    locker = new_locker(tmp_path, without_occupancy=(2,))
    locker.doors.load(0)
    for door in (0, 2):
        locker.command(door)
    locker.step()
    locker.doors.leave(0)
    locker.doors.leave(2)
    locker.step()
    assert locker.events() == [("k1", "opened"), ("k1", "opened"), ("k1", "closed_full"), ("k1", "closed")]


def test_the_row_is_committed_sent_before_the_lock_fires(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    seen: list[str] = []
    reader = sqlite3.connect(tmp_path / "pvz.db", check_same_thread=False)  # another process's view

    class Watching(SimDoors):
        def pulse(self, door: int) -> None:
            seen.append(reader.execute("SELECT state FROM door_commands").fetchone()[0])
            super().pulse(door)

    locker.ctl.doors = Watching(4)
    locker.command(0)
    locker.step()
    assert seen == ["sent"]


def test_an_expired_command_is_never_fired(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    command = locker.command(0, expires_s=5)
    locker.clocks.advance(5)
    locker.step()
    assert locker.state(command) == "expired" and locker.doors.pulses == []
    assert locker.events() == [("k1", "expired")]


def test_a_door_holding_someone_elses_parcel_is_refused(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    locker.place("22222222-0001-1", 0)
    theirs = locker.command(0, order="11111111")
    locker.step()
    assert locker.state(theirs) == "refused" and locker.doors.pulses == []
    mine = locker.command(0, order="22222222")
    service = locker.command(0, order=None, purpose="service")
    locker.step()
    assert (locker.state(mine), locker.state(service)) == ("opened", "refused")
    assert [door for _, door in locker.doors.pulses] == [0]
    assert locker.events() == [("k1", "refused"), ("k1", "opened")]  # a service open tells no station


def test_a_jammed_door_and_a_silent_bus(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    locker.doors.jam(3)
    jammed = locker.command(3)
    locker.step()
    assert locker.state(jammed) == "jammed" and locker.door_state(3) == "closed"
    locker.doors.offline = True
    failed = locker.command(1)
    locker.step()
    locker.step()
    assert locker.state(failed) == "failed"
    fault = locker.ctl.fault()
    assert locker.ctl.offline and fault is not None and fault.key == "hw_doors_offline"
    assert [a["alert"] for a in locker.alerts()] == ["doors_offline"]  # once per outage
    assert locker.ctl.status()["online"] is False
    locker.doors.offline = False
    locker.step()
    assert not locker.ctl.offline and locker.ctl.fault() is None
    assert locker.events() == [("k1", "jammed"), ("k1", "failed")]


def test_a_door_left_open_alerts_once_and_is_still_watched(tmp_path: Path) -> None:
    locker = new_locker(tmp_path, left_open_alert_s=60)
    locker.command(2)
    locker.step()
    locker.clocks.advance(59)
    locker.step()
    assert locker.events() == [("k1", "opened")]
    locker.clocks.advance(1)
    locker.step()
    locker.clocks.advance(600)
    locker.step()
    assert locker.events() == [("k1", "opened"), ("k1", "left_open")]
    assert [(a["alert"], a["door"], a["open_s"]) for a in locker.alerts()] == [("door_left_open", 2, 60)]
    locker.doors.take(2)
    locker.step()
    assert locker.events()[-1] == ("k1", "closed_empty")


def test_an_opening_nobody_commanded_is_one_alert_per_opening(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    kiosks = ["k1"]
    locker.ctl.open_kiosks = lambda: kiosks
    locker.doors.force_open(3)
    locker.step()
    locker.step()
    assert [(a["alert"], a["door"]) for a in locker.alerts()] == [("door_opened_unasked", 3)]
    assert locker.events() == [("k1", "opened_unasked")] and locker.door_state(3) == "open"
    locker.doors.leave(3)
    locker.step()
    assert locker.door_state(3) == "closed" and len(locker.reports) == 1
    locker.doors.force_open(3)
    locker.step()
    assert len(locker.alerts()) == 2
    assert locker.ctl.status()["open_unasked"] == [3]


def test_a_commanded_door_is_not_an_unasked_opening(tmp_path: Path) -> None:
    """A door open while its command is still live (decided, not yet answered) raises no alert."""
    locker = new_locker(tmp_path)
    locker.command(1)
    locker.doors.force_open(1)  # opened by hand a moment before the controller's turn
    reading = DoorReading(1, locker.doors.read(1).state)
    assert locker.ctl.watches.look({1: reading}, locker.ctl.cell_of, 0.0, busy={1}) == []
    locker.step()
    assert locker.events() == [("k1", "already_open")] and locker.alerts() == []
    assert locker.doors.pulses == []


def test_a_door_the_driver_does_not_have_fails_and_is_not_left_sent(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    locker.ctl.doors = SimDoors(2)  # the rack's door 3 is past the locker's count
    command = locker.command(3)
    locker.step()
    assert locker.state(command) == "failed" and locker.events() == [("k1", "failed")]
