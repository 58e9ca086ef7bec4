"""The end of an outbound hand-over: the courier's code checked against their list, then the act.

Kept apart from the bagging (workflows/return_to_sender.py) because it is the part central
takes part in: the courier's list comes from central, and each parcel's leaving goes back to it.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

from workflows.messages import Msg
from workflows.outcome import BagTo, CourierCollected, Effect, Feedback, Level, Move, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, advance, finish, refuse
from workflows.views import CourierView

St = TypeVar("St", bound=enum.Enum)

# Where a bagged parcel goes when the courier takes it, and the journal event that says so.
LEAVES = {
    ParcelState.RETURNING: (ParcelState.RETURNED, "returned"),
    ParcelState.DISPATCHING: (ParcelState.DISPATCHED, "dispatched"),
}
# The two copies of the act: one stays at the point, one goes with the courier.
COPIES = ("point", "courier")
# How many barcodes a mismatch line names before it says "and N more".
SHOWN = 10


def mismatch(
    courier: CourierView, picked: tuple[str, ...], bags: tuple[str, ...], q: Queries
) -> tuple[list[str], list[str]]:
    """(expected but not bagged, bagged but not expected): parcels by barcode, bags by theirs.

    A parcel counts as expected when the list names it or the bag it is in.
    """
    missing = [p for p in courier.parcels if p not in picked]
    missing += [b for b in courier.bags if b not in bags]
    extra = []
    for barcode in picked:
        parcel = q.parcel(barcode)
        if barcode not in courier.parcels and (parcel is None or parcel.bag not in courier.bags):
            extra.append(barcode)
    return missing, extra


def _listed(codes: list[str]) -> str:
    head = ", ".join(codes[:SHOWN])
    return head if len(codes) <= SHOWN else f"{head} (+{len(codes) - SHOWN})"


def courier_check(session: Session[St, Any], code: str, q: Queries, *, confirm: St, ended: St) -> Outcome:
    """A courier's code: refused unless expected; their list agreeing hands over, else shown first."""
    courier = q.courier(code)
    if courier is None:
        return refuse(session, "out_courier_unknown")
    data = session.data
    missing, extra = mismatch(courier, data.picked, data.bags, q)
    if not missing and not extra:
        return hand_over(session, ended, courier, q)
    details: list[Msg] = []
    if missing:
        details.append(Msg("out_not_bagged", {"count": len(missing), "codes": _listed(missing)}))
    if extra:
        details.append(Msg("out_not_expected", {"count": len(extra), "codes": _listed(extra)}))
    nxt = advance(session, confirm, type(data)(None, data.picked, data.bags, code))
    msg = Msg("out_list_differs", {"name": courier.name, "company": courier.company})
    return Outcome(nxt, Feedback(Level.WARN, msg, tuple(details)))


def hand_over(session: Session[St, Any], ended: St, courier: CourierView | None, q: Queries) -> Outcome:
    """Every bagged parcel leaves with a journal event, the bags are handed over, two acts print."""
    data = session.data
    effects: list[Effect] = []
    by_bag: dict[str, list[str]] = {b: [] for b in data.bags}
    for barcode in data.picked:
        parcel = q.parcel(barcode)
        if parcel is None or parcel.state not in LEAVES or parcel.bag is None:
            continue  # taken out of its bag since, by another station
        to, kind = LEAVES[parcel.state]
        effects.append(Move(barcode, to, kind, data={"bag": parcel.bag}))
        by_bag.setdefault(parcel.bag, []).append(barcode)
    if not effects:
        return refuse(session, "rts_empty_bag")
    filled = {b: ps for b, ps in by_bag.items() if ps}
    effects += [BagTo(b, "handed_over") for b in filled]
    who: dict[str, str] | None = None
    if courier is not None:
        effects.append(CourierCollected(courier.code, tuple(filled), sum(len(ps) for ps in filled.values())))
        who = {"code": courier.code, "name": courier.name, "company": courier.company}
    count = sum(len(ps) for ps in filled.values())
    fb = Feedback(Level.OK, Msg("out_handed_over", {"bags": len(filled), "count": count}))
    acts = tuple(
        PrintRequest("handover_act", {"bags": filled, "courier": who, "copy_for": c}) for c in COPIES
    )
    return finish(session, ended, fb, effects, acts)
