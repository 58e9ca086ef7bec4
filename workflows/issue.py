"""Issue at the counter: find the order with proof, light its cells, take each parcel, refusals, COD.

The machine, its data and the shared helpers are in workflows/issue_model.py; finding the
order in issue_find.py, collecting its parcels in issue_collect.py, the words in issue_words.py.
"""

from __future__ import annotations

from workflows import issue_collect, issue_find
from workflows.context import Ctx
from workflows.inputs import Code, Command, Input
from workflows.issue_model import (
    NAME,
    REFUSED_REASON,
    TRANSITIONS,
    Issue,
    IssueData,
    State,
)
from workflows.issue_words import describe
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.queries import Queries
from workflows.session import Outcome, Workflow, enter

__all__ = ["REFUSED_REASON", "WORKFLOW", "describe", "start", "step", "takes"]

_FINDING = (State.FIND, State.PROOF, State.CHOOSE)


def start(q: Queries, ctx: Ctx, first: Code | None = None) -> Outcome:
    finding = enter(WORKFLOW, State.FIND, IssueData())
    if first is None:
        return Outcome(finding, Feedback(Level.INFO, Msg("iss_find")))
    return issue_find.find(finding, first, q, ctx)


def takes(code: Code, q: Queries) -> bool:
    """Whether an idle station starts an issue with this code (a QR, order*code, number or code)."""
    return issue_find.takes(code.text, q)


def step(session: Issue, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    if session.state in _FINDING:
        return issue_find.step(session, inp, q, ctx)
    return issue_collect.step(session, inp, q, ctx)


WORKFLOW: Workflow[State, IssueData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    IssueData,
    command=Command.START_ISSUE,
    start=start,
    step=step,
    describe=describe,
)
