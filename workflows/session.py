"""A station's open session of a workflow, made only by a checked entry or a checked move."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from workflows.context import Ctx
from workflows.inputs import Command, Input
from workflows.machine import BadMachine, Transitions
from workflows.messages import Msg, Param, command_name, workflow_name
from workflows.outcome import Effect, Feedback, Level, Light, PrintRequest
from workflows.queries import Queries

St = TypeVar("St", bound=enum.Enum)
D = TypeVar("D")  # a workflow's session data: a frozen dataclass the store keeps as JSON


@dataclass(frozen=True, eq=False)
class Workflow(Generic[St, D]):
    """One workflow as the station and the store know it.

    `name` is how the store and the journal name it; `states` and `transitions` are its
    machine; `data` is the frozen dataclass its sessions carry; `command` is the command
    barcode that starts it at an idle counter (None: no command does, as the kiosk's customer
    session, which a code opens); `start` is that entry and `step` handles
    every input while a session is open. `describe`, if given, says in words what a session
    is doing and what the clerk does next (shown after a restart and with a refused command);
    without it a session is described by its workflow's name.
    """

    name: str
    states: type[St]
    transitions: Transitions[St]
    data: type[D]
    command: Command | None
    start: Callable[[Queries, Ctx], Outcome]
    step: Callable[[Session[St, D], Input, Queries, Ctx], Outcome]
    describe: Callable[[Session[St, D], Queries], Msg] | None = None

    def __post_init__(self) -> None:
        if self.transitions.machine != self.name:
            raise BadMachine(f"{self.name}: its table is named {self.transitions.machine!r}")
        if set(self.states) != self.transitions.table.keys():
            raise BadMachine(f"{self.name}: every state needs a row in its table")
        if not self.transitions.initial:
            raise BadMachine(f"{self.name}: no initial state")

    def __repr__(self) -> str:
        return f"Workflow({self.name!r})"

    def resume(
        self, state: str, data: D, lights: Mapping[str, Light], claims: tuple[str, ...]
    ) -> Session[St, D]:
        """A session as the store kept it; it got to its state through checked moves."""
        return Session(self, self.states(state), data, dict(lights), claims)


@dataclass(frozen=True, slots=True)
class Session(Generic[St, D]):
    """A station's open workflow; stored as JSON so that a restart resumes it.

    Made by `enter` and `advance` only (and by `Workflow.resume` from the store), so every
    session a workflow hands back got there by a move its table allows.
    """

    workflow: Workflow[St, D]
    state: St
    data: D
    lights: Mapping[str, Light] = field(default_factory=dict)  # cell address -> meaning
    claims: tuple[str, ...] = ()


def enter(
    workflow: Workflow[St, D],
    state: St,
    data: D,
    *,
    lights: Mapping[str, Light] | None = None,
    claims: tuple[str, ...] = (),
) -> Session[St, D]:
    """Open a session in one of the initial states its table declares."""
    workflow.transitions.enter(state)
    return Session(workflow, state, data, dict(lights or {}), claims)


def advance(
    session: Session[St, D],
    state: St,
    data: D | None = None,
    *,
    lights: Mapping[str, Light] | None = None,
    claims: tuple[str, ...] | None = None,
) -> Session[St, D]:
    """The next session, after a move its table allows; data, lights and claims not given stay."""
    session.workflow.transitions.check(session.state, state)
    return Session(
        session.workflow,
        state,
        session.data if data is None else data,
        session.lights if lights is None else dict(lights),
        session.claims if claims is None else claims,
    )


def finish(
    session: Session[St, D],
    state: St,
    feedback: Feedback,
    effects: Iterable[Effect] = (),
    prints: Iterable[PrintRequest] = (),
) -> Outcome:
    """The session moves to a final state of its table and ends: the station is idle again."""
    session.workflow.transitions.end(session.state, state)
    return Outcome(None, feedback, tuple(effects), tuple(prints))


@dataclass(frozen=True, slots=True)
class Outcome:
    session: Session[Any, Any] | None  # None: the station is idle after this input
    feedback: Feedback
    effects: tuple[Effect, ...] = ()
    prints: tuple[PrintRequest, ...] = ()

    @property
    def changes_store(self) -> bool:
        return bool(self.effects or self.prints)


def describe(session: Session[Any, Any], q: Queries) -> Msg:
    """What the session is doing and what comes next, in words: its workflow's own, or its name."""
    own = session.workflow.describe
    if own is not None:
        return own(session, q)
    return Msg("session_doing", {"workflow": workflow_name(session.workflow.name)})


def not_now(session: Session[Any, Any], command: Command, q: Queries) -> Outcome:
    """A command this session cannot take now: refused with the command's name and what comes next."""
    return refuse(session, "command_not_now", command=command_name(command), state=describe(session, q))


def refuse(session: Session[Any, Any] | None, key: str, **params: Param) -> Outcome:
    """A loud refusal: nothing changes, the session stays as it was."""
    return Outcome(session, Feedback(Level.ERROR, Msg(key, params)))


def warn(session: Session[Any, Any] | None, key: str, **params: Param) -> Outcome:
    return Outcome(session, Feedback(Level.WARN, Msg(key, params)))
