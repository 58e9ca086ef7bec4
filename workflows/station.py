"""One station's dispatcher: an idle station starts a workflow, an open session gets the input.

A kiosk station (ctx.kind) has no clerk and runs only the customer's collection (workflows/kiosk.py).
"""

from __future__ import annotations

from typing import Any

from workflows import acceptance, dropoff, issue, kiosk, placement, send, shift
from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, DeviceEvent, Input, Tick, Weighed
from workflows.messages import Msg, command_name, state_name, workflow_name
from workflows.notes import NOTES, note
from workflows.outcome import Feedback, Level
from workflows.parcel import ParcelState
from workflows.parcel import ParcelState as P
from workflows.queries import Queries
from workflows.registry import BY_COMMAND
from workflows.session import Outcome, Session, describe, refuse
from workflows.views import ParcelView


def handle(session: Session[Any, Any] | None, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    """Decide what one input does at a station; pure over `q`, applied by the runtime."""
    if ctx.kind == "kiosk":
        return kiosk.handle(session, inp, q, ctx)
    badge = q.clerk(inp.text) if isinstance(inp, Code) else None
    if ctx.clerk is None:
        # Every journal event names a clerk: with nobody signed in only a badge works.
        if badge is not None:
            return shift.sign_in(session, badge, q, ctx)
        return refuse(session, "sign_in_first")
    if isinstance(inp, Cmd) and inp.command in NOTES:
        return note(session, inp.command, ctx)
    if badge is not None:
        if session is not None:
            return refuse(session, "session_open", workflow=workflow_name(session.workflow.name))
        return shift.sign_in(None, badge, q, ctx)
    if session is None:
        outcome = _idle(inp, q, ctx)
        if outcome.feedback.level is Level.ERROR:
            # A refused first scan leaves the station idle: no half-opened workflow. What it
            # records stays (a wrong pickup code counts against the station).
            return Outcome(None, outcome.feedback, outcome.effects)
        return outcome
    if isinstance(inp, Cmd) and inp.command in BY_COMMAND:
        return refuse(session, "session_open", workflow=workflow_name(session.workflow.name))
    return session.workflow.step(session, inp, q, ctx)


def handle_event(session: Session[Any, Any] | None, event: DeviceEvent, q: Queries, ctx: Ctx) -> Outcome:
    """The device's own news for a station (a door's report, a tick), never typed or scanned.

    A kiosk's collection hears its doors; at a counter a door's news (a placement's door) is
    journalled, an opening nobody commanded as an alert, and the clerk's session is left alone.
    """
    if ctx.kind == "kiosk":
        return kiosk.on_event(session, event, q, ctx)
    if isinstance(event, Weighed):
        if session is not None and session.workflow is send.WORKFLOW:
            return send.on_weighed(session, event, q, ctx)
        return Outcome(session, Feedback(Level.INFO, Msg("send_scale_unasked")))
    if isinstance(event, Tick):
        return Outcome(
            session, Feedback(Level.INFO, Msg("nothing_open") if session is None else describe(session, q))
        )
    news = kiosk.on_event(None, event, q, ctx)
    return Outcome(session, news.feedback, news.effects)


def _idle(inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    match inp:
        case Cmd(command) if command in BY_COMMAND:
            return BY_COMMAND[command].start(q, ctx)
        case Cmd(Command.SHIFT_CLOSE):
            return shift.close_shift(q, ctx)
        case Cmd(Command.DONE | Command.CANCEL):
            return Outcome(None, Feedback(Level.INFO, Msg("nothing_open")))
        case Cmd(command):
            return refuse(None, "command_idle", command=command_name(command))
        case Code() as code:
            return _idle_code(code, q, ctx)
    raise AssertionError(f"unhandled input {inp!r}")


def _idle_code(code: Code, q: Queries, ctx: Ctx) -> Outcome:
    """A headless counter has no menu: what was scanned says which workflow to start."""
    text = code.text
    if q.supply(text) is not None or q.package(text) is not None:
        return acceptance.start(q, ctx, code)
    if q.dropoff(text) is not None:
        return dropoff.start(q, ctx, code)
    parcel = q.parcel(text)
    if parcel is not None and parcel.dropoff is not None and parcel.state in (P.EXPECTED, P.MISSING):
        return dropoff.start(q, ctx, code)
    if parcel is not None:
        late = parcel.state is ParcelState.MISSING and parcel.supply_id is not None
        if parcel.state is ParcelState.EXPECTED or late:
            return acceptance.start(q, ctx, code)
        if parcel.state is ParcelState.ACCEPTED:
            return placement.start(q, ctx, parcel)
        if parcel.state is ParcelState.STORED:
            return Outcome(None, Feedback(Level.INFO, _where(parcel)))
        shown = Msg("parcel_state", {"parcel": parcel.barcode, "state": state_name(parcel.state.value)})
        return Outcome(None, Feedback(Level.INFO, shown))
    cell = q.cell_by_label(text)
    if cell is not None:
        info = Msg(
            "cell_info",
            {"cell": cell.address, "occupied": cell.occupied, "capacity": cell.capacity},
        )
        return Outcome(None, Feedback(Level.INFO, info))
    if issue.takes(code, q):
        return issue.start(q, ctx, code)
    return refuse(None, "unknown_code", code=text)


def _where(parcel: ParcelView) -> Msg:
    """A stored parcel's cell, and its order if it belongs to one (a surplus parcel does not)."""
    if parcel.order_id is None:
        return Msg("parcel_where_no_order", {"parcel": parcel.barcode, "cell": str(parcel.cell)})
    return Msg("parcel_where", {"parcel": parcel.barcode, "cell": str(parcel.cell), "order": parcel.order_id})
