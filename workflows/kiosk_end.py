"""The kiosk session after any news: on to the next step, or its end with the receipt.

One place decides both, so every path (a door's report, a scan, a tick, the customer's DONE)
ends the same way: when every door and lit cell is settled, what was issued gets its receipt
and the words say what happened and what to do next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from workflows.context import Ctx
from workflows.kiosk_model import SETTLED, DoorStep, Kiosk, KioskData, KioskDoor, State
from workflows.kiosk_words import summary
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, Light, Move, Note, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, advance, finish


def go_on(
    session: Kiosk, data: KioskData, ctx: Ctx, feedback: Feedback, effects: Iterable[Effect] = ()
) -> Outcome:
    """The session with its news: OPENING while a door is commanded, else TAKING; ended when all is settled."""
    data = replace(data, since=ctx.now.isoformat())
    if all(d.step in SETTLED for d in data.doors):
        return end(session, data, feedback, effects)
    state = State.OPENING if any(d.step is DoorStep.COMMANDED for d in data.doors) else State.TAKING
    lights = {d.cell: Light.TAKE for d in data.doors if d.step is DoorStep.LIT}
    moved = advance(session, state, data, lights=lights, claims=(f"order:{data.order}",))
    return Outcome(moved, feedback, tuple(effects))


def end(
    session: Kiosk,
    data: KioskData,
    lead: Feedback | None,
    effects: Iterable[Effect] = (),
    *,
    timed_out: bool = False,
) -> Outcome:
    """Every door and cell settled: the issue is recorded, its receipt printed if anything was taken."""
    msg, details = summary(data)
    remaining = [b for b in data.parcels if b not in data.taken]
    record: dict[str, Any] = {
        "order": data.order,
        "taken": list(data.taken),
        "refused": [],
        "remaining": remaining,
        "cod_kopecks": 0,
        "payment": None,
        "proof": data.proof or None,
        "self_service": True,
    }
    done: list[Effect] = [*effects]
    prints: tuple[PrintRequest, ...] = ()
    if data.taken:
        done.append(Note("issue_completed", record))
        prints = (PrintRequest("receipt", record),)
    else:
        done.append(Note("kiosk_nothing_taken", {"order": data.order, "remaining": remaining}))
    warned = lead is not None and lead.level in (Level.WARN, Level.ERROR)
    lines = (lead.msg, *details) if lead is not None and warned else details
    clean = bool(data.taken) and not remaining and not warned
    if timed_out:
        fb = Feedback(Level.WARN, Msg("ksk_timed_out"), (msg, *lines))
    else:
        fb = Feedback(Level.OK if clean else Level.WARN, msg, lines)
    return finish(session, State.ENDED, fb, done, prints)


def issued(data: KioskData, barcodes: Iterable[str], q: Queries) -> tuple[KioskData, list[Effect]]:
    """These parcels handed over now (each once), with the proof that released the order.

    A parcel that stopped being stored meanwhile (its order cancelled, its last day passed) went
    with the customer all the same: it is not moved, the fleet hears, and a person settles it.
    """
    new = [b for b in dict.fromkeys(barcodes) if b not in data.taken]
    effects: list[Effect] = []
    for barcode in new:
        parcel = q.parcel(barcode)
        if parcel is not None and parcel.state is ParcelState.STORED:
            proof = {"order": data.order, "proof": data.proof}
            effects.append(Move(barcode, ParcelState.ISSUED, "issued", data=proof))
        else:
            state = "gone" if parcel is None else parcel.state.value
            alert = {"alert": "kiosk_taken_not_stored", "order": data.order, "state": state}
            effects.append(Note("alert", alert, parcel=barcode))
    return replace(data, taken=(*data.taken, *new)), effects


def with_door(data: KioskData, index: int, door: KioskDoor) -> KioskData:
    doors = list(data.doors)
    doors[index] = door
    return replace(data, doors=tuple(doors), reopened=data.reopened or door.reopened)


def door_note(data: KioskData, door: KioskDoor, kind: str, **extra: str | int) -> Note:
    """A journal note about one door or cell of the order (the cell and door named in its data)."""
    body: dict[str, Any] = {"order": data.order, "cell": door.cell, "door": door.door, **extra}
    return Note(kind, body)
