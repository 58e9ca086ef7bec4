"""Every edge of every state machine is exercised, every non-edge is refused by name, and the
tables are what the code does: drop an edge the code uses and a scripted day fails on it."""

from __future__ import annotations

import ast
import enum
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support import kiosk
from tests.support.factory import M, P, new_engine, new_store, scan
from tests.support.kiosk import at_kiosk, door, kiosk_site, tick
from tests.support.outbound import add_outbound, courier_message
from tests.support.stock import half_day
from tests.test_inbox import put
from workflows.context import Policy, SendRules
from workflows.inputs import Command, DoorEvent
from workflows.machine import END, START, BadMachine, IllegalTransition, Transitions
from workflows.parcel import PARCEL, ParcelState, Size
from workflows.registry import BY_NAME, WORKFLOWS
from workflows.send_qr import Shipment, make, public_key_text

MACHINES: list[Transitions[Any]] = [w.transitions for w in WORKFLOWS]
WORKFLOW_CODE = Path(__file__).resolve().parent.parent / "workflows"


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


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: m.machine)
def test_a_workflow_starts_only_in_an_initial_state_and_ends_only_in_a_final_one(
    machine: Transitions[enum.Enum],
) -> None:
    assert machine.initial, "a workflow nobody can enter"
    for state in machine.table:
        if state in machine.initial:
            assert machine.enter(state) is state
        else:
            with pytest.raises(IllegalTransition, match=f"{machine.machine}: illegal transition {START} -> "):
                machine.enter(state)
    for src, dst in machine.edges():
        if machine.final(dst):
            assert machine.end(src, dst) is dst
        else:
            with pytest.raises(IllegalTransition, match=f"{dst.value} -> {END}"):
                machine.end(src, dst)


class Light3(enum.Enum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


def test_a_table_that_contradicts_itself_stops_the_import() -> None:
    with pytest.raises(BadMachine, match="without a row in the table: \\['green'\\]"):
        Transitions("lamp", {Light3.RED: frozenset({Light3.GREEN})})
    with pytest.raises(BadMachine, match="without a row in the table: \\['amber'\\]"):
        Transitions("lamp", {Light3.RED: frozenset()}, initial={Light3.AMBER})
    table = Transitions("lamp", {light: frozenset() for light in Light3})
    workflow = BY_NAME["acceptance"]
    with pytest.raises(BadMachine, match="every state needs a row"):
        replace(workflow, name="lamp", transitions=table)
    with pytest.raises(BadMachine, match="no initial state"):
        replace(workflow, name="lamp", states=Light3, transitions=table)
    with pytest.raises(BadMachine, match="its table is named 'acceptance'"):
        replace(workflow, name="lamp")


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
    """Every transition and entry checked while the test runs: (machine, from, to)."""
    recorded: set[tuple[str, str, str]] = set()
    check = Transitions.check
    enter = Transitions.enter

    def recording_check(self: Transitions[enum.Enum], src: enum.Enum, dst: enum.Enum) -> enum.Enum:
        result = check(self, src, dst)
        recorded.add((self.machine, src.value, dst.value))
        return result

    def recording_enter(self: Transitions[enum.Enum], dst: enum.Enum) -> enum.Enum:
        result = enter(self, dst)
        recorded.add((self.machine, START, dst.value))
        return result

    monkeypatch.setattr(Transitions, "check", recording_check)
    monkeypatch.setattr(Transitions, "enter", recording_enter)
    return recorded


def assert_covered(names: list[str], seen: set[tuple[str, str, str]]) -> None:
    for name in names:
        machine = BY_NAME[name].transitions
        done = {(s, d) for m, s, d in seen if m == machine.machine}
        edges = {(s.value, d.value) for s, d in machine.edges()}
        entries = {(START, s.value) for s in machine.initial}
        missing = (edges | entries) - done
        assert not missing, f"{machine.machine}: edges never exercised: {sorted(missing)}"


def scripted_day(tmp_path: Path) -> dict[str, str]:
    """Acceptance, placement and issue, through every way in and out of every state.

    Returns the message keys of a few checkpoints, for the coverage test to assert on.
    """
    codes = {f"1000000{i}": f"100{i}" for i in range(1, 5)}
    store = new_store(
        tmp_path / "day.db",
        M(
            "S1",
            [P(f"1000000{i}-0001-1", f"1000000{i}", cod=100 * i) for i in range(1, 6)],
            codes={**codes, "10000005": "7777"},
        ),
        # the same pickup code as 10000005: a code that fits two orders
        M(
            "S2",
            [P("20000001-0001-1", "20000001"), P("20000002-0001-1", "20000002", size="M")],
            packages=["BOX00000009"],
            codes={"20000001": "7777"},
        ),
    )
    e = new_engine(store)
    a = [f"1000000{i}-0001-1" for i in range(1, 6)]
    # acceptance: chooser → scanning → damaged → scanning → closed; chooser → closed (done / cancel)
    scan(e, Command.START_ACCEPTANCE, Command.DONE, Command.START_ACCEPTANCE, Command.CANCEL)
    scan(e, Command.START_ACCEPTANCE, "S1", a[0], Command.DAMAGED, a[1], Command.DAMAGED, Command.CANCEL)
    # DONE with parcels missing asks first: back to scanning, a damaged mark, a scan, DONE twice
    scan(e, Command.DAMAGED, Command.DONE, Command.CANCEL, Command.DONE, Command.DAMAGED, Command.CANCEL)
    scan(e, Command.DONE, a[2], Command.DONE, Command.DONE)
    # a[3] and a[4] come late, during supply S2, which closes from a damaged mark with nothing missing
    scan(
        e,
        "BOX00000009",
        Command.CANCEL,
        "20000001-0001-1",
        "20000002-0001-1",
        a[3],
        a[4],
        Command.DAMAGED,
        Command.DONE,
    )
    # placement: wait_parcel → wait_cell → wait_cell (switch) → wait_parcel (cancel) → … → ended
    scan(e, Command.START_PLACEMENT, Command.DONE, Command.START_PLACEMENT, a[0], a[1], Command.CANCEL)
    scan(e, a[0], "C-A-01-1", a[1], "C-A-01-2", a[2], "C-A-02-1", a[3], "C-A-02-2", a[4], "C-A-03-1")
    scan(e, a[0], "C-A-01-1")  # move into the same cell
    scan(e, a[0], Command.DONE)  # wait_cell → ended
    # cell first: wait_parcel → fill_cell → fill_cell (a move in, another cell) → wait_cell (too big)
    # → fill_cell (back to the open cell) → wait_parcel (it is full) → fill_cell → ended
    scan(e, Command.START_PLACEMENT, "C-B-01-1", a[0], "C-A-01-1", "20000002-0001-1", "C-A-03-1")
    scan(e, "20000001-0001-1", "C-B-01-1", Command.DONE)
    # issue: find → ended; find → proof (the number) → proof → collecting (its code) / ended;
    # find → choose (a code of two orders) → choose → collecting (the number) / ended;
    # find → collecting → refuse_next → collecting/ended …
    scan(e, Command.START_ISSUE, Command.CANCEL, Command.START_ISSUE, Command.DONE)
    scan(e, "10000001", Command.CANCEL)
    scan(e, "10000002", "10000001", "1001", Command.CANCEL)
    scan(e, "7777", "7777", Command.CANCEL)
    scan(e, "7777", "10000005", Command.CANCEL)
    scan(e, "10000002*1002", Command.REFUSE_ITEM, Command.CANCEL, Command.CANCEL)
    scan(e, "10000003*1003", Command.REFUSE_ITEM, a[2], Command.DONE)
    taken_all = scan(e, "10000004*1004", a[3])
    scan(e, Command.PAID_CASH, Command.DONE)
    store.close()
    return {"taken_all": taken_all.feedback.msg.key}


def scripted_returns_and_counts(tmp_path: Path) -> dict[str, str]:
    """Customer returns, return to sender and an inventory count, every way out of every state."""
    store, e = half_day(tmp_path / "returns.db")
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
    # the courier hand-over with a courier expected: every way out of courier and confirm
    for barcode in ("DRP-T-0001", "DRP-T-0002", "DRP-T-0003"):
        add_outbound(store, barcode, "dropoff")
    put(store, courier_message("CR-1", mid="cr1", parcels=("DRP-T-0001",)))
    put(store, courier_message("CR-2", mid="cr2", parcels=("DRP-T-0009",)))
    bag = "OBAG00000001"
    scan(e, Command.START_RETURN_TO_SENDER, bag, "DRP-T-0001", Command.DONE, bag, "DRP-T-0002", Command.DONE)
    scan(e, "CR-1", bag, Command.REFUSE_ITEM, "DRP-T-0002", Command.DONE, "CR-1")
    scan(e, Command.START_RETURN_TO_SENDER, "OBAG00000002", "DRP-T-0003", Command.DONE, "CR-2")
    handed = scan(e, Command.DONE)
    # inventory: leave before a cell; count two cells and reconcile
    scan(e, Command.START_INVENTORY, Command.CANCEL)
    counted = scan(e, Command.START_INVENTORY, "C-A-01-1", "11111111-0001-1", "C-A-02-1", Command.DONE)
    store.close()
    return {"counted": counted.feedback.msg.key, "handed": handed.feedback.msg.key}


def scripted_kiosk(tmp_path: Path) -> dict[str, str]:
    """A kiosk's collections, every way in and out of every state: doors and shelf cells."""
    store, e, clock = kiosk_site(tmp_path / "kiosk.db")
    # opening (a door and a lit cell) → opening (the shelf parcel) → taking (door open) → ended
    at_kiosk(e, kiosk.CODES[kiosk.MIXED])
    at_kiosk(e, "50000001-0002-1", keyed=False)
    door(e, 14, DoorEvent.OPENED)
    door(e, 14, DoorEvent.CLOSED_EMPTY)
    # opening → ended (jammed); opening → taking (unverified) → opening (open again) → taking → ended (idle)
    at_kiosk(e, kiosk.CODES[kiosk.LOCKED])
    door(e, 15, DoorEvent.JAMMED)
    at_kiosk(e, kiosk.CODES[kiosk.LOCKED])
    door(e, 15, DoorEvent.NOT_VERIFIED)
    at_kiosk(e, Command.REOPEN)
    door(e, 15, DoorEvent.NOT_VERIFIED)
    clock.tick(kiosk.RULES.idle_s)
    tick(e)
    # taking (a shelf alone) → taking (one parcel) → ended (DONE)
    at_kiosk(e, kiosk.CODES[kiosk.SHELVED])
    at_kiosk(e, "50000009-0001-1", keyed=False)
    done = at_kiosk(e, Command.DONE)
    store.close()
    return {"done": done.feedback.msg.key}


def scripted_dropoff(tmp_path: Path) -> dict[str, str]:
    """A seller's drop-off, every way in and out of every state."""
    from tests.test_dropoff import D1, SHIPMENTS, load_dropoff

    store = new_store(tmp_path / "dropoff.db")
    load_dropoff(store)
    e = new_engine(store)
    scan(e, Command.START_DROPOFF, Command.CANCEL)  # choose → closed
    scan(e, Command.START_DROPOFF, D1, SHIPMENTS[0], Command.CANCEL)  # choose → scanning → closed
    # scanning → confirm_close → scanning (a scan) → confirm_close → scanning (CANCEL) → … → closed
    scan(e, SHIPMENTS[1], Command.DONE, "FBS-0000000099", Command.DONE, Command.CANCEL, Command.DONE)
    closed = scan(e, Command.DONE)
    store.close()
    return {"closed": closed.feedback.msg.key}


def scripted_send(tmp_path: Path) -> dict[str, str]:
    """Customers' sends, every way out of every state: cancelled, refused at the check, sides too big."""
    store = new_store(tmp_path / "send.db")
    central = Ed25519PrivateKey.generate()
    e = new_engine(store, policy=Policy(send=SendRules(public_key=public_key_text(central))))
    qr = [make(Shipment(f"SND-00000{i}", "PVZ-7", Size.S, "A. B."), central) for i in range(3)]
    ok, cancel = Command.CHECK_OK, Command.CANCEL
    scan(e, Command.START_SEND, cancel)
    scan(e, Command.START_SEND, qr[0], Command.CHECK_FAIL)
    scan(e, Command.START_SEND, qr[0], cancel)
    scan(e, Command.START_SEND, qr[0], ok, cancel)
    scan(e, Command.START_SEND, qr[0], ok, "500", cancel)
    scan(e, Command.START_SEND, qr[0], ok, "500", "10", cancel)
    scan(e, Command.START_SEND, qr[0], ok, "500", "10", "10", cancel)
    sent = scan(e, Command.START_SEND, qr[1], ok, "500", "100", "50", "40", "30", "20", "10")
    store.close()
    return {"sent": sent.feedback.msg.key}


SCRIPTS: dict[str, Callable[[Path], dict[str, str]]] = {
    "dropoff": scripted_dropoff,
    "acceptance": scripted_day,
    "placement": scripted_day,
    "issue": scripted_day,
    "customer_return": scripted_returns_and_counts,
    "return_to_sender": scripted_returns_and_counts,
    "inventory": scripted_returns_and_counts,
    "kiosk": scripted_kiosk,
    "send": scripted_send,
}


def test_every_workflow_has_a_scripted_day() -> None:
    assert set(SCRIPTS) == set(BY_NAME)


def test_scripted_days_cover_every_workflow_edge(tmp_path: Path, seen: set[tuple[str, str, str]]) -> None:
    """Run scenarios through the real engine while recording each checked transition."""
    assert scripted_day(tmp_path) == {"taken_all": "iss_taken_all_pay"}
    assert_covered(["acceptance", "placement", "issue"], seen)
    parcel_seen = {(s, d) for m, s, d in seen if m == "parcel"}
    assert {
        ("expected", "accepted"),
        ("accepted", "stored"),
        ("stored", "issued"),
        ("stored", "to_return"),
    } <= parcel_seen


def test_scripted_dropoff_covers_every_edge(tmp_path: Path, seen: set[tuple[str, str, str]]) -> None:
    assert scripted_dropoff(tmp_path) == {"closed": "do_closed"}
    assert_covered(["dropoff"], seen)
    parcel_seen = {(s, d) for m, s, d in seen if m == "parcel"}
    assert {("expected", "outbound"), ("expected", "missing")} <= parcel_seen


def test_scripted_returns_and_counts_cover_every_edge(
    tmp_path: Path, seen: set[tuple[str, str, str]]
) -> None:
    assert scripted_returns_and_counts(tmp_path) == {"counted": "inv_done", "handed": "out_handed_over"}
    assert_covered(["customer_return", "return_to_sender", "inventory"], seen)
    parcel_seen = {(s, d) for m, s, d in seen if m == "parcel"}
    assert {("accepted", "to_return"), ("to_return", "returning"), ("returning", "returned")} <= parcel_seen
    assert {
        ("outbound", "dispatching"),
        ("dispatching", "outbound"),
        ("dispatching", "dispatched"),
    } <= parcel_seen


def test_scripted_kiosk_covers_every_edge(tmp_path: Path, seen: set[tuple[str, str, str]]) -> None:
    assert scripted_kiosk(tmp_path) == {"done": "ksk_done"}
    assert_covered(["kiosk"], seen)


def test_scripted_send_covers_every_edge(tmp_path: Path, seen: set[tuple[str, str, str]]) -> None:
    assert scripted_send(tmp_path) == {"sent": "send_accepted"}
    assert_covered(["send"], seen)
    assert {(s, d) for m, s, d in seen if m == "parcel"} == set()  # a send enters at outbound, no move


def _moves() -> Iterator[tuple[str, str | None, str]]:
    """(workflow, from, to) for every edge of every table, from None for an entry."""
    for workflow in WORKFLOWS:
        for state in sorted(workflow.transitions.initial, key=lambda s: s.value):
            yield workflow.name, None, state.value
        for src, dst in workflow.transitions.edges():
            yield workflow.name, src.value, dst.value


@pytest.mark.parametrize(("name", "src", "dst"), list(_moves()), ids=lambda v: v or START)
def test_a_table_without_an_edge_the_code_uses_fails_a_scripted_day(
    name: str,
    src: str | None,
    dst: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The tables are not advisory: every session is made by a checked move, so dropping any
    edge (or initial state) from a table makes the scan that takes it fail and roll back."""
    workflow = BY_NAME[name]
    table = workflow.transitions
    target = workflow.states(dst)
    if src is None:
        monkeypatch.setattr(table, "initial", table.initial - {target})
    else:
        source = workflow.states(src)
        monkeypatch.setitem(table.table, source, table.table[source] - {target})
    with caplog.at_level(logging.ERROR, logger="pvz.engine"):
        SCRIPTS[name](tmp_path)
    failed = [
        r.exc_info[1]
        for r in caplog.records
        if r.exc_info is not None and isinstance(r.exc_info[1], IllegalTransition)
    ]
    expected = f"{name}: illegal transition {src or START} -> {dst}"
    assert expected in {str(exc) for exc in failed}, [str(exc) for exc in failed]


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def test_workflow_code_makes_sessions_only_through_enter_and_advance() -> None:
    """No loose `TRANSITIONS.check(...)`, no `Session(...)` and no `resume` (the store's way back)
    outside workflows/session.py."""
    offenders = []
    for path in sorted(WORKFLOW_CODE.rglob("*.py")):
        if path.name in {"session.py", "machine.py"}:
            continue
        for call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            func = call.func
            if isinstance(func, ast.Name) and func.id == "Session":
                offenders.append(f"{path.name}:{call.lineno}: Session(...)")
            if isinstance(func, ast.Attribute) and func.attr in {"check", "enter", "end", "resume"}:
                offenders.append(f"{path.name}:{call.lineno}: .{func.attr}(...)")
    assert not offenders, offenders
