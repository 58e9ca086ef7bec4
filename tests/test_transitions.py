"""Every edge of every state machine is exercised, and every non-edge is refused by name."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.factory import M, P, new_engine, new_store, scan
from tests.support.stock import half_day
from workflows import acceptance, inventory, issue, placement, return_to_sender, returns
from workflows.inputs import Command
from workflows.machine import IllegalTransition, Transitions
from workflows.parcel import PARCEL, ParcelState

MACHINES: list[Transitions[Any]] = [
    acceptance.TRANSITIONS,
    placement.TRANSITIONS,
    issue.TRANSITIONS,
    returns.TRANSITIONS,
    return_to_sender.TRANSITIONS,
    inventory.TRANSITIONS,
]


def _non_edges(machine: Transitions[enum.Enum]) -> Iterator[tuple[enum.Enum, enum.Enum]]:
    states = list(machine.table)
    for src in states:
        for dst in states:
            if not machine.allowed(src, dst):
                yield src, dst


@pytest.mark.parametrize("machine", [*MACHINES, PARCEL], ids=lambda m: m.machine)
def test_illegal_transitions_name_both_states(machine: Transitions[enum.Enum]) -> None:
    pairs = list(_non_edges(machine))
    assert pairs, "a machine where everything is allowed is no machine"
    for src, dst in pairs:
        with pytest.raises(IllegalTransition) as err:
            machine.check(src, dst)
        assert f"{src.value} -> {dst.value}" in str(err.value)
        assert machine.machine in str(err.value)


def test_parcel_lifecycle_matches_the_design() -> None:
    ps = ParcelState
    edges = set(PARCEL.edges())
    for edge in [
        (ps.EXPECTED, ps.ACCEPTED),
        (ps.ACCEPTED, ps.STORED),
        (ps.STORED, ps.ISSUED),
        (ps.STORED, ps.STORED),
        (ps.EXPECTED, ps.MISSING),
        (ps.STORED, ps.TO_RETURN),
        (ps.TO_RETURN, ps.RETURNING),
        (ps.RETURNING, ps.RETURNED),
    ]:
        assert edge in edges
    assert not PARCEL.table[ps.ISSUED] and not PARCEL.table[ps.RETURNED]  # terminal


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, str, str]]:
    """Every transition checked while the test runs: (machine, from, to)."""
    recorded: set[tuple[str, str, str]] = set()
    original = Transitions.check

    def recording(self: Transitions[enum.Enum], src: enum.Enum, dst: enum.Enum) -> enum.Enum:
        result = original(self, src, dst)
        recorded.add((self.machine, src.value, dst.value))
        return result

    monkeypatch.setattr(Transitions, "check", recording)
    return recorded


def assert_covered(machines: list[Transitions[Any]], seen: set[tuple[str, str, str]]) -> None:
    for machine in machines:
        done = {(s, d) for m, s, d in seen if m == machine.machine}
        missing = {(s.value, d.value) for s, d in machine.edges()} - done
        assert not missing, f"{machine.machine}: edges never exercised: {sorted(missing)}"


def test_scripted_days_cover_every_workflow_edge(tmp_path: Path, seen: set[tuple[str, str, str]]) -> None:
    """Run scenarios through the real engine while recording each checked transition."""
    store = new_store(
        tmp_path / "pvz.db",
        M("S1", [P(f"1000000{i}-0001-1", f"1000000{i}", cod=100 * i) for i in range(1, 6)]),
        M("S2", [P("20000001-0001-1", "20000001")], packages=["BOX00000009"]),
    )
    e = new_engine(store)
    a = [f"1000000{i}-0001-1" for i in range(1, 6)]
    # acceptance: chooser → scanning → damaged → scanning → closed; chooser → closed (done / cancel)
    scan(e, Command.START_ACCEPTANCE, Command.DONE, Command.START_ACCEPTANCE, Command.CANCEL)
    scan(e, Command.START_ACCEPTANCE, "S1", a[0], Command.DAMAGED, a[1], Command.DAMAGED, Command.CANCEL)
    scan(e, Command.DAMAGED, Command.DONE)
    scan(e, "BOX00000009", Command.CANCEL, "20000001-0001-1", a[2], a[3], a[4], Command.DONE)
    # placement: wait_parcel → wait_cell → wait_cell (switch) → wait_parcel (cancel) → … → ended
    scan(e, Command.START_PLACEMENT, Command.DONE, Command.START_PLACEMENT, a[0], a[1], Command.CANCEL)
    scan(e, a[0], "C-A-01-1", a[1], "C-A-01-2", a[2], "C-A-02-1", a[3], "C-A-02-2", a[4], "C-A-03-1")
    scan(e, a[0], "C-A-01-1")  # move into the same cell
    scan(e, a[0], Command.DONE)  # wait_cell → ended
    # issue: find → ended; find → collecting → refuse_next → collecting/ended …
    scan(e, Command.START_ISSUE, Command.CANCEL, Command.START_ISSUE, Command.DONE)
    scan(e, "10000001", Command.CANCEL)
    scan(e, "10000002", Command.REFUSE_ITEM, Command.CANCEL, Command.CANCEL)
    scan(e, "10000003", Command.REFUSE_ITEM, a[2], Command.DONE)
    r = scan(e, "10000004", a[3])
    assert r.feedback.msg.key == "iss_taken_all", r.feedback.msg
    scan(e, Command.PAID, Command.DONE)
    store.close()
    assert_covered(MACHINES[:3], seen)
    parcel_seen = {(s, d) for m, s, d in seen if m == "parcel"}
    assert {
        ("expected", "accepted"),
        ("accepted", "stored"),
        ("stored", "issued"),
        ("stored", "to_return"),
    } <= parcel_seen


def test_scripted_returns_and_counts_cover_every_edge(
    tmp_path: Path, seen: set[tuple[str, str, str]]
) -> None:
    store, e = half_day(tmp_path / "pvz.db")
    ok, fail = Command.CHECK_OK, Command.CHECK_FAIL
    # customer return: every way out of every state
    scan(e, Command.START_RETURN, Command.CANCEL)
    scan(e, Command.START_RETURN, "22222222-0001-1", Command.CANCEL)
    scan(e, Command.START_RETURN, "22222222-0001-1", ok, Command.CANCEL)
    scan(e, Command.START_RETURN, "RR-1", ok, fail, Command.CANCEL)
    scan(e, Command.START_RETURN, "RR-1", ok, ok, ok, "C-R-01-1")
    scan(e, Command.START_RETURN, "22222222-0001-1", ok, ok, "C-R-01-1")
    # return to sender: leave before a bag, pick two, hand over
    scan(e, Command.START_RETURN_TO_SENDER, Command.DONE)
    scan(
        e,
        Command.START_RETURN_TO_SENDER,
        "RBAG00000001",
        "R-22222222-0001-1",
        "R-22222222-0002-1",
        Command.DONE,
    )
    # inventory: leave before a cell; count two cells and reconcile
    scan(e, Command.START_INVENTORY, Command.CANCEL)
    r = scan(e, Command.START_INVENTORY, "C-A-01-1", "11111111-0001-1", "C-A-02-1", Command.DONE)
    assert r.feedback.msg.key == "inv_done"
    store.close()
    assert_covered(MACHINES[3:], seen)
    parcel_seen = {(s, d) for m, s, d in seen if m == "parcel"}
    assert {("accepted", "to_return"), ("to_return", "returning"), ("returning", "returned")} <= parcel_seen
