"""The doors at a start, before any input: nothing in flight is fired again, and the store meets the sensors.

After a power cut no door may open by itself: every command still `pending` or `sent` becomes
`interrupted` (a `sent` one may have fired already; a pending one has outlived its customer).
Then every door is read and compared with what the store believes, the `doors` table and
whether a cell holds parcels where an occupancy sensor can tell: each difference is an alert
in the journal. An interrupted command of a kiosk session still open is reported to it from
what the sensors say now, so the customer's session ends on facts, not on a guess.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from device.doors.controller import DoorController
from device.doors.record import record_alert, record_result
from device.doors.watch import closed_event
from device.store.clock import utc_text
from device.store.db import Store
from device.store.doors import DoorCommand, door_cells, door_states, live_commands, parcels_by_cell, set_door
from device.store.journal import Stamp
from drivers.doors.base import DoorError, DoorReading, DoorState
from drivers.doors.sim_doors import SimDoors
from workflows.inputs import DoorEvent, DoorReport

log = logging.getLogger("pvz.doors")


@dataclass
class StartReport:
    """What the start found: the commands interrupted, and the alerts raised (as journalled)."""

    interrupted: list[int] = field(default_factory=list)
    alerts: list[dict[str, object]] = field(default_factory=list)
    read: bool = False  # False: the bus did not answer, nothing was compared


def load_twin(doors: SimDoors, store: Store, zone: str) -> list[int]:
    """The simulated twin made to hold what the store says the locker holds: each door whose cell
    holds parcels reads occupied. A real locker's sensors carry that over a restart; a twin starts
    empty, and then the comparison below would raise an alert for every stocked cell, and a door
    shut on its parcel would read "emptied" with nobody having taken anything. Run before reconcile();
    the doors loaded, in order."""
    held = parcels_by_cell(store.conn, zone)
    loaded = sorted(door for door, cell in door_cells(store.conn, zone).items() if held.get(cell, 0) > 0)
    for door in loaded:
        if door < doors.count():
            doors.load(door)
    return loaded


def reconcile(ctl: DoorController, open_kiosks: Collection[str] = ()) -> StartReport:
    """Run once in Runtime.start(); blocking reads are fine there (nothing else runs yet)."""
    found = StartReport()
    now = ctl.now()
    ts = utc_text(now)
    with ctl.store.transaction() as conn:
        cut = live_commands(conn)
        for cmd in cut:
            stamp = Stamp(ctl.device_id, now.isoformat(timespec="seconds"), cmd.station)
            record_result(conn, stamp, cmd, "interrupted", ts)
    found.interrupted = [cmd.id for cmd in cut]
    if cut:
        log.warning("door commands in flight at the last stop, never sent again: %s", found.interrupted)
    try:
        readings = ctl.doors.read_all()
    except DoorError as exc:
        ctl.bus_silent(exc)
        readings = {}
    else:
        found.read = True
        found.alerts = _compare(ctl, readings, explained={cmd.door for cmd in cut})
    asked = {cmd.door for cmd in cut}
    for door, reading in readings.items():
        if reading.state is DoorState.OPEN and door not in asked:
            ctl.watches.unasked.add(door)  # its alert is the comparison's; it is recorded when it shuts
    for cmd in cut:
        _tell(ctl, cmd, readings.get(cmd.door), open_kiosks)
    return found


def _compare(
    ctl: DoorController, readings: Mapping[int, DoorReading], *, explained: Collection[int] = ()
) -> list[dict[str, object]]:
    """Each door and cell whose sensors disagree with the store, as alerts. A door whose open was
    in flight when the power went may well be open, or emptied by its customer: that difference is
    explained (its command is journalled interrupted) and the store takes the sensor's word; a
    cell holding what the store does not know of is never explained."""
    conn = ctl.store.conn
    now = ctl.now()
    ts = utc_text(now)
    stored = door_states(conn)
    cells = door_cells(conn, ctl.config.zone)
    held = parcels_by_cell(conn, ctl.config.zone)
    alerts: list[dict[str, object]] = []
    with ctl.store.transaction() as conn:
        stamp = Stamp(ctl.device_id, now.isoformat(timespec="seconds"))
        for door, reading in sorted(readings.items()):
            cell = cells.get(door)
            was = stored.get(door, "closed")
            if reading.state is not DoorState.UNKNOWN and was != reading.state.value and door in explained:
                set_door(conn, door, reading.state.value, ts)
            elif reading.state is not DoorState.UNKNOWN and was != reading.state.value:
                alert = {
                    "alert": "door_differs_at_start",
                    "door": door,
                    "stored": was,
                    "read": reading.state.value,
                }
                alerts.append(alert)
                set_door(conn, door, reading.state.value, ts)
            parcels = 0 if cell is None else held.get(cell, 0)
            differs = reading.occupied is not None and (parcels > 0) != reading.occupied
            emptied = parcels > 0 and reading.occupied is False  # what the open's customer may have done
            if cell is not None and differs and not (emptied and door in explained):
                alert = {
                    "alert": "cell_differs_at_start",
                    "door": door,
                    "parcels": parcels,
                    "occupied": reading.occupied,
                }
                alerts.append(alert)
        for alert in alerts:
            data = {k: v for k, v in alert.items() if k != "alert"}
            record_alert(conn, stamp, str(alert["alert"]), cells.get(int(str(alert["door"]))), **data)
    for alert in alerts:
        log.warning("doors at start: %s", alert)
    return alerts


def _tell(
    ctl: DoorController, cmd: DoorCommand, reading: DoorReading | None, open_kiosks: Collection[str]
) -> None:
    """The customer's session learns what became of its interrupted open from the sensors now. A door
    found open whose command nobody waits for any more (a clerk's placement, a service open) is
    watched all the same: its shutting is recorded, and left open it raises its alert."""
    if cmd.station not in open_kiosks:
        if reading is not None and reading.state is DoorState.OPEN:
            station = None if cmd.purpose == "service" else cmd.station
            ctl.watches.watch(cmd.door, cmd.cell, station, cmd.id, ctl.clock())
        return
    if reading is not None and reading.state is DoorState.OPEN:
        event = DoorEvent.OPENED
        ctl.watches.watch(cmd.door, cmd.cell, cmd.station, cmd.id, ctl.clock())
    elif (
        reading is not None
        and reading.state is DoorState.CLOSED
        and closed_event(reading) is DoorEvent.CLOSED_EMPTY
    ):
        event = DoorEvent.CLOSED_EMPTY
    else:
        event = DoorEvent.INTERRUPTED  # unknown: the parcels stay as they were
    ctl.tell(cmd.station, DoorReport(cmd.door, cmd.cell, event, cmd.id))
