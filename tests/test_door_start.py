"""The doors at a start: nothing in flight fires again, the store is compared with the sensors, sessions told."""

from __future__ import annotations

from pathlib import Path

from device.doors.start import reconcile
from device.store.doors import mark_sent
from tests.support.locker import CELLS, new_locker


def test_commands_in_flight_become_interrupted_and_never_fire(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    opened, shut_empty, pending, other = (locker.command(d) for d in range(4))
    with locker.store.transaction() as conn:
        for command in (opened, shut_empty, other):
            mark_sent(conn, command, "2026-11-21T09:00:00+00:00")
        conn.execute("UPDATE door_commands SET station = 'k2' WHERE id = ?", (other,))
    locker.doors.force_open(0)  # fired before the power went: open now
    locker.doors.load(2)  # the customer's parcel still inside
    found = reconcile(locker.ctl, open_kiosks=["k1"])
    assert found.interrupted == [opened, shut_empty, pending, other]
    assert {locker.state(c) for c in (opened, shut_empty, pending, other)} == {"interrupted"}
    assert locker.doors.pulses == []
    # Told from what the sensors say now; k2 has no open kiosk session and is told nothing.
    assert locker.events() == [("k1", "opened"), ("k1", "closed_empty"), ("k1", "interrupted")]
    locker.step()
    locker.step()
    assert locker.doors.pulses == []
    # Door 0 open is explained by its interrupted open (journalled so); door 2's cell holding what
    # the store does not know of is not.
    assert [(a["alert"], a["door"]) for a in locker.alerts()] == [("cell_differs_at_start", 2)]
    assert locker.door_state(0) == "open"
    locker.doors.take(0)
    locker.step()
    assert locker.events()[-1] == ("k1", "closed_empty")  # the opened door was watched
    assert locker.doors.pulses == []


def test_each_difference_between_store_and_sensors_is_an_alert(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    with locker.store.transaction() as conn:
        conn.execute("INSERT INTO doors (door, state, since) VALUES (1, 'open', '2026-11-21T08:00:00+00:00')")
    locker.place("11111111-0001-1", 3)  # the store says door 3's cell holds a parcel; the sensor: empty
    locker.doors.load(2)  # something in door 2's cell the store knows nothing of
    locker.doors.force_open(0)  # open, and nobody commanded it
    found = reconcile(locker.ctl)
    expected = [
        {"alert": "door_differs_at_start", "door": 0, "stored": "closed", "read": "open"},
        {"alert": "door_differs_at_start", "door": 1, "stored": "open", "read": "closed"},
        {"alert": "cell_differs_at_start", "door": 2, "parcels": 0, "occupied": True},
        {"alert": "cell_differs_at_start", "door": 3, "parcels": 1, "occupied": False},
    ]
    assert found.alerts == expected and locker.alerts() == expected
    cells = [
        r[0] for r in locker.store.conn.execute("SELECT cell FROM journal WHERE kind = 'alert' ORDER BY seq")
    ]
    assert cells == list(CELLS)
    assert (locker.door_state(0), locker.door_state(1)) == ("open", "closed")
    locker.step()  # the open door's alert was the comparison's: not raised a second time
    assert len(locker.alerts()) == 4
    assert reconcile(locker.ctl).alerts == [
        {"alert": "cell_differs_at_start", "door": 2, "parcels": 0, "occupied": True},
        {"alert": "cell_differs_at_start", "door": 3, "parcels": 1, "occupied": False},
    ]


def test_a_silent_bus_at_start_interrupts_all_the_same(tmp_path: Path) -> None:
    locker = new_locker(tmp_path)
    command = locker.command(1)
    locker.doors.offline = True
    found = reconcile(locker.ctl, open_kiosks=["k1"])
    assert not found.read and locker.state(command) == "interrupted"
    assert locker.events() == [("k1", "interrupted")]
    assert [a["alert"] for a in locker.alerts()] == ["doors_offline"] and locker.ctl.offline


def test_a_clerks_open_cut_by_the_power_is_still_watched_until_it_shuts(tmp_path: Path) -> None:
    """A placement open in flight at a power cut, the door found open at the start: nobody's
    collection waits for it, but its shutting is recorded and the clerk's station told."""
    locker = new_locker(tmp_path)
    placing = locker.command(1, purpose="placement")
    with locker.store.transaction() as conn:
        mark_sent(conn, placing, "2026-11-21T09:00:00+00:00")
    locker.doors.force_open(1)
    reconcile(locker.ctl, open_kiosks=[])
    assert locker.state(placing) == "interrupted" and locker.doors.pulses == []
    assert locker.alerts() == []  # open because of its own interrupted command: explained
    locker.doors.load(1)  # the clerk puts the parcel in
    locker.doors.leave(1)
    locker.step()
    assert locker.events() == [("k1", "closed_full")]
    assert locker.door_state(1) == "closed"
