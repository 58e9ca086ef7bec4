"""Inventory count: cell by cell, every parcel scanned, reconciled into found/misplaced/missing/unknown."""

from __future__ import annotations

import enum
from typing import Any

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import (
    Effect,
    Feedback,
    KeepReport,
    Level,
    Light,
    Move,
    Note,
    Outcome,
    PrintRequest,
    Session,
    refuse,
    warn,
)
from workflows.parcel import IN_CELL, ParcelState
from workflows.queries import Queries
from workflows.views import CellView, ParcelView

NAME = "inventory"


class State(enum.Enum):
    WAIT_CELL = "wait_cell"
    IN_CELL = "in_cell"
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.WAIT_CELL: frozenset({S.IN_CELL, S.ENDED}),
        S.IN_CELL: frozenset({S.IN_CELL, S.ENDED}),
        S.ENDED: frozenset(),
    },
)


def _lights(cells: list[CellView], counted: dict[str, list[str]], current: str | None) -> dict[str, Light]:
    """Cells not counted yet blink; the one being counted is lit steady."""
    lights = {c.address: Light.COUNT for c in cells if c.address not in counted}
    if current is not None:
        lights[current] = Light.COUNTING
    return lights


def start(q: Queries, ctx: Ctx) -> Outcome:
    cells = q.cells()
    data: dict[str, Any] = {
        "started_at": ctx.now.isoformat(timespec="seconds"),
        "counted": {},
        "current": None,
        "unknown": [],
    }
    session = Session(NAME, S.WAIT_CELL.value, data, _lights(cells, {}, None), ("inventory",))
    if q.claimed_by("inventory") is not None:
        return refuse(None, "claimed_elsewhere", code="inventory", station=str(q.claimed_by("inventory")))
    return Outcome(session, Feedback(Level.INFO, Msg("inv_start", {"cells": len(cells)})))


def step(session: Session, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = State(session.state)
    data: dict[str, Any] = {**session.data, "counted": dict(session.data["counted"])}
    match inp:
        case Cmd(Command.CANCEL):
            TRANSITIONS.check(state, S.ENDED)
            note = Note("inventory_abandoned", {"cells": len(data["counted"])})
            return Outcome(None, Feedback(Level.INFO, Msg("inv_abandoned")), (note,))
        case Cmd(Command.DONE):
            TRANSITIONS.check(state, S.ENDED)
            return _reconcile(data, q)
        case Cmd(command):
            return refuse(session, "command_not_now", command=command.value, state=state.value)
        case Code(text=text):
            cell = q.cell_by_label(text)
            if cell is not None:
                TRANSITIONS.check(state, S.IN_CELL)
                data["counted"].setdefault(cell.address, [])
                data["current"] = cell.address
                left = sum(1 for c in q.cells() if c.address not in data["counted"])
                fb = Feedback(Level.OK, Msg("inv_cell", {"cell": cell.address, "left": left}))
                return Outcome(_session(session, S.IN_CELL, data, q), fb)
            if state is S.WAIT_CELL:
                return refuse(session, "inv_cell_first")
            return _count(session, data, text, q)
    raise AssertionError(f"unhandled input {inp!r}")


def _session(session: Session, state: State, data: dict[str, Any], q: Queries) -> Session:
    return Session(
        NAME, state.value, data, _lights(q.cells(), data["counted"], data["current"]), session.claims
    )


def _count(session: Session, data: dict[str, Any], text: str, q: Queries) -> Outcome:
    TRANSITIONS.check(S.IN_CELL, S.IN_CELL)
    current = str(data["current"])
    parcel = q.parcel(text)
    if parcel is None:
        if text in data["unknown"]:
            return warn(session, "duplicate_scan", code=text)
        data["unknown"] = [*data["unknown"], text]
        return Outcome(
            _session(session, S.IN_CELL, data, q), Feedback(Level.WARN, Msg("inv_unknown", {"code": text}))
        )
    if any(parcel.barcode in found for found in data["counted"].values()):
        return warn(session, "duplicate_scan", code=parcel.barcode)
    data["counted"][current] = [*data["counted"][current], parcel.barcode]
    fb = Feedback(Level.OK, Msg("inv_counted", {"parcel": parcel.barcode, "cell": current}))
    return Outcome(_session(session, S.IN_CELL, data, q), fb)


def _reconcile(data: dict[str, Any], q: Queries) -> Outcome:
    """Compare what was seen with what the store says, correct the store, keep and print a report."""
    counted: dict[str, list[str]] = data["counted"]
    seen = {barcode: cell for cell, found in counted.items() for barcode in found}
    found: list[dict[str, Any]] = []
    misplaced: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = [{"code": code, "state": None} for code in data["unknown"]]
    effects: list[Effect] = []
    moves_in: list[Effect] = []
    for cell in counted:
        for parcel in q.parcels_in_cell(cell):
            if parcel.barcode not in seen:
                missing.append({"parcel": parcel.barcode, "cell": cell})
                effects.append(
                    Move(parcel.barcode, ParcelState.MISSING, "inventory_missing", data={"cell": cell})
                )
    for barcode, cell in seen.items():
        view = q.parcel(barcode)
        assert view is not None
        if view.cell == cell:
            found.append({"parcel": barcode, "cell": cell})
        elif view.state in IN_CELL or view.state in (ParcelState.MISSING, ParcelState.ACCEPTED):
            misplaced.append({"parcel": barcode, "was": view.cell, "found": cell, "state": view.state.value})
            moves_in.append(_correct(view, cell))
        else:
            unknown.append({"code": barcode, "state": view.state.value})
    # Parcels leave the cells where they are missing before others are moved in.
    effects += moves_in
    not_counted = [c.address for c in q.cells() if c.address not in counted and c.occupied]
    report: dict[str, list[Any]] = {
        "found": found,
        "misplaced": misplaced,
        "missing": missing,
        "unknown": unknown,
        "cells_counted": sorted(counted),
        "cells_not_counted": not_counted,
    }
    effects.append(KeepReport(str(data["started_at"]), report))
    counts = {k: len(report[k]) for k in ("found", "misplaced", "missing", "unknown")}
    level = Level.OK if not (misplaced or missing or unknown) else Level.WARN
    fb = Feedback(level, Msg("inv_done", counts))
    return Outcome(None, fb, tuple(effects), (PrintRequest("inventory_report", report),))


def _correct(parcel: ParcelView, cell: str) -> Move:
    """Where the count found it is where it is: due-for-return parcels stay due, others are stored."""
    to = ParcelState.TO_RETURN if parcel.state is ParcelState.TO_RETURN else ParcelState.STORED
    return Move(parcel.barcode, to, "inventory_corrected", cell=cell, data={"was": parcel.cell})
