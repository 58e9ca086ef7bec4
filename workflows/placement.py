"""Placement: scan a parcel, see the suggested cell lit, scan a cell; moves between cells too."""

from __future__ import annotations

import enum

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import Feedback, Level, Light, Move, Outcome, Session, refuse
from workflows.parcel import ParcelState
from workflows.queries import Queries
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
)


def _waiting() -> Session:
    return Session(NAME, S.WAIT_PARCEL.value, {})


def start(q: Queries, ctx: Ctx, first: ParcelView | None = None) -> Outcome:
    if first is None:
        return Outcome(_waiting(), Feedback(Level.INFO, Msg("pl_scan_parcel")))
    return _take_parcel(_waiting(), first, q, ctx)


def step(session: Session, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = State(session.state)
    match inp:
        case Cmd(Command.CANCEL) if state is S.WAIT_CELL:
            TRANSITIONS.check(state, S.WAIT_PARCEL)
            return Outcome(_waiting(), Feedback(Level.INFO, Msg("cancelled")))
        case Cmd(Command.DONE | Command.CANCEL):
            TRANSITIONS.check(state, S.ENDED)
            return Outcome(None, Feedback(Level.INFO, Msg("pl_ended")))
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


def _take_parcel(session: Session, parcel: ParcelView, q: Queries, ctx: Ctx) -> Outcome:
    state = State(session.state)
    holder = q.claimed_by(f"parcel:{parcel.barcode}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "claimed_elsewhere", code=parcel.barcode, station=holder)
    if parcel.state is ParcelState.STORED:
        TRANSITIONS.check(state, S.WAIT_CELL)
        assert parcel.cell is not None
        moving = Session(
            NAME,
            S.WAIT_CELL.value,
            {"parcel": parcel.barcode, "suggested": None, "move": True},
            {parcel.cell: Light.CURRENT},
            (f"parcel:{parcel.barcode}",),
        )
        return Outcome(
            moving,
            Feedback(Level.INFO, Msg("pl_move_from", {"parcel": parcel.barcode, "cell": parcel.cell})),
        )
    if parcel.state is not ParcelState.ACCEPTED:
        return refuse(session, "pl_not_placeable", parcel=parcel.barcode, state=parcel.state.value)
    TRANSITIONS.check(state, S.WAIT_CELL)
    cell = q.suggest_cell(parcel)
    data = {
        "parcel": parcel.barcode,
        "suggested": None if cell is None else cell.address,
        "move": False,
    }
    claims: tuple[str, ...] = (f"parcel:{parcel.barcode}",)
    if cell is None:
        fb = Feedback(
            Level.WARN,
            Msg("pl_no_suggestion", {"parcel": parcel.barcode, "size": parcel.size.value}),
        )
        return Outcome(Session(NAME, S.WAIT_CELL.value, data, {}, claims), fb)
    lights = {cell.address: Light.SUGGESTED}
    claims += (f"cell:{cell.address}",)
    fb = Feedback(Level.OK, Msg("pl_suggest", {"parcel": parcel.barcode, "cell": cell.address}))
    return Outcome(Session(NAME, S.WAIT_CELL.value, data, lights, claims), fb)


def _put(session: Session, cell: CellView, q: Queries) -> Outcome:
    barcode = str(session.data["parcel"])
    parcel = q.parcel(barcode)
    if parcel is None:  # the session outlived its parcel; only a store edit can do that
        return Outcome(_waiting(), Feedback(Level.ERROR, Msg("unknown_code", {"code": barcode})))
    moving = bool(session.data.get("move"))
    if moving and parcel.cell == cell.address:
        TRANSITIONS.check(S.WAIT_CELL, S.WAIT_PARCEL)
        return Outcome(_waiting(), Feedback(Level.WARN, Msg("pl_same_cell", {"cell": cell.address})))
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
    suggested = session.data.get("suggested")
    off = suggested is not None and suggested != cell.address
    data = {"suggested": suggested, "off_suggestion": off}
    if moving:
        data = {"from_cell": parcel.cell}
    move = Move(barcode, ParcelState.STORED, "moved" if moving else "placed", cell=cell.address, data=data)
    TRANSITIONS.check(S.WAIT_CELL, S.WAIT_PARCEL)
    if moving:
        key, level = "pl_moved", Level.OK
    elif off:
        key, level = "pl_placed_elsewhere", Level.WARN
    else:
        key, level = "pl_placed", Level.OK
    msg = Msg(key, {"parcel": barcode, "cell": cell.address, "suggested": str(suggested)})
    return Outcome(_waiting(), Feedback(level, msg), (move,))
