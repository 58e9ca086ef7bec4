"""Transition tables for explicit state machines, and the error an illegal transition raises."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

S = TypeVar("S", bound=enum.Enum)

START = "start"  # where an entry comes from, as an error or a test names it
END = "end"  # where a session goes when it ends


class WorkflowError(Exception):
    """Root of the workflows package's errors."""


class IllegalTransition(WorkflowError, ValueError):
    """A state machine was asked to move between two states it does not connect.

    `src` is None for an entry into a state that is not initial, `dst` None for an end
    in a state that is not final.
    """

    def __init__(self, machine: str, src: enum.Enum | None, dst: enum.Enum | None) -> None:
        origin = START if src is None else src.value
        target = END if dst is None else dst.value
        super().__init__(f"{machine}: illegal transition {origin} -> {target}")
        self.machine = machine
        self.src = src
        self.dst = dst


class BadMachine(WorkflowError, ValueError):
    """A transition table or a workflow definition contradicts itself; raised on import."""


class Transitions(Generic[S]):
    """The allowed moves of one machine, in one place: {state: {next states}}.

    `initial` are the states a machine may be entered in; a state with no next states is
    final, and only there may a session end.
    """

    def __init__(self, machine: str, table: Mapping[S, frozenset[S]], *, initial: Iterable[S] = ()) -> None:
        self.machine = machine
        self.table = dict(table)
        self.initial = frozenset(initial)
        named = self.initial.union(*self.table.values())
        if not named <= self.table.keys():
            missing = sorted(s.value for s in named - self.table.keys())
            raise BadMachine(f"{machine}: states without a row in the table: {missing}")

    def allowed(self, src: S, dst: S) -> bool:
        return dst in self.table.get(src, frozenset())

    def check(self, src: S, dst: S) -> S:
        """Return `dst` if src → dst is allowed, else raise IllegalTransition naming both."""
        if not self.allowed(src, dst):
            raise IllegalTransition(self.machine, src, dst)
        return dst

    def enter(self, dst: S) -> S:
        """Return `dst` if the machine may start there, else raise IllegalTransition (start -> dst)."""
        if dst not in self.initial:
            raise IllegalTransition(self.machine, None, dst)
        return dst

    def end(self, src: S, dst: S) -> S:
        """Check src → dst and that `dst` is final, where a session ends (dst -> end otherwise)."""
        self.check(src, dst)
        if not self.final(dst):
            raise IllegalTransition(self.machine, dst, None)
        return dst

    def final(self, state: S) -> bool:
        return not self.table.get(state)

    def edges(self) -> list[tuple[S, S]]:
        return [(src, dst) for src, dsts in self.table.items() for dst in sorted(dsts, key=str)]
