"""Parcel first: scan a parcel, its cell lights up, scan that cell; a stored parcel moves the same way."""

from __future__ import annotations

from dataclasses import replace

from workflows.context import Ctx
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, Light, Move
from workflows.parcel import ParcelState
from workflows.placement.doors import is_door, opening
from workflows.placement.rules import misfit, not_placeable, other_cell, suggest
from workflows.placement.states import (
    Placement,
    PlacementData,
    S,
    counted,
    prompt,
    refused,
    without,
)
from workflows.queries import Queries
from workflows.session import Outcome, advance, refuse
from workflows.views import CellView, ParcelView


def take_parcel(
    session: Placement,
    parcel: ParcelView,
    q: Queries,
    ctx: Ctx,
    *,
    at: CellView | None = None,
    why: Msg | None = None,
) -> Outcome:
    """The parcel in hand waits for its cell, lit when one has room.

    `at` is the open cell the parcel may not go into and `why` says why: the cell is filled
    again once this parcel is stored elsewhere, if it still has room.
    """
    holder = q.claimed_by(f"parcel:{parcel.barcode}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "pl_claimed", code=parcel.barcode, station=holder, next=prompt(session))
    if parcel.state not in (ParcelState.STORED, ParcelState.ACCEPTED):
        return refused(session, not_placeable(parcel))
    data, notice = _let_go(session, parcel, q)
    data = replace(data, waiting=without(data.waiting, parcel.barcode))
    if at is not None:
        data = replace(data, cell=at.address if at.has_room else None)
    claims = (f"parcel:{parcel.barcode}",) + (() if data.cell is None else (f"cell:{data.cell}",))
    if parcel.state is ParcelState.STORED:
        assert parcel.cell is not None
        data = replace(data, parcel=parcel.barcode, suggested=None, move=True)
        moving = advance(session, S.WAIT_CELL, data, lights={parcel.cell: Light.CURRENT}, claims=claims)
        head = Msg("pl_move_from", {"parcel": parcel.barcode, "cell": parcel.cell})
        return Outcome(moving, _told(Level.INFO, head, notice))
    cell = suggest(parcel, q) if at is None else other_cell(parcel, q, at)
    lights: dict[str, Light] = {}
    if cell is not None:
        lights[cell.address] = Light.SUGGESTED
        claims += (f"cell:{cell.address}",)
    data = replace(data, parcel=parcel.barcode, suggested=None if cell is None else cell.address, move=False)
    nxt = advance(session, S.WAIT_CELL, data, lights=lights, claims=claims)
    if why is not None:
        back = (Msg("pl_then_back", {"cell": data.cell}),) if data.cell is not None else ()
        return Outcome(nxt, Feedback(Level.WARN, why, back))
    if cell is None:
        none = Msg("pl_no_suggestion", {"parcel": parcel.barcode, "size": parcel.size.value})
        return Outcome(nxt, _told(Level.WARN, none, notice))
    lit = Msg("pl_suggest", {"parcel": parcel.barcode, "cell": cell.address})
    return Outcome(nxt, _told(Level.OK, lit, notice))


def _let_go(session: Placement, taken: ParcelView, q: Queries) -> tuple[PlacementData, tuple[Msg, ...]]:
    """The session's data without the parcel it held, and what the clerk must hear about that parcel.

    A parcel is never dropped in silence: an accepted one joins the waiting list, a stored one
    being moved is still recorded in its old cell, and the clerk is told either way.
    """
    data = session.data
    previous = data.parcel
    if previous is None or previous == taken.barcode:
        return data, ()
    return without_parcel(data, q)


def without_parcel(data: PlacementData, q: Queries) -> tuple[PlacementData, tuple[Msg, ...]]:
    """Let go of the parcel in hand: where it stands now, for the clerk to hear."""
    barcode = str(data.parcel)
    rest = replace(data, parcel=None, suggested=None, move=False)
    if data.move:
        where = q.parcel(barcode)
        cell = "?" if where is None or where.cell is None else where.cell
        return rest, (Msg("pl_move_dropped", {"parcel": barcode, "cell": cell}),)
    rest = replace(rest, waiting=(*without(rest.waiting, barcode), barcode))
    return rest, (Msg("pl_left_waiting", {"parcel": barcode, "count": len(rest.waiting)}),)


def put(session: Placement, cell: CellView, q: Queries, ctx: Ctx) -> Outcome:
    data = session.data
    barcode = str(data.parcel)
    parcel = q.parcel(barcode)
    if parcel is None:  # the session outlived its parcel; only a store edit can do that
        nxt, lines = after_parcel(session, replace(data, parcel=None, suggested=None, move=False), q)
        return Outcome(nxt, Feedback(Level.WARN, Msg("pl_parcel_gone", {"parcel": barcode}), lines))
    if data.move and parcel.cell == cell.address:
        nxt, lines = after_parcel(session, replace(data, parcel=None, suggested=None, move=False), q)
        same = Msg("pl_same_cell", {"parcel": barcode, "cell": cell.address})
        return Outcome(nxt, Feedback(Level.WARN, same, lines))
    why = misfit(parcel, cell, q, lit=data.suggested, doors=ctx.policy.kiosk.doors_zone)
    if why is not None:
        return refused(session, why)
    suggested = data.suggested
    off = suggested is not None and suggested != cell.address
    if data.move:
        move = Move(barcode, ParcelState.STORED, "moved", cell=cell.address, data={"from_cell": parcel.cell})
        head = Msg("pl_moved", {"parcel": barcode, "cell": cell.address})
        level = Level.OK
    else:
        event = {"suggested": suggested, "off_suggestion": off}
        move = Move(barcode, ParcelState.STORED, "placed", cell=cell.address, data=event)
        key = "pl_placed_elsewhere" if off else "pl_placed"
        head = Msg(key, {"parcel": barcode, "cell": cell.address, "suggested": str(suggested)})
        level = Level.WARN if off else Level.OK
    data = replace(counted(data, cell.address, moved=data.move), parcel=None, suggested=None, move=False)
    nxt, lines = after_parcel(session, data, q, just_put=cell.address)
    effects: tuple[Effect, ...] = (move,)
    if is_door(cell, ctx):
        command, told = opening(cell, parcel.order_id, ctx)
        effects, lines = (move, command), (told, *lines)
    return Outcome(nxt, Feedback(level, head, lines), effects)


def drop_parcel(session: Placement, q: Queries) -> Outcome:
    """Cancel while a parcel waits for its cell: it is let go, and the clerk hears where it stands."""
    data, notice = without_parcel(session.data, q)
    nxt, lines = after_parcel(session, data, q, remind=False)
    return Outcome(nxt, Feedback(Level.INFO, notice[0], lines))


def after_parcel(
    session: Placement,
    data: PlacementData,
    q: Queries,
    *,
    just_put: str | None = None,
    remind: bool = True,
) -> tuple[Placement, tuple[Msg, ...]]:
    """Nothing in hand any more: back to the cell being filled if it still has room, else to waiting.

    The lines say so, and remind the clerk of the parcels still waiting for a cell.
    """
    lines: tuple[Msg, ...] = ()
    if data.waiting and remind:
        first = data.waiting[0]
        lines = (Msg("pl_still_waiting", {"count": len(data.waiting), "parcel": first}),)
    if data.cell is not None:
        cell = q.cell_by_address(data.cell)
        taken = 1 if just_put == data.cell else 0
        if cell is not None and cell.occupied + taken < cell.capacity:
            filling = advance(
                session,
                S.FILL_CELL,
                data,
                lights={cell.address: Light.SUGGESTED},
                claims=(f"cell:{cell.address}",),
            )
            return filling, (Msg("pl_back_to_cell", {"cell": cell.address}), *lines)
        data = replace(data, cell=None)
    return advance(session, S.WAIT_PARCEL, data, lights={}, claims=()), lines


def _told(level: Level, head: Msg, notice: tuple[Msg, ...]) -> Feedback:
    """A parcel let go makes the feedback a warning: its notice leads, the new instruction follows."""
    if notice:
        return Feedback(Level.WARN, notice[0], (head, *notice[1:]))
    return Feedback(level, head)
