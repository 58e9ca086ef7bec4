"""Placement: scan a parcel, see the suggested cell lit, scan a cell; moves between cells too."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import Feedback, Level, Light, Move
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, refuse
from workflows.views import CellView, ParcelView

NAME = "placement"


class State(enum.Enum):
    WAIT_PARCEL = "wait_parcel"
    WAIT_CELL = "wait_cell"
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.WAIT_PARCEL: frozenset({S.WAIT_CELL, S.ENDED}),
        S.WAIT_CELL: frozenset({S.WAIT_PARCEL, S.WAIT_CELL, S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.WAIT_PARCEL},
)


@dataclass(frozen=True, slots=True)
class PlacementData:
    """The parcel waiting for its cell; nothing while waiting for a parcel."""

    parcel: str | None = None
    suggested: str | None = None  # the cell lit for it, if any had room
    move: bool = False  # a stored parcel moving to another cell


Placement = Session[State, PlacementData]


def _waiting(session: Placement) -> Placement:
    """Back to waiting for a parcel: no parcel, no cell lit, nothing claimed."""
    return advance(session, S.WAIT_PARCEL, PlacementData(), lights={}, claims=())


def start(q: Queries, ctx: Ctx, first: ParcelView | None = None) -> Outcome:
    waiting = enter(WORKFLOW, S.WAIT_PARCEL, PlacementData())
    if first is None:
        return Outcome(waiting, Feedback(Level.INFO, Msg("pl_scan_parcel")))
    return _take_parcel(waiting, first, q, ctx)


def step(session: Placement, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    match inp:
        case Cmd(Command.CANCEL) if state is S.WAIT_CELL:
            return Outcome(_waiting(session), Feedback(Level.INFO, Msg("cancelled")))
        case Cmd(Command.DONE | Command.CANCEL):
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("pl_ended")))
        case Cmd(command):
            return refuse(session, "command_not_now", command=command.value, state=state.value)
        case Code(text=text):
            cell = q.cell_by_label(text)
            if cell is not None:
                if state is S.WAIT_PARCEL:
                    return refuse(session, "pl_parcel_first")
                return _put(session, cell, q)
            parcel = q.parcel(text)
            if parcel is None:
                return refuse(session, "unknown_code", code=text)
            return _take_parcel(session, parcel, q, ctx)
    raise AssertionError(f"unhandled input {inp!r}")


def _take_parcel(session: Placement, parcel: ParcelView, q: Queries, ctx: Ctx) -> Outcome:
    holder = q.claimed_by(f"parcel:{parcel.barcode}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "claimed_elsewhere", code=parcel.barcode, station=holder)
    if parcel.state is ParcelState.STORED:
        assert parcel.cell is not None
        moving = advance(
            session,
            S.WAIT_CELL,
            PlacementData(parcel.barcode, suggested=None, move=True),
            lights={parcel.cell: Light.CURRENT},
            claims=(f"parcel:{parcel.barcode}",),
        )
        return Outcome(
            moving,
            Feedback(Level.INFO, Msg("pl_move_from", {"parcel": parcel.barcode, "cell": parcel.cell})),
        )
    if parcel.state is not ParcelState.ACCEPTED:
        return refuse(session, "pl_not_placeable", parcel=parcel.barcode, state=parcel.state.value)
    cell = q.suggest_cell(parcel)
    data = PlacementData(parcel.barcode, suggested=None if cell is None else cell.address, move=False)
    claims: tuple[str, ...] = (f"parcel:{parcel.barcode}",)
    if cell is None:
        fb = Feedback(
            Level.WARN,
            Msg("pl_no_suggestion", {"parcel": parcel.barcode, "size": parcel.size.value}),
        )
        return Outcome(advance(session, S.WAIT_CELL, data, lights={}, claims=claims), fb)
    lights = {cell.address: Light.SUGGESTED}
    claims += (f"cell:{cell.address}",)
    fb = Feedback(Level.OK, Msg("pl_suggest", {"parcel": parcel.barcode, "cell": cell.address}))
    return Outcome(advance(session, S.WAIT_CELL, data, lights=lights, claims=claims), fb)


def _put(session: Placement, cell: CellView, q: Queries) -> Outcome:
    barcode = str(session.data.parcel)
    parcel = q.parcel(barcode)
    if parcel is None:  # the session outlived its parcel; only a store edit can do that
        return Outcome(_waiting(session), Feedback(Level.ERROR, Msg("unknown_code", {"code": barcode})))
    moving = session.data.move
    if moving and parcel.cell == cell.address:
        return Outcome(_waiting(session), Feedback(Level.WARN, Msg("pl_same_cell", {"cell": cell.address})))
    if cell.zone != "main":
        return refuse(session, "pl_wrong_zone", cell=cell.address, zone=cell.zone)
    if not parcel.size.fits_in(cell.size):
        return refuse(
            session,
            "pl_too_big",
            parcel=barcode,
            size=parcel.size.value,
            cell=cell.address,
            cell_size=cell.size.value,
        )
    if not cell.has_room:
        return refuse(session, "pl_cell_full", cell=cell.address, capacity=cell.capacity)
    suggested = session.data.suggested
    off = suggested is not None and suggested != cell.address
    data: dict[str, str | bool | None] = {"suggested": suggested, "off_suggestion": off}
    if moving:
        data = {"from_cell": parcel.cell}
    move = Move(barcode, ParcelState.STORED, "moved" if moving else "placed", cell=cell.address, data=data)
    if moving:
        key, level = "pl_moved", Level.OK
    elif off:
        key, level = "pl_placed_elsewhere", Level.WARN
    else:
        key, level = "pl_placed", Level.OK
    msg = Msg(key, {"parcel": barcode, "cell": cell.address, "suggested": str(suggested)})
    return Outcome(_waiting(session), Feedback(level, msg), (move,))


WORKFLOW: Workflow[State, PlacementData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    PlacementData,
    command=Command.START_PLACEMENT,
    start=start,
    step=step,
)
