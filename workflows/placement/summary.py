"""The end of a placement session: what was placed where, and what still waits, on screen and in the journal."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.messages import Msg
from workflows.outcome import Feedback, Level, Note

SHOWN = 6  # codes or cells listed on a screen line; the rest are counted ("и ещё 4")


@dataclass(frozen=True, slots=True)
class Tally:
    """What one placement session did, as it ends."""

    placed: int  # accepted parcels now stored
    moved: int  # stored parcels moved to another cell
    cells: tuple[str, ...]  # the cells they went into, first use first
    unplaced: tuple[str, ...]  # parcels scanned here that are still without a cell
    accepted_left: int  # accepted parcels at the point still waiting for a cell, these included


def summary(tally: Tally) -> tuple[Feedback, tuple[Note, ...]]:
    """The clerk's summary of the session and, if it did anything, its journal event."""
    if tally.placed:
        head = Msg("pl_ended", {"placed": tally.placed, "cells": len(tally.cells)})
    else:
        head = Msg("pl_ended_nothing")
    lines: list[Msg] = []
    if tally.cells:
        lines.append(Msg("pl_sum_cells", {"cells": listed(tally.cells)}))
    if tally.moved:
        lines.append(Msg("pl_sum_moved", {"moved": tally.moved}))
    if tally.unplaced:
        lines.append(
            Msg("pl_sum_unplaced", {"count": len(tally.unplaced), "parcels": listed(tally.unplaced)})
        )
    if tally.accepted_left:
        lines.append(Msg("pl_sum_left", {"count": tally.accepted_left}))
    else:
        lines.append(Msg("pl_sum_all_placed"))
    level = Level.WARN if tally.unplaced else Level.OK
    notes: tuple[Note, ...] = ()
    if tally.placed or tally.moved or tally.unplaced:
        data = {
            "placed": tally.placed,
            "moved": tally.moved,
            "cells": list(tally.cells),
            "unplaced": list(tally.unplaced),
            "accepted_left": tally.accepted_left,
        }
        notes = (Note("placement_ended", data),)
    return Feedback(level, head, tuple(lines)), notes


def listed(items: tuple[str, ...]) -> str | Msg:
    """Codes for one screen line: all of them, or the first few and how many more."""
    shown = ", ".join(items[:SHOWN])
    if len(items) <= SHOWN:
        return shown
    return Msg("pl_list_more", {"list": shown, "more": len(items) - SHOWN})
