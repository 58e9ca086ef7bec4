"""The self-service kiosk: a customer collects a prepaid order with no clerk.

An idle kiosk takes a QR token or a pickup code (workflows/kiosk_find.py); the order found is
refused in words or opened (kiosk_open.py): its locker doors commanded, its shelf cells lit. The
door controller's reports and the customer's scans move each door on (kiosk_doors.py,
kiosk_take.py) until every one is settled and the session ends with its receipt (kiosk_end.py).
Staff badges and counter commands are refused here with words that send the person to the counter.
"""

from __future__ import annotations

from typing import Any

from workflows import kiosk_doors, kiosk_find, kiosk_open, kiosk_take
from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, DeviceEvent, DoorReport, Input, Tick
from workflows.kiosk_model import NAME, TRANSITIONS, DoorStep, Kiosk, KioskData, State
from workflows.kiosk_words import describe
from workflows.messages import Msg, command_name
from workflows.outcome import Feedback, Level, Light
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, enter, refuse

__all__ = ["WORKFLOW", "handle", "on_event"]


def handle(session: Session[Any, Any] | None, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    """One input at a kiosk station: a customer's code, a parcel, OPEN AGAIN or DONE."""
    if isinstance(inp, Code) and q.clerk(inp.text) is not None:
        return refuse(session, "ksk_staff_to_counter")
    if session is None:
        return _idle(inp, q, ctx)
    if session.workflow is not WORKFLOW:
        # A session a counter left on this station before it became a kiosk: not the customer's.
        return refuse(session, "ksk_busy")
    return step(session, inp, q, ctx)


def step(session: Kiosk, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    match inp:
        case Cmd(Command.REOPEN):
            return kiosk_doors.reopen(session, ctx)
        case Cmd(Command.DONE | Command.CANCEL):
            return kiosk_take.done(session, ctx)
        case Cmd(command):
            return refuse(session, "ksk_command_to_counter", command=command_name(command))
        case Code(text):
            return kiosk_take.scan(session, text, q, ctx)
    raise AssertionError(f"unhandled input {inp!r}")


def on_event(session: Session[Any, Any] | None, event: DeviceEvent, q: Queries, ctx: Ctx) -> Outcome:
    """The device's news for this station: a door's report, or the time passing."""
    mine = session if session is not None and session.workflow is WORKFLOW else None
    match event:
        case Tick():
            if mine is None:
                return Outcome(session, Feedback(Level.INFO, Msg("ksk_prompt")))  # nothing to time out
            return kiosk_doors.tick(mine, q, ctx)
        case DoorReport() as report:
            if mine is None:
                # No collection waits for it (or the station holds a clerk's session): journalled only.
                news = kiosk_doors.unmatched(None, report, q)
                return Outcome(session, news.feedback, news.effects)
            return kiosk_doors.on_report(mine, report, q, ctx)
    raise AssertionError(f"unhandled event {event!r}")


def _idle(inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    match inp:
        case Cmd(Command.DONE | Command.CANCEL):
            return Outcome(None, Feedback(Level.INFO, Msg("ksk_prompt")))
        case Cmd(command):
            return refuse(None, "ksk_command_to_counter", command=command_name(command))
        case Code(text):
            found = kiosk_find.find(text, q, ctx)
            if isinstance(found, Outcome):
                return found
            planned = kiosk_open.plan(found, q, ctx)
            if isinstance(planned, Outcome):
                return planned
            data = planned.data
            state = State.OPENING if any(d.step is DoorStep.COMMANDED for d in data.doors) else State.TAKING
            lights = {d.cell: Light.TAKE for d in data.doors if d.step is DoorStep.LIT}
            opened = enter(WORKFLOW, state, data, lights=lights, claims=(f"order:{data.order}",))
            return Outcome(opened, planned.feedback, planned.effects)
    raise AssertionError(f"unhandled input {inp!r}")


def start(q: Queries, ctx: Ctx) -> Outcome:
    """No command starts a kiosk session: a customer's code does. Asked anyway, it prompts."""
    return Outcome(None, Feedback(Level.INFO, Msg("ksk_prompt")))


WORKFLOW: Workflow[State, KioskData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    KioskData,
    command=None,
    start=start,
    step=step,
    describe=describe,
)
