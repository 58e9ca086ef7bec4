"""A seller's drop-off at the counter: shipments scanned against the list central sent, with surplus and missing.

Received shipments wait for the courier (outbound); DONE asks first when some are missing, then marks
them missing and prints two copies of the acceptance act, one for the seller and one for the point.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.context import Ctx
from workflows.identify import looks_like_parcel
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import DropoffTo, Effect, Feedback, Level, Move, NewDropoffSurplus, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, refuse, warn
from workflows.views import DropoffView

NAME = "dropoff"
ACT = "dropoff_act"
COPIES = 2  # one signed copy for the seller, one for the point
MISSING_LISTED = 10  # how many missing shipments a screen lists before "…and N more"


class State(enum.Enum):
    CHOOSE = "choose"
    SCANNING = "scanning"
    CONFIRM_CLOSE = "confirm_close"  # DONE with shipments missing: DONE again closes
    CLOSED = "closed"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.CHOOSE: frozenset({S.SCANNING, S.CLOSED}),
        S.SCANNING: frozenset({S.SCANNING, S.CONFIRM_CLOSE, S.CLOSED}),
        S.CONFIRM_CLOSE: frozenset({S.SCANNING, S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    initial={S.CHOOSE},
)


@dataclass(frozen=True, slots=True)
class DropoffData:
    dropoff: str | None = None  # the drop-off being received, once chosen


DropoffSession = Session[State, DropoffData]


def start(q: Queries, ctx: Ctx, first: Code | None = None) -> Outcome:
    """PVZC-DROPOFF, or the drop-off's number or its first shipment scanned at an idle counter."""
    chooser = enter(WORKFLOW, S.CHOOSE, DropoffData())
    if first is None:
        return Outcome(chooser, Feedback(Level.INFO, Msg("do_choose")))
    return _choose(chooser, first, q)


def step(session: DropoffSession, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    dropoff = session.data.dropoff
    if session.state is S.CHOOSE or dropoff is None:
        match inp:
            case Cmd(Command.DONE | Command.CANCEL):
                return finish(session, S.CLOSED, Feedback(Level.INFO, Msg("do_left")))
            case Cmd(command):
                return refuse(session, "do_command_choose", command=Msg(f"cmd_{command.name}"))
            case Code() as code:
                return _choose(session, code, q)
        raise AssertionError(f"unhandled input {inp!r}")
    match inp:
        case Cmd(Command.DONE) if session.state is S.CONFIRM_CLOSE:
            return _close(session, dropoff, q)
        case Cmd(Command.DONE):
            return _ask_close(session, dropoff, q)
        case Cmd(Command.CANCEL) if session.state is S.CONFIRM_CLOSE:
            kept = Msg("do_close_kept_open", {"progress": progress(q, dropoff)})
            return Outcome(advance(session, S.SCANNING), Feedback(Level.INFO, kept))
        case Cmd(Command.CANCEL):
            paused = Msg("do_paused", {"dropoff": dropoff, "progress": progress(q, dropoff)})
            return finish(session, S.CLOSED, Feedback(Level.INFO, paused))
        case Cmd(command):
            return refuse(session, "do_command_scanning", command=Msg(f"cmd_{command.name}"))
        case Code() as code:
            return _scan(session, dropoff, code, q)
    raise AssertionError(f"unhandled input {inp!r}")


def progress(q: Queries, dropoff: str, *, arriving: bool = False) -> Msg:
    """ "N of M" of the drop-off's listed shipments; `arriving`: with the one being received counted."""
    count = q.dropoff_progress(dropoff)
    return Msg("do_progress", {"dropoff": dropoff, "done": count.done + int(arriving), "total": count.total})


def _choose(session: DropoffSession, code: Code, q: Queries) -> Outcome:
    """Pick the drop-off from its number or one of its shipments; a shipment then counts as received."""
    found: DropoffView | None = q.dropoff(code.text)
    replay = False
    if found is None:
        parcel = q.parcel(code.text)
        if parcel is not None and parcel.dropoff is not None:
            found, replay = q.dropoff(parcel.dropoff), True
    if found is None:
        return refuse(session, "do_no_dropoff_for_code", code=code.text)
    count = q.dropoff_progress(found.id)
    if found.status == "closed" and replay:
        # A shipment its act called missing, brought late: one scan, and the station is idle again.
        late = _scan(advance(session, S.SCANNING, DropoffData(found.id)), found.id, code, q)
        if late.feedback.level is not Level.ERROR and late.effects:
            return finish(session, S.CLOSED, late.feedback, late.effects)
    if found.status == "closed":
        return refuse(session, "do_dropoff_closed", dropoff=found.id, done=count.done, total=count.total)
    opened = advance(session, S.SCANNING, DropoffData(found.id))
    effects: tuple[Effect, ...] = (DropoffTo(found.id, "accepting"),) if found.status == "open" else ()
    msg = Msg(
        "do_opened", {"dropoff": found.id, "seller": found.seller, "total": count.total, "done": count.done}
    )
    if not replay:
        return Outcome(opened, Feedback(Level.OK, msg), effects)
    first = _scan(opened, found.id, code, q)
    return Outcome(first.session, first.feedback, effects + first.effects, first.prints)


def _scan(session: DropoffSession, dropoff: str, code: Code, q: Queries) -> Outcome:
    """One code while a drop-off is open: its shipment, a duplicate, someone else's parcel, or a surplus."""
    text = code.text
    back = advance(session, S.SCANNING)
    parcel = q.parcel(text)
    if parcel is not None:
        if parcel.dropoff != dropoff:
            if parcel.dropoff is not None:
                return refuse(session, "do_other_dropoff", parcel=text, other=parcel.dropoff, dropoff=dropoff)
            return refuse(session, "do_not_a_shipment", parcel=text, dropoff=dropoff)
        if parcel.state in (ParcelState.EXPECTED, ParcelState.MISSING):
            late = parcel.state is ParcelState.MISSING
            move = Move(
                text,
                ParcelState.OUTBOUND,
                "dropoff_received_late" if late else "dropoff_received",
                data={"dropoff": dropoff},
            )
            key, level = ("do_received_late", Level.WARN) if late else ("do_received", Level.OK)
            msg = Msg(key, {"parcel": text, "progress": progress(q, dropoff, arriving=True)})
            return Outcome(back, Feedback(level, msg), (move,))
        return warn(session, "duplicate_scan", code=text)
    if text == dropoff:
        return warn(session, "do_same_dropoff", progress=progress(q, dropoff))
    if q.dropoff(text) is not None:
        return refuse(session, "do_other_dropoff_id", dropoff=dropoff, other=text)
    if not looks_like_parcel(text):
        return refuse(session, "do_not_a_label", code=text)
    msg = Msg("do_surplus", {"parcel": text, "progress": progress(q, dropoff)})
    return Outcome(back, Feedback(Level.WARN, msg), (NewDropoffSurplus(text, dropoff),))


def missing_details(q: Queries, dropoff: str) -> tuple[Msg, ...]:
    """The listed shipments not scanned yet, cut at MISSING_LISTED."""
    parcels = q.parcels_of_dropoff(dropoff, ParcelState.EXPECTED)
    listed = [Msg("acc_missing_item", {"parcel": p.barcode}) for p in parcels[:MISSING_LISTED]]
    more = len(parcels) - MISSING_LISTED
    if more > 0:
        listed.append(Msg("acc_missing_more", {"count": more}))
    return tuple(listed)


def _ask_close(session: DropoffSession, dropoff: str, q: Queries) -> Outcome:
    """DONE: with nothing missing the drop-off closes; else the clerk is told what is missing first."""
    missing = q.parcels_of_dropoff(dropoff, ParcelState.EXPECTED)
    if not missing:
        return _close(session, dropoff, q)
    count = q.dropoff_progress(dropoff)
    msg = Msg("do_confirm_close", {"missing": len(missing), "total": count.total})
    return Outcome(advance(session, S.CONFIRM_CLOSE), Feedback(Level.WARN, msg, missing_details(q, dropoff)))


def _close(session: DropoffSession, dropoff: str, q: Queries) -> Outcome:
    """Close the drop-off: what was not scanned is missing, and the act is printed twice."""
    details = missing_details(q, dropoff)
    count = q.dropoff_progress(dropoff)
    missing = q.parcels_of_dropoff(dropoff, ParcelState.EXPECTED)
    effects: list[Effect] = [
        Move(p.barcode, ParcelState.MISSING, "dropoff_missing", data={"dropoff": dropoff}) for p in missing
    ]
    effects.append(DropoffTo(dropoff, "closed"))
    closed = Msg(
        "do_closed", {"dropoff": dropoff, "done": count.done, "total": count.total, "missing": len(missing)}
    )
    prints = [
        PrintRequest(ACT, {"dropoff": dropoff, "copy": n, "copies": COPIES}) for n in range(1, COPIES + 1)
    ]
    fb = Feedback(Level.WARN if missing else Level.OK, closed, details)
    return finish(session, S.CLOSED, fb, effects, prints)


def describe(session: DropoffSession, q: Queries) -> Msg:
    """What the open session is doing, shown after a restart or with a refused command."""
    if session.data.dropoff is None:
        return Msg("do_choose")
    return Msg("do_doing", {"progress": progress(q, session.data.dropoff)})


WORKFLOW: Workflow[State, DropoffData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    DropoffData,
    command=Command.START_DROPOFF,
    start=start,
    step=step,
    describe=describe,
)
