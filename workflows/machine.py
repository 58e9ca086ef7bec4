"""Transition tables for explicit state machines, and the error an illegal transition raises."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Generic, TypeVar

S = TypeVar("S", bound=enum.Enum)


class WorkflowError(Exception):
    """Root of the workflows package's errors."""


class IllegalTransition(WorkflowError, ValueError):
    """A state machine was asked to move between two states it does not connect."""

    def __init__(self, machine: str, src: enum.Enum, dst: enum.Enum) -> None:
        super().__init__(f"{machine}: illegal transition {src.value} -> {dst.value}")
        self.machine = machine
        self.src = src
        self.dst = dst


class Transitions(Generic[S]):
    """The allowed moves of one machine, in one place: {state: {next states}}."""

    def __init__(self, machine: str, table: Mapping[S, frozenset[S]]) -> None:
        self.machine = machine
        self.table = dict(table)

    def allowed(self, src: S, dst: S) -> bool:
        return dst in self.table.get(src, frozenset())

    def check(self, src: S, dst: S) -> S:
        """Return `dst` if src → dst is allowed, else raise IllegalTransition naming both."""
        if not self.allowed(src, dst):
            raise IllegalTransition(self.machine, src, dst)
        return dst

    def edges(self) -> list[tuple[S, S]]:
        return [(src, dst) for src, dsts in self.table.items() for dst in sorted(dsts, key=str)]
