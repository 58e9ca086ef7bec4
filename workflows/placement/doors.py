"""Placement into a locker's door cells: the door is commanded open for the parcel being put in.

A door cell is a cell of the doors' zone ([doors] zone); its light channel is its door number.
The door opens once the parcel is recorded in it, so the kiosk and the controller can rely on
"a door holds one order": a door already holding another order's parcel is refused (rules.py).
"""

from __future__ import annotations

from datetime import timedelta

from workflows.context import Ctx
from workflows.messages import Msg
from workflows.outcome import OpenDoor
from workflows.views import CellView


def is_door(cell: CellView, ctx: Ctx) -> bool:
    return cell.zone == ctx.policy.kiosk.doors_zone


def opening(cell: CellView, order: str | None, ctx: Ctx) -> tuple[OpenDoor, Msg]:
    """The command to open the cell's door for the clerk, and the words that say so."""
    expires = ctx.now + timedelta(seconds=ctx.policy.kiosk.door_expiry_s)
    command = OpenDoor(cell.address, cell.channel, order, "placement", expires)
    return command, Msg("pl_door_opening", {"door": cell.label})
