"""A technician's door open from the fleet (the `door-open` command): only an empty cell, through the controller.

The command is refused with pvz's own reason code before anything is recorded when the cell
has no door or holds any parcel; otherwise it becomes a `service` door command like any other
(recorded, fired once, refused or expired by the controller's own checks), and the reply says
what the sensors read after it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from device.doors.controller import SERVICE, DoorController
from device.exc import DoorRefused
from device.store.doors import door_cells, other_parcels, record_open
from device.store.journal import Stamp, append
from workflows.outcome import OpenDoor

FLEET = "fleet"  # the station a service command is recorded under: no station asked
FIRED = ("opened", "already_open", "jammed", "not_verified")


async def service_open(ctl: DoorController, cell: str) -> dict[str, Any]:
    """Open `cell`'s door for a technician; the result as the sensors tell it. Raises DoorRefused."""
    conn = ctl.store.conn
    doors = {address: door for door, address in door_cells(conn, ctl.config.zone).items()}
    door = doors.get(cell)
    if door is None:
        raise DoorRefused("not_a_door", f"cell {cell!r} has no door in zone {ctl.config.zone!r}")
    if other_parcels(conn, cell, None):
        raise DoorRefused("door_cell_occupied", f"cell {cell!r} holds a parcel: a service open is refused")
    now = ctl.now()
    effect = OpenDoor(cell, door, None, SERVICE, now + timedelta(seconds=ctl.config.command_expiry_s))
    with ctl.store.transaction() as conn:
        stamp = Stamp(ctl.device_id, now.isoformat(timespec="seconds"), FLEET)
        command = record_open(conn, effect, stamp)
        data = {"command": command, "door": door, "purpose": SERVICE, "order": None}
        append(conn, stamp, "door_commanded", cell=cell, data=data)
    answer = await asyncio.shield(_answer(ctl, command))
    if answer.state not in FIRED:
        raise DoorRefused(answer.state, f"door {door} ({cell}) not opened: {answer.state}")
    reading = answer.reading
    return {
        "command": command,
        "cell": cell,
        "door": door,
        "result": answer.state,
        "door_state": None if reading is None else reading.state.value,
        "occupied": None if reading is None else reading.occupied,
    }


async def _answer(ctl: DoorController, command: int) -> Any:
    future = ctl.waiter(command)
    if ctl.running:
        ctl.wake()
    else:  # no controller task (a tool, a test): take the turn here
        await ctl.step()
    return await future
