"""Which of a step's effects are exceptions that open a ticket, decided in one place.

The workflows say what happened (a surplus, a damaged mark, a refusal, a parcel the count did not
find, a door alert); this table adds the tickets beside those effects, so every workflow's
exceptions reach the one queue in the same transaction without each workflow knowing of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from workflows.context import Ctx
from workflows.messages import Msg
from workflows.outcome import Effect, MarkDamaged, Move, NewSurplus, Note
from workflows.parcel import ParcelState
from workflows.session import Outcome
from workflows.tickets import OpenTicket, TicketKind, ticket

# Journal moves that are an exception of their own kind.
_MOVES = {"refused": TicketKind.REFUSED, "inventory_missing": TicketKind.NOT_FOUND}
# A kiosk's door alert that needs a person (workflows/kiosk_doors.py); a door opened unasked is the
# door controller's own alert and ticket (device/doors/controller.py).
DOOR_ALERTS = frozenset({"door_jammed"})


def with_tickets(outcome: Outcome, ctx: Ctx) -> Outcome:
    """The outcome with a ticket after each effect that is an exception; where a ticket prints a
    label to stick on, the clerk is told so."""
    added = tuple(raised(outcome.effects, ctx))
    if not added:
        return outcome
    feedback = outcome.feedback
    labels = [t for t in added if t.label]
    if labels:
        stick = Msg("tk_stick_label", {"count": len(labels)})
        feedback = replace(feedback, details=(*feedback.details, stick))
    return replace(outcome, effects=(*outcome.effects, *added), feedback=feedback)


def raised(effects: Iterable[Effect], ctx: Ctx) -> Iterable[OpenTicket]:
    for effect in effects:
        found = _ticket(effect, ctx)
        if found is not None:
            yield found


def _ticket(effect: Effect, ctx: Ctx) -> OpenTicket | None:
    match effect:
        case NewSurplus(barcode=barcode, supply_id=supply):
            return ticket(
                ctx, TicketKind.UNKNOWN_BARCODE, parcel=barcode, detail={"supply": supply}, label=True
            )
        case MarkDamaged(parcel=barcode):
            return ticket(ctx, TicketKind.DAMAGED, parcel=barcode)
        case Move(kind=kind) if kind in _MOVES:
            order = effect.data.get("order")
            detail = {"cell": effect.data["cell"]} if "cell" in effect.data else {}
            return ticket(ctx, _MOVES[kind], parcel=effect.parcel, order_id=order, detail=detail)
        case Move(to=ParcelState.MISSING):
            return None  # a supply's missing parcel is the manifest's business, shown on the act
        case Note(kind="alert", data=data) if data.get("alert") in DOOR_ALERTS:
            detail = {"alert": data["alert"], "door": data.get("door")}
            return ticket(
                ctx, TicketKind.DOOR, parcel=effect.parcel, order_id=data.get("order"), detail=detail
            )
    return None
