"""The outbound hand-over: returns to sender, drop-offs and sends bagged, the courier's code, the act."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from workflows.context import Ctx
from workflows.handover import courier_check, hand_over
from workflows.identify import looks_like_parcel
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg, state_name
from workflows.outcome import BagTo, Effect, Feedback, Level, Light, Move, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, not_now, refuse, warn
from workflows.views import ParcelView

NAME = "return_to_sender"


class State(enum.Enum):
    BAG = "bag"  # waiting for the first bag
    PICKING = "picking"  # a bag open: parcels go into it; another bag closes it
    COURIER = "courier"  # bags closed: waiting for the courier's code or badge
    CONFIRM = "confirm"  # the courier's list disagrees with the bags: the clerk confirms or fixes
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.BAG: frozenset({S.PICKING, S.ENDED}),
        S.PICKING: frozenset({S.PICKING, S.COURIER, S.ENDED}),
        S.COURIER: frozenset({S.PICKING, S.CONFIRM, S.ENDED}),
        S.CONFIRM: frozenset({S.PICKING, S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.BAG},
)

# Which state a parcel goes to in a bag, from the state it waits in; a bag holds one kind.
INTO_BAG = {ParcelState.TO_RETURN: ParcelState.RETURNING, ParcelState.OUTBOUND: ParcelState.DISPATCHING}
BACK = {v: k for k, v in INTO_BAG.items()}


@dataclass(frozen=True, slots=True)
class BagData:
    """The bag being filled, every parcel and bag of this hand-over, the courier once scanned."""

    bag: str | None = None  # None until the clerk scans a bag
    picked: tuple[str, ...] = ()
    bags: tuple[str, ...] = ()
    courier: str | None = None
    taking_out: bool = False  # REFUSE was scanned: the next parcel comes back out of its bag


Bagging = Session[State, BagData]


def waiting(q: Queries) -> list[ParcelView]:
    """Everything that leaves with a courier and is not yet bagged: returns, drop-offs, sends."""
    return [*q.to_return(), *q.outbound()]


def _lights(q: Queries) -> dict[str, Light]:
    return {p.cell: Light.PICK for p in waiting(q) if p.cell is not None}


def start(q: Queries, ctx: Ctx) -> Outcome:
    due = waiting(q)
    if not due:
        return refuse(None, "rts_nothing")
    session = enter(WORKFLOW, S.BAG, BagData(), lights=_lights(q))
    returns = len(q.to_return())
    fb = Feedback(Level.INFO, Msg("out_start", {"returns": returns, "outbound": len(due) - returns}))
    return Outcome(session, fb, (), (PrintRequest("pick_list", {}),))


def step(session: Bagging, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    data = session.data
    match inp:
        case Cmd(Command.CANCEL):
            return _cancel(session, q)
        case Cmd(Command.DONE) if state is S.BAG:
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("rts_left")))
        case Cmd(Command.DONE) if state is S.PICKING:
            if not data.picked:
                return refuse(session, "rts_empty_bag")
            if q.couriers_expected() == 0:
                return hand_over(session, S.ENDED, None, q)
            nxt = advance(session, S.COURIER, BagData(None, data.picked, data.bags))
            fb = Feedback(Level.INFO, Msg("out_scan_courier", {"bags": len(data.bags)}))
            return Outcome(nxt, fb)
        case Cmd(Command.REFUSE_ITEM) if state is S.PICKING:
            nxt = advance(session, S.PICKING, replace(data, taking_out=True))
            return Outcome(nxt, Feedback(Level.INFO, Msg("out_take_out_which")))
        case Cmd(Command.DONE) if state is S.CONFIRM:
            return hand_over(session, S.ENDED, q.courier(str(data.courier)), q)
        case Cmd(command):
            return not_now(session, command, q)
        case Code(text=text) if state is S.BAG:
            return _open_bag(session, text, q, ctx)
        case Code(text=text) if text in data.bags and state is not S.PICKING:
            return _open_bag(session, text, q, ctx)
        case Code(text=text) if state is S.PICKING and data.taking_out:
            return _take_out(session, text, q)
        case Code(text=text) if state is S.PICKING:
            return _pick(session, text, q, ctx)
        case Code(text=text):
            return courier_check(session, text, q, confirm=S.CONFIRM, ended=S.ENDED)
    raise AssertionError(f"unhandled input {inp!r}")


def _cancel(session: Bagging, q: Queries) -> Outcome:
    """Every parcel bagged in this session goes back to waiting; the bags stay open for later."""
    back: list[Effect] = []
    for barcode in session.data.picked:
        parcel = q.parcel(barcode)
        if parcel is not None and parcel.state in BACK:
            back.append(Move(barcode, BACK[parcel.state], "unpicked", data={"bag": parcel.bag}))
    fb = Feedback(Level.INFO, Msg("rts_cancelled", {"count": len(back)}))
    return finish(session, S.ENDED, fb, back)


def _known(text: str, q: Queries) -> bool:
    return any(
        found is not None
        for found in (q.parcel(text), q.cell_by_label(text), q.order(text), q.package(text), q.supply(text))
    )


def _open_bag(session: Bagging, text: str, q: Queries, ctx: Ctx) -> Outcome:
    bag = q.bag(text)
    if bag is not None and bag.state != "open":
        return refuse(session, "rts_bag_closed", bag=text)
    if bag is None and (_known(text, q) or not looks_like_parcel(text)):
        key = "rts_bag_first" if _known(text, q) else "rts_not_a_bag"
        return refuse(session, key, code=text)
    holder = q.claimed_by(f"bag:{text}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "claimed_elsewhere", code=text, station=holder)
    effects: tuple[Effect, ...] = () if bag is not None else (BagTo(text, "open"),)
    data = session.data
    inside = tuple(p.barcode for p in q.parcels_in_bag(text) if p.state in BACK)
    picked = (*data.picked, *(b for b in inside if b not in data.picked))
    bags = data.bags if text in data.bags else (*data.bags, text)
    claims = tuple(f"bag:{b}" for b in bags)
    nxt = advance(session, S.PICKING, BagData(text, picked, bags), lights=_lights(q), claims=claims)
    return Outcome(nxt, Feedback(Level.OK, Msg("rts_bag_open", {"bag": text})), effects)


def _pick(session: Bagging, text: str, q: Queries, ctx: Ctx) -> Outcome:
    bag = str(session.data.bag)
    parcel = q.parcel(text)
    if parcel is None:
        if q.bag(text) is not None or looks_like_parcel(text):
            return _open_bag(session, text, q, ctx)  # the next bag: this one is closed
        return refuse(session, "unknown_code", code=text)
    if parcel.state in BACK:
        if parcel.bag == bag:
            return warn(session, "duplicate_scan", code=parcel.barcode)
        return refuse(session, "rts_in_other_bag", parcel=parcel.barcode, bag=str(parcel.bag))
    to = INTO_BAG.get(parcel.state)
    if to is None:
        return refuse(session, "rts_not_due", parcel=parcel.barcode, state=state_name(parcel.state.value))
    mixed = [p for p in q.parcels_in_bag(bag) if p.state in BACK and p.state is not to]
    if mixed:
        key = "out_bag_for_outbound" if to is ParcelState.RETURNING else "out_bag_for_returns"
        return refuse(session, key, parcel=parcel.barcode, bag=bag)
    picked = (*session.data.picked, parcel.barcode)
    move = Move(parcel.barcode, to, "returning" if to is ParcelState.RETURNING else "dispatching", bag=bag)
    lights = {
        c: m for c, m in _lights(q).items() if c != parcel.cell or _others_in(parcel.cell, parcel.barcode, q)
    }
    left = len(waiting(q)) - 1
    nxt = advance(session, S.PICKING, BagData(bag, picked, session.data.bags), lights=lights)
    return Outcome(
        nxt,
        Feedback(Level.OK, Msg("rts_picked", {"parcel": parcel.barcode, "bag": bag, "left": left})),
        (move,),
    )


def _take_out(session: Bagging, text: str, q: Queries) -> Outcome:
    """A parcel of this hand-over back out of its bag: on the pick list again, or waiting again."""
    data = session.data
    parcel = q.parcel(text)
    if parcel is None or parcel.state not in BACK or parcel.barcode not in data.picked:
        return refuse(session, "out_not_bagged_here", code=text)
    move = Move(parcel.barcode, BACK[parcel.state], "unpicked", data={"bag": parcel.bag})
    picked = tuple(b for b in data.picked if b != parcel.barcode)
    nxt = advance(session, S.PICKING, replace(data, picked=picked, taking_out=False), lights=_lights(q))
    fb = Feedback(Level.OK, Msg("out_taken_out", {"parcel": parcel.barcode, "bag": str(parcel.bag)}))
    return Outcome(nxt, fb, (move,))


def _others_in(cell: str | None, barcode: str, q: Queries) -> bool:
    """Does the cell still hold another parcel waiting to leave once this one is picked?"""
    return cell is not None and any(
        p.state in INTO_BAG and p.barcode != barcode for p in q.parcels_in_cell(cell)
    )


def describe(session: Bagging, q: Queries) -> Msg:
    """The hand-over in progress: the bag, what is in it, what still waits, what comes next."""
    due = len(waiting(q))
    data = session.data
    if session.state is S.COURIER:
        return Msg("out_doing_courier", {"bags": len(data.bags), "picked": len(data.picked)})
    if session.state is S.CONFIRM:
        return Msg("out_doing_confirm", {"picked": len(data.picked)})
    if data.bag is None:
        return Msg("rts_doing_bag", {"count": due})
    return Msg("rts_doing_pick", {"bag": data.bag, "picked": len(data.picked), "left": due})


WORKFLOW: Workflow[State, BagData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    BagData,
    command=Command.START_RETURN_TO_SENDER,
    start=start,
    step=step,
    describe=describe,
)
