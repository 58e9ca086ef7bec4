"""Return to sender: the pick list lit on the rack, parcels scanned into a bag, a hand-over act."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.context import Ctx
from workflows.identify import looks_like_parcel
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg, state_name
from workflows.outcome import BagTo, Effect, Feedback, Level, Light, Move, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, not_now, refuse, warn

NAME = "return_to_sender"


class State(enum.Enum):
    BAG = "bag"
    PICKING = "picking"
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.BAG: frozenset({S.PICKING, S.ENDED}),
        S.PICKING: frozenset({S.PICKING, S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.BAG},
)


@dataclass(frozen=True, slots=True)
class BagData:
    """The outbound bag being filled and the parcels scanned into it."""

    bag: str | None = None  # None until the clerk scans a bag
    picked: tuple[str, ...] = ()


Bagging = Session[State, BagData]


def _lights(q: Queries) -> dict[str, Light]:
    return {p.cell: Light.PICK for p in q.to_return() if p.cell is not None}


def start(q: Queries, ctx: Ctx) -> Outcome:
    due = q.to_return()
    if not due:
        return refuse(None, "rts_nothing")
    session = enter(WORKFLOW, S.BAG, BagData(), lights=_lights(q))
    fb = Feedback(Level.INFO, Msg("rts_start", {"count": len(due)}))
    return Outcome(session, fb, (), (PrintRequest("pick_list", {}),))


def step(session: Bagging, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    data = session.data
    match inp:
        case Cmd(Command.CANCEL):
            back: list[Effect] = [
                Move(b, ParcelState.TO_RETURN, "unpicked", data={"bag": data.bag}) for b in data.picked
            ]
            fb = Feedback(Level.INFO, Msg("rts_cancelled", {"count": len(back)}))
            return finish(session, S.ENDED, fb, back)
        case Cmd(Command.DONE) if state is S.BAG:
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("rts_left")))
        case Cmd(Command.DONE):
            return _hand_over(session)
        case Cmd(command):
            return not_now(session, command, q)
        case Code(text=text) if state is S.BAG:
            return _open_bag(session, text, q, ctx)
        case Code(text=text):
            return _pick(session, text, q)
    raise AssertionError(f"unhandled input {inp!r}")


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
    picked = tuple(p.barcode for p in q.parcels_in_bag(text) if p.state is ParcelState.RETURNING)
    nxt = advance(session, S.PICKING, BagData(text, picked), lights=_lights(q), claims=(f"bag:{text}",))
    return Outcome(nxt, Feedback(Level.OK, Msg("rts_bag_open", {"bag": text})), effects)


def _pick(session: Bagging, text: str, q: Queries) -> Outcome:
    bag = str(session.data.bag)
    parcel = q.parcel(text)
    if parcel is None:
        if q.bag(text) is not None or looks_like_parcel(text):
            return refuse(session, "rts_one_bag", bag=bag)
        return refuse(session, "unknown_code", code=text)
    if parcel.state is ParcelState.RETURNING:
        if parcel.bag == bag:
            return warn(session, "duplicate_scan", code=parcel.barcode)
        return refuse(session, "rts_in_other_bag", parcel=parcel.barcode, bag=str(parcel.bag))
    if parcel.state is not ParcelState.TO_RETURN:
        return refuse(session, "rts_not_due", parcel=parcel.barcode, state=state_name(parcel.state.value))
    picked = (*session.data.picked, parcel.barcode)
    move = Move(parcel.barcode, ParcelState.RETURNING, "returning", bag=bag)
    lights = {
        c: m for c, m in _lights(q).items() if c != parcel.cell or _others_in(parcel.cell, parcel.barcode, q)
    }
    left = len(q.to_return()) - 1
    nxt = advance(session, S.PICKING, BagData(bag, picked), lights=lights)
    return Outcome(
        nxt,
        Feedback(Level.OK, Msg("rts_picked", {"parcel": parcel.barcode, "bag": bag, "left": left})),
        (move,),
    )


def _others_in(cell: str | None, barcode: str, q: Queries) -> bool:
    """Does the cell still hold another parcel due for return once this one is picked?"""
    return cell is not None and any(
        p.state is ParcelState.TO_RETURN and p.barcode != barcode for p in q.parcels_in_cell(cell)
    )


def _hand_over(session: Bagging) -> Outcome:
    picked = list(session.data.picked)
    bag = str(session.data.bag)
    if not picked:
        return refuse(session, "rts_empty_bag")
    effects: list[Effect] = [Move(b, ParcelState.RETURNED, "returned", data={"bag": bag}) for b in picked]
    effects.append(BagTo(bag, "handed_over"))
    fb = Feedback(Level.OK, Msg("rts_handed_over", {"bag": bag, "count": len(picked)}))
    act = PrintRequest("handover_act", {"bag": bag, "parcels": picked})
    return finish(session, S.ENDED, fb, effects, (act,))


def describe(session: Bagging, q: Queries) -> Msg:
    """A return to sender in progress: the bag, what is in it, what is still due."""
    due = len(q.to_return())
    if session.data.bag is None:
        return Msg("rts_doing_bag", {"count": due})
    picked = len(session.data.picked)
    return Msg("rts_doing_pick", {"bag": session.data.bag, "picked": picked, "left": due})


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
