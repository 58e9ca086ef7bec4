"""Cell first: scan a cell, then every parcel that goes into it; N parcels take N + 1 scans."""

from __future__ import annotations

from dataclasses import replace

from workflows.context import Ctx
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, Light, Move
from workflows.parcel import ParcelState
from workflows.placement.by_parcel import take_parcel
from workflows.placement.doors import is_door, opening
from workflows.placement.rules import PLACEABLE_ZONES, cell_instead, misfit, not_placeable, order_elsewhere
from workflows.placement.states import Placement, PlacementData, S, counted, prompt, refused, without
from workflows.queries import Queries
from workflows.session import Outcome, advance, refuse
from workflows.views import CellView, ParcelView


def open_cell(session: Placement, cell: CellView, q: Queries, ctx: Ctx) -> Outcome:
    """A cell scanned with nothing in hand opens it: its light stays on while parcels go in."""
    data = session.data
    if session.state is S.FILL_CELL and data.cell == cell.address:
        again = Msg(
            "pl_cell_already_open",
            {"cell": cell.address, "occupied": cell.occupied, "capacity": cell.capacity},
        )
        return Outcome(session, Feedback(Level.INFO, again))
    if cell.zone not in PLACEABLE_ZONES and not is_door(cell, ctx):
        return refuse(session, "pl_cell_not_for_parcels", cell=cell.address, next=prompt(session))
    if not cell.has_room:
        return refuse(session, "pl_cell_full", cell=cell.address, next=cell_instead(cell, q))
    holder = q.claimed_by(f"cell:{cell.address}")
    if holder is not None and holder != ctx.station:
        # another station's clerk has a parcel in hand for this cell: filling it would leave them none
        return refuse(
            session, "pl_cell_claimed", cell=cell.address, station=holder, next=cell_instead(cell, q)
        )
    data = replace(data, cell=cell.address)
    filling = advance(
        session, S.FILL_CELL, data, lights={cell.address: Light.SUGGESTED}, claims=(f"cell:{cell.address}",)
    )
    opened = Msg("pl_cell_open", {"cell": cell.address, "free": cell.capacity - cell.occupied})
    return Outcome(filling, Feedback(Level.INFO, opened))


def close_cell(session: Placement, q: Queries) -> Outcome:
    """Cancel at an open cell closes it: its light goes out, what went in stays."""
    address = str(session.data.cell)
    cell = q.cell_by_address(address)
    occupied = 0 if cell is None else cell.occupied
    capacity = 0 if cell is None else cell.capacity
    data = replace(session.data, cell=None)
    waiting = advance(session, S.WAIT_PARCEL, data, lights={}, claims=())
    closed = Msg("pl_cell_closed", {"cell": address, "occupied": occupied, "capacity": capacity})
    return Outcome(waiting, Feedback(Level.INFO, closed))


def fill(session: Placement, parcel: ParcelView, q: Queries, ctx: Ctx) -> Outcome:
    """A parcel scanned at an open cell goes into it; one that may not goes where a light shows."""
    cell = q.cell_by_address(str(session.data.cell))
    if cell is None:  # the rack was re-imported without the open cell: place the parcel on its own
        return take_parcel(session, parcel, q, ctx)
    holder = q.claimed_by(f"parcel:{parcel.barcode}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "pl_claimed", code=parcel.barcode, station=holder, next=prompt(session))
    if parcel.state is ParcelState.STORED:
        return _fill_move(session, parcel, cell, q, ctx)
    if parcel.state is not ParcelState.ACCEPTED:
        return refused(session, not_placeable(parcel))
    why = misfit(parcel, cell, q, doors=ctx.policy.kiosk.doors_zone)
    if why is not None:
        return take_parcel(session, parcel, q, ctx, at=cell, why=why)
    apart = order_elsewhere(parcel, cell, q)
    event: dict[str, str | bool | None] = {"cell_first": True}
    lines: tuple[Msg, ...] = ()
    if apart is not None:
        event["order_cell"] = apart
        lines = (Msg("pl_order_apart", {"order": str(parcel.order_id), "cell": apart}),)
    move = Move(parcel.barcode, ParcelState.STORED, "placed", cell=cell.address, data=event)
    data = replace(counted(session.data, cell.address), waiting=without(session.data.waiting, parcel.barcode))
    return _after_fill(session, data, cell, move, lines, ctx=ctx, order=parcel.order_id)


def _fill_move(session: Placement, parcel: ParcelView, cell: CellView, q: Queries, ctx: Ctx) -> Outcome:
    """A stored parcel scanned at an open cell moves into it; it keeps its cell when it may not."""
    if parcel.cell == cell.address:
        same = Msg("pl_same_cell", {"parcel": parcel.barcode, "cell": cell.address})
        return Outcome(session, Feedback(Level.WARN, same))
    stays = Msg("pl_stays_in", {"parcel": parcel.barcode, "cell": str(parcel.cell)})
    why = misfit(parcel, cell, q, then=stays, doors=ctx.policy.kiosk.doors_zone)
    if why is not None:
        return refused(session, why)
    move = Move(
        parcel.barcode, ParcelState.STORED, "moved", cell=cell.address, data={"from_cell": parcel.cell}
    )
    data = counted(session.data, cell.address, moved=True)
    return _after_fill(session, data, cell, move, (), ctx=ctx, order=parcel.order_id)


def _after_fill(
    session: Placement,
    data: PlacementData,
    cell: CellView,
    move: Move,
    lines: tuple[Msg, ...],
    *,
    ctx: Ctx,
    order: str | None,
) -> Outcome:
    """The parcel is in the open cell: the cell stays open while it has room, else placement waits.

    A door cell's door is commanded open for each parcel recorded in it.
    """
    occupied = cell.occupied + 1
    level = Level.WARN if lines else Level.OK
    effects: tuple[Effect, ...] = (move,)
    if is_door(cell, ctx):
        command, told = opening(cell, order, ctx)
        effects, lines = (move, command), (told, *lines)
    if occupied >= cell.capacity:
        full = Msg("pl_put_full", {"parcel": move.parcel, "cell": cell.address})
        waiting = advance(session, S.WAIT_PARCEL, replace(data, cell=None), lights={}, claims=())
        return Outcome(waiting, Feedback(level, full, lines), effects)
    put = Msg(
        "pl_put",
        {"parcel": move.parcel, "cell": cell.address, "occupied": occupied, "capacity": cell.capacity},
    )
    return Outcome(advance(session, S.FILL_CELL, data), Feedback(level, put, lines), effects)
