"""Customer returns: find what was issued here, check it with command barcodes, label it, shelve it."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg, Param, state_name
from workflows.outcome import (
    Effect,
    Feedback,
    Level,
    Light,
    Move,
    NewReturn,
    Note,
    PrintRequest,
    UseReturnRequest,
)
from workflows.parcel import ParcelState, Size
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, not_now, refuse
from workflows.views import RETURNS_ZONE, ParcelView

NAME = "customer_return"
CUSTOMER_RETURN = "customer_return"


class State(enum.Enum):
    FIND = "find"
    CHECK_CONDITION = "check_condition"
    CHECK_COMPLETE = "check_complete"
    CHECK_MATCH = "check_match"
    PLACE = "place"
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.FIND: frozenset({S.CHECK_CONDITION, S.ENDED}),
        S.CHECK_CONDITION: frozenset({S.CHECK_COMPLETE, S.ENDED}),
        S.CHECK_COMPLETE: frozenset({S.CHECK_MATCH, S.PLACE, S.ENDED}),
        S.CHECK_MATCH: frozenset({S.PLACE, S.ENDED}),
        S.PLACE: frozenset({S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.FIND},
)
CHECKS = {S.CHECK_CONDITION: "condition", S.CHECK_COMPLETE: "completeness", S.CHECK_MATCH: "matches_request"}


@dataclass(frozen=True, slots=True)
class ReturnData:
    """What comes back and how its checks went; empty until it is found."""

    parcels: tuple[str, ...] = ()  # the issued parcels it returns
    order: str | None = None
    request: str | None = None  # the return request it came with, if any
    reason: str | None = None  # the request's reason
    size: Size = Size.S  # the biggest of its parcels: its returns cell must fit that
    checks: Mapping[str, bool] = field(default_factory=dict)  # check name -> passed
    barcode: str | None = None  # its own label, once printed
    suggested: str | None = None  # the returns cell lit for it


Return = Session[State, ReturnData]


def start(q: Queries, ctx: Ctx) -> Outcome:
    return Outcome(enter(WORKFLOW, S.FIND, ReturnData()), Feedback(Level.INFO, Msg("ret_find")))


def step(session: Return, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    data = session.data
    match inp:
        case Cmd(Command.CANCEL) if state is S.PLACE:
            return refuse(session, "ret_needs_returns_cell")
        case Cmd(Command.DONE) if state is S.PLACE and data.suggested is None:
            return _set_aside(session)
        case Cmd(Command.DONE) if state is S.PLACE:
            return Outcome(session, Feedback(Level.ERROR, _place_prompt(data)))
        case Cmd(Command.CANCEL | Command.DONE) if state is S.FIND:
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("ret_ended")))
        case Cmd(Command.CANCEL):
            # The clerk refuses the return after the checks: nothing is taken in, the remarks stay.
            note = Note("return_refused", {"parcels": list(data.parcels), "checks": dict(data.checks)})
            return finish(session, S.ENDED, Feedback(Level.WARN, Msg("ret_refused")), (note,))
        case Cmd(Command.CHECK_OK | Command.CHECK_FAIL as command) if state in CHECKS:
            return _check(session, state, command is Command.CHECK_OK, q, ctx)
        case Cmd(command):
            return not_now(session, command, q)
        case Code(text=text) if state is S.FIND:
            return _find(session, text, q, ctx)
        case Code(text=text) if state is S.PLACE:
            return _shelve(session, text, q)
        case Code() if state in CHECKS:
            return refuse(session, "ret_answer_check", check=Msg(f"check_{CHECKS[state]}"))
    raise AssertionError(f"unhandled input {inp!r}")


def _find(session: Return, text: str, q: Queries, ctx: Ctx) -> Outcome:
    request = q.return_request(text)
    parcels: list[ParcelView] = []
    if request is not None:
        if request.used_by is not None:
            return refuse(session, "ret_request_used", request=request.id)
        parcels = [p for b in request.parcels if (p := q.parcel(b)) is not None]
        missing = [b for b in request.parcels if q.parcel(b) is None]
        if missing:
            return refuse(session, "ret_never_issued_here", code=missing[0])
        order_id: str | None = request.order_id
    elif (parcel := q.parcel(text)) is not None:
        parcels, order_id = [parcel], parcel.order_id
    elif q.order(text) is not None:
        parcels = [p for p in q.parcels_of_order(text) if p.state is ParcelState.ISSUED]
        order_id = text
        if not parcels:
            return refuse(session, "ret_never_issued_here", code=text)
    else:
        return refuse(session, "ret_never_issued_here", code=text)
    for p in parcels:
        if p.state is not ParcelState.ISSUED or p.issued_at is None:
            return refuse(session, "ret_not_issued", parcel=p.barcode, state=state_name(p.state.value))
        until = date.fromisoformat(p.issued_at[:10]) + timedelta(days=ctx.policy.return_window_days)
        if ctx.now.date() > until:
            return refuse(session, "ret_window_passed", parcel=p.barcode, until=until.isoformat())
        done = q.already_returned(p.barcode)
        if done is not None:
            return refuse(session, "ret_already_returned", parcel=p.barcode, ret=done)
        holder = q.claimed_by(f"return:{p.barcode}")
        if holder is not None and holder != ctx.station:
            return refuse(session, "claimed_elsewhere", code=p.barcode, station=holder)
    data = ReturnData(
        parcels=tuple(p.barcode for p in parcels),
        order=order_id,
        request=None if request is None else request.id,
        reason=None if request is None else request.reason,
        size=max((p.size for p in parcels), key=lambda s: s.rank),
    )
    claims = tuple(f"return:{p.barcode}" for p in parcels)
    fb = Feedback(
        Level.OK,
        Msg("ret_found", {"count": len(parcels), "order": str(order_id)}),
        (_question(S.CHECK_CONDITION),),
    )
    return Outcome(advance(session, S.CHECK_CONDITION, data, lights={}, claims=claims), fb)


def _check(session: Return, state: State, ok: bool, q: Queries, ctx: Ctx) -> Outcome:
    data = replace(session.data, checks={**session.data.checks, CHECKS[state]: ok})
    nxt = {S.CHECK_CONDITION: S.CHECK_COMPLETE, S.CHECK_COMPLETE: S.CHECK_MATCH, S.CHECK_MATCH: S.PLACE}[
        state
    ]
    if nxt is S.CHECK_MATCH and data.request is None:
        nxt = S.PLACE  # nothing to match without a return request
    remark = () if ok else (Msg("ret_check_failed", {"check": Msg(f"check_{CHECKS[state]}")}),)
    if nxt is not S.PLACE:
        prompt = _question(nxt)
        level = Level.OK if ok else Level.WARN
        return Outcome(advance(session, nxt, data), Feedback(level, prompt, remark))
    outcome = _label(session, data, q)
    if not all(data.checks.values()):
        fb = Feedback(Level.WARN, outcome.feedback.msg, remark)
        return Outcome(outcome.session, fb, outcome.effects, outcome.prints)
    return outcome


def _question(state: State) -> Msg:
    """The question a check state asks, answered with CHECK_OK or CHECK_FAIL."""
    if state is S.CHECK_CONDITION:
        return Msg("ret_check_condition")
    if state is S.CHECK_COMPLETE:
        return Msg("ret_check_complete")
    return Msg("ret_check_match")


def _label(session: Return, data: ReturnData, q: Queries) -> Outcome:
    """All checks answered: the return becomes a parcel, its label prints, a returns cell lights."""
    barcode = "R-" + data.parcels[0]
    cell = q.returns_cell(data.size.value)
    data = replace(data, barcode=barcode, suggested=None if cell is None else cell.address)
    effects: list[Effect] = [
        NewReturn(
            barcode,
            data.order,
            data.parcels,
            data.size.value,
            {"checks": dict(data.checks), "request": data.request},
        )
    ]
    if data.request is not None:
        effects.append(UseReturnRequest(data.request))
    label = PrintRequest("return_label", _label_data(data))
    lights = {} if cell is None else {cell.address: Light.SUGGESTED}
    nxt = advance(session, S.PLACE, data, lights=lights, claims=(*session.claims, f"parcel:{barcode}"))
    if cell is None:
        fb = Feedback(Level.WARN, Msg("ret_label_no_cell", {"barcode": barcode}))
    else:
        fb = Feedback(Level.OK, Msg("ret_label", {"barcode": barcode, "cell": cell.address}))
    return Outcome(nxt, fb, tuple(effects), (label,))


def _label_data(data: ReturnData) -> dict[str, Any]:
    """What the return label shows, as plain values."""
    return {
        **asdict(data),
        "parcels": list(data.parcels),
        "size": data.size.value,
        "checks": dict(data.checks),
    }


def _shelve(session: Return, text: str, q: Queries) -> Outcome:
    cell = q.cell_by_label(text)
    if cell is None or cell.zone != RETURNS_ZONE:
        return Outcome(session, Feedback(Level.ERROR, _place_prompt(session.data)))
    barcode = str(session.data.barcode)
    size = session.data.size
    if not size.fits_in(cell.size):
        return refuse(session, "ret_too_big", size=size.value, cell=cell.address, cell_size=cell.size.value)
    if not cell.has_room:
        return refuse(session, "ret_cell_full", cell=cell.address)
    move = Move(barcode, ParcelState.TO_RETURN, "return_stored", cell=cell.address, reason=CUSTOMER_RETURN)
    fb = Feedback(Level.OK, Msg("ret_stored", {"barcode": barcode, "cell": cell.address}))
    return finish(session, S.ENDED, fb, (move,))


def _set_aside(session: Return) -> Outcome:
    """No room in the returns zone: the labelled return waits beside the rack, due back without a cell."""
    barcode = str(session.data.barcode)
    move = Move(barcode, ParcelState.TO_RETURN, "return_set_aside", reason=CUSTOMER_RETURN)
    fb = Feedback(Level.WARN, Msg("ret_set_aside", {"barcode": barcode}))
    return finish(session, S.ENDED, fb, (move,))


def _place_prompt(data: ReturnData) -> Msg:
    """Where the labelled return goes: the lit returns cell, or aside when the zone is full."""
    if data.suggested is None:
        return Msg("ret_no_room", {"barcode": str(data.barcode)})
    return Msg("ret_put_in", {"barcode": str(data.barcode), "cell": data.suggested})


def describe(session: Return, q: Queries) -> Msg:
    """A return in progress: what is being returned and the step it waits at."""
    data = session.data
    if session.state is S.FIND:
        return Msg("ret_find")
    if session.state is S.PLACE:
        return _place_prompt(data)
    params: dict[str, Param] = {
        "count": len(data.parcels),
        "order": str(data.order),
        "check": Msg(f"check_{CHECKS[session.state]}"),
    }
    return Msg("ret_doing_check", params)


WORKFLOW: Workflow[State, ReturnData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    ReturnData,
    command=Command.START_RETURN,
    start=start,
    step=step,
    describe=describe,
)
