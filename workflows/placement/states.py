"""Placement's machine and session data, and the small pieces both ways of placing share."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.session import Outcome, Session

NAME = "placement"


class State(enum.Enum):
    WAIT_PARCEL = "wait_parcel"  # nothing in hand: a parcel starts parcel-first, a cell cell-first
    WAIT_CELL = "wait_cell"  # a parcel in hand, its cell lit: the next cell scanned takes it
    FILL_CELL = "fill_cell"  # a cell open: every parcel scanned goes into it
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.WAIT_PARCEL: frozenset({S.WAIT_CELL, S.FILL_CELL, S.ENDED}),
        S.WAIT_CELL: frozenset({S.WAIT_PARCEL, S.WAIT_CELL, S.FILL_CELL, S.ENDED}),
        S.FILL_CELL: frozenset({S.FILL_CELL, S.WAIT_CELL, S.WAIT_PARCEL, S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.WAIT_PARCEL},
)


@dataclass(frozen=True, slots=True)
class PlacementData:
    """The parcel in hand, the cell being filled, and what this session did so far.

    Every field has a default: a session that an earlier version saved (`{}`, or only the
    first three fields) resumes.
    """

    parcel: str | None = None  # the parcel waiting for its cell
    suggested: str | None = None  # the cell lit for it, if any had room
    move: bool = False  # a stored parcel moving to another cell
    cell: str | None = None  # the cell being filled (cell-first); kept while an odd parcel goes elsewhere
    waiting: tuple[str, ...] = ()  # accepted parcels scanned here and left without a cell, oldest first
    placed: int = 0  # accepted parcels stored in this session
    moved: int = 0  # stored parcels moved to another cell in this session
    cells: tuple[str, ...] = ()  # cells the placed parcels went into, first use first


Placement = Session[State, PlacementData]


def prompt(session: Placement) -> Msg:
    """What the clerk does next in this state, for a refusal to end with."""
    data = session.data
    if session.state is S.WAIT_CELL:
        return Msg("pl_next_cell", {"parcel": str(data.parcel)})
    if session.state is S.FILL_CELL:
        return Msg("pl_next_fill", {"cell": str(data.cell)})
    return Msg("pl_next_parcel")


def counted(data: PlacementData, cell: str, *, moved: bool = False) -> PlacementData:
    """One more parcel placed into `cell`, or one more moved."""
    if moved:
        return replace(data, moved=data.moved + 1)
    cells = data.cells if cell in data.cells else (*data.cells, cell)
    return replace(data, placed=data.placed + 1, cells=cells)


def without(items: tuple[str, ...], item: str) -> tuple[str, ...]:
    return tuple(i for i in items if i != item)


def refused(session: Placement, why: Msg) -> Outcome:
    """A loud refusal whose message is already made: nothing changes."""
    return Outcome(session, Feedback(Level.ERROR, why))
