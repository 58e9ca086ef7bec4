"""Placement: a parcel then its lit cell, or a cell then every parcel that goes in it; moves too.

The machine and the session data are in states.py, parcel-first in by_parcel.py, cell-first
in by_cell.py, which cell a parcel may go into in rules.py, and the end's summary in summary.py.
"""

from __future__ import annotations

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.parcel import ParcelState
from workflows.placement.by_cell import close_cell, fill, open_cell
from workflows.placement.by_parcel import drop_parcel, put, take_parcel, without_parcel
from workflows.placement.states import NAME, TRANSITIONS, Placement, PlacementData, S, State, prompt
from workflows.placement.summary import Tally, summary
from workflows.queries import Queries
from workflows.session import Outcome, Workflow, enter, finish, refuse
from workflows.views import ParcelView

__all__ = ["NAME", "TRANSITIONS", "WORKFLOW", "PlacementData", "State", "start", "step"]


def start(q: Queries, ctx: Ctx, first: ParcelView | None = None) -> Outcome:
    waiting = enter(WORKFLOW, S.WAIT_PARCEL, PlacementData())
    if first is None:
        return Outcome(waiting, Feedback(Level.INFO, Msg("pl_scan_parcel")))
    return take_parcel(waiting, first, q, ctx)


def step(session: Placement, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    match inp:
        case Cmd(Command.CANCEL) if state is S.WAIT_CELL:
            return drop_parcel(session, q)
        case Cmd(Command.CANCEL) if state is S.FILL_CELL:
            return close_cell(session, q)
        case Cmd(Command.DONE | Command.CANCEL):
            return _end(session, q)
        case Cmd(command):
            name = Msg(f"cmd_{command.name}")
            return refuse(session, "pl_command_not_now", command=name, next=prompt(session))
        case Code(text=text):
            cell = q.cell_by_label(text)
            if cell is not None:
                if state is S.WAIT_CELL:
                    return put(session, cell, q, ctx)
                return open_cell(session, cell, q, ctx)
            parcel = q.parcel(text)
            if parcel is None:
                return refuse(session, "pl_unknown_code", code=text, next=prompt(session))
            if state is S.FILL_CELL:
                return fill(session, parcel, q, ctx)
            return take_parcel(session, parcel, q, ctx)
    raise AssertionError(f"unhandled input {inp!r}")


def _end(session: Placement, q: Queries) -> Outcome:
    """DONE (or CANCEL with nothing in hand): the summary on screen and in the journal.

    A parcel still in hand is counted with the ones waiting for a cell; a stored one that was
    being moved stays recorded in its cell, and the clerk is told to put it back there.
    """
    data = session.data
    in_hand: tuple[Msg, ...] = ()
    if data.parcel is not None:
        data, notice = without_parcel(data, q)
        in_hand = notice if session.data.move else ()
    tally = Tally(
        placed=data.placed,
        moved=data.moved,
        cells=data.cells,
        unplaced=data.waiting,
        accepted_left=q.count_in_state(ParcelState.ACCEPTED),
    )
    feedback, notes = summary(tally)
    if in_hand:
        feedback = Feedback(Level.WARN, feedback.msg, (*in_hand, *feedback.details))
    return finish(session, S.ENDED, feedback, notes)


WORKFLOW: Workflow[State, PlacementData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    PlacementData,
    command=Command.START_PLACEMENT,
    start=start,
    step=step,
)
