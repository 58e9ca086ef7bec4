"""Inventory count: cell by cell, every parcel scanned, reconciled into found/misplaced/missing/unknown."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg, Param
from workflows.outcome import Effect, Feedback, KeepReport, Level, Light, Move, Note, PrintRequest
from workflows.parcel import IN_CELL, ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, not_now, refuse, warn
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
    initial={S.WAIT_CELL},
)


@dataclass(frozen=True, slots=True)
class InventoryData:
    """What the count has seen so far."""

    started_at: str
    counted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # cell -> parcels seen there
    current: str | None = None  # the cell being counted
    unknown: tuple[str, ...] = ()  # codes that are no parcel of the store


Counting = Session[State, InventoryData]


def _lights(cells: list[CellView], counted: Mapping[str, object], current: str | None) -> dict[str, Light]:
    """Cells not counted yet blink; the one being counted is lit steady."""
    lights = {c.address: Light.COUNT for c in cells if c.address not in counted}
    if current is not None:
        lights[current] = Light.COUNTING
    return lights


def start(q: Queries, ctx: Ctx) -> Outcome:
    cells = q.cells()
    data = InventoryData(started_at=ctx.now.isoformat(timespec="seconds"))
    session = enter(WORKFLOW, S.WAIT_CELL, data, lights=_lights(cells, {}, None), claims=("inventory",))
    holder = q.claimed_by("inventory")
    if holder is not None:
        return refuse(None, "inv_elsewhere", station=holder)
    return Outcome(session, Feedback(Level.INFO, Msg("inv_start", {"cells": len(cells)})))


def step(session: Counting, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    data = session.data
    match inp:
        case Cmd(Command.CANCEL):
            note = Note("inventory_abandoned", {"cells": len(data.counted)})
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("inv_abandoned")), (note,))
        case Cmd(Command.DONE):
            return _reconcile(session, q)
        case Cmd(command):
            return not_now(session, command, q)
        case Code(text=text):
            cell = q.cell_by_label(text)
            if cell is not None:
                counted = {**data.counted, cell.address: data.counted.get(cell.address, ())}
                data = replace(data, counted=counted, current=cell.address)
                left = sum(1 for c in q.cells() if c.address not in data.counted)
                fb = Feedback(Level.OK, Msg("inv_cell", {"cell": cell.address, "left": left}))
                return Outcome(_counting(session, data, q), fb)
            if state is S.WAIT_CELL:
                return refuse(session, "inv_cell_first")
            return _count(session, text, q)
    raise AssertionError(f"unhandled input {inp!r}")


def _counting(session: Counting, data: InventoryData, q: Queries) -> Counting:
    """On in IN_CELL: the cells not counted yet blink, the current one is lit steady."""
    return advance(session, S.IN_CELL, data, lights=_lights(q.cells(), data.counted, data.current))


def _count(session: Counting, text: str, q: Queries) -> Outcome:
    data = session.data
    current = str(data.current)
    parcel = q.parcel(text)
    if parcel is None:
        if text in data.unknown:
            return warn(session, "duplicate_scan", code=text)
        data = replace(data, unknown=(*data.unknown, text))
        return Outcome(_counting(session, data, q), Feedback(Level.WARN, Msg("inv_unknown", {"code": text})))
    if any(parcel.barcode in found for found in data.counted.values()):
        return warn(session, "duplicate_scan", code=parcel.barcode)
    data = replace(data, counted={**data.counted, current: (*data.counted[current], parcel.barcode)})
    fb = Feedback(Level.OK, Msg("inv_counted", {"parcel": parcel.barcode, "cell": current}))
    return Outcome(_counting(session, data, q), fb)


def _reconcile(session: Counting, q: Queries) -> Outcome:
    """Compare what was seen with what the store says, correct the store, keep and print a report."""
    data = session.data
    counted = data.counted
    seen = {barcode: cell for cell, found in counted.items() for barcode in found}
    found: list[dict[str, Any]] = []
    misplaced: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    unknown: list[dict[str, Any]] = [{"code": code, "state": None} for code in data.unknown]
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
    effects.append(KeepReport(data.started_at, report))
    counts = {k: len(report[k]) for k in ("found", "misplaced", "missing", "unknown")}
    level = Level.OK if not (misplaced or missing or unknown) else Level.WARN
    fb = Feedback(level, Msg("inv_done", counts))
    return finish(session, S.ENDED, fb, effects, (PrintRequest("inventory_report", report),))


def _correct(parcel: ParcelView, cell: str) -> Move:
    """Where the count found it is where it is: due-for-return parcels stay due, others are stored."""
    to = ParcelState.TO_RETURN if parcel.state is ParcelState.TO_RETURN else ParcelState.STORED
    return Move(parcel.barcode, to, "inventory_corrected", cell=cell, data={"was": parcel.cell})


def describe(session: Counting, q: Queries) -> Msg:
    """A count in progress: how many cells are counted, the one being counted, what comes next."""
    data = session.data
    total = len(q.cells())
    if data.current is None:
        return Msg("inv_doing", {"counted": len(data.counted), "cells": total})
    found = len(data.counted.get(data.current, ()))
    params: dict[str, Param] = {
        "counted": len(data.counted),
        "cells": total,
        "cell": data.current,
        "found": found,
    }
    return Msg("inv_doing_cell", params)


WORKFLOW: Workflow[State, InventoryData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    InventoryData,
    command=Command.START_INVENTORY,
    start=start,
    step=step,
    describe=describe,
)
