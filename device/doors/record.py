"""What the door controller writes: each command's result, each door's news and alerts, as rows and journal events.

Every function runs inside the caller's transaction. The journal is the outbox, so each result
and alert also reaches the fleet (`door_result`, `door_closed`, and `alert` events whose
`alert` names the kind: `door_opened_unasked`, `door_left_open`, `door_differs_at_start`,
`cell_differs_at_start`, `doors_offline`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from device.doors.watch import Finding
from device.store.doors import DoorCommand, finish_command, set_door
from device.store.journal import Stamp, append
from workflows.inputs import DoorEvent

# The door's state after a command's result: what the store then believes of it.
DOOR_AFTER = {"opened": "open", "already_open": "open", "jammed": "closed", "not_verified": "unknown"}


def record_result(conn: sqlite3.Connection, stamp: Stamp, cmd: DoorCommand, state: str, ts: str) -> bool:
    """The command's result, once; the door's state it implies; a `door_result` event. False:
    it was already answered, and nothing is written."""
    if not finish_command(conn, cmd.id, state, ts):
        return False
    after = DOOR_AFTER.get(state)
    if after is not None:
        set_door(conn, cmd.door, after, ts)
    data = {"command": cmd.id, "door": cmd.door, "purpose": cmd.purpose, "order": cmd.order, "result": state}
    append(conn, stamp, "door_result", cell=cmd.cell, data=data)
    return True


def record_finding(conn: sqlite3.Connection, stamp: Stamp, found: Finding, ts: str) -> None:
    """A door's news from watching it: shut (with what the occupancy sensor says), left open, or
    opened with no command (an alert for the fleet)."""
    cell = found.cell or None
    if found.event is DoorEvent.OPENED_UNASKED:
        set_door(conn, found.door, "open", ts)
        record_alert(conn, stamp, "door_opened_unasked", cell, door=found.door)
    elif found.event is DoorEvent.LEFT_OPEN:
        record_alert(
            conn,
            stamp,
            "door_left_open",
            cell,
            door=found.door,
            command=found.command,
            open_s=round(found.open_s),
        )
    else:
        set_door(conn, found.door, "closed", ts)
        data = {"door": found.door, "command": found.command, "event": found.event.value}
        append(conn, stamp, "door_closed", cell=cell, data=data)


def record_alert(conn: sqlite3.Connection, stamp: Stamp, alert: str, cell: str | None, **data: Any) -> None:
    append(conn, stamp, "alert", cell=cell, data={"alert": alert, **data})
