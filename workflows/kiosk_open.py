"""The kiosk opens a found order: refusals in words, or its doors commanded and its shelf cells lit.

Only a prepaid order with nothing to check goes out with no clerk: cash on delivery, an 18+
item or a damaged parcel sends the whole order to the counter, and so does a door that also
holds someone else's parcel (opening it would hand that parcel to this customer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from workflows.context import Ctx
from workflows.issue_words import masked
from workflows.kiosk_find import Found
from workflows.kiosk_model import DoorStep, KioskData, KioskDoor
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, Note, OpenDoor
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, refuse
from workflows.views import ParcelView

# Why an order goes to the counter, as the journal records it, and the words the customer reads.
COD, AGE, DAMAGED, SHARED = "cash_on_delivery", "age_restricted", "damaged", "shared_door"


@dataclass(frozen=True, slots=True)
class Plan:
    """A released order as the kiosk's new session: its doors and cells, what to record, the words."""

    data: KioskData
    effects: tuple[Effect, ...]
    feedback: Feedback


def plan(found: Found, q: Queries, ctx: Ctx) -> Plan | Outcome:
    """The found order's doors and cells, or why it cannot be collected here."""
    order = found.order
    if order.cancelled:
        return _refused(refuse(None, "ksk_order_cancelled"), found)
    holder = q.claimed_by(f"order:{order.id}")
    if holder is not None and holder != ctx.station:
        return _refused(refuse(None, "ksk_order_busy"), found)
    stored = [p for p in q.parcels_of_order(order.id) if p.state is ParcelState.STORED and p.cell]
    if not stored:
        return _refused(refuse(None, "ksk_nothing_here"), found)
    reasons, lines = _for_the_counter(order.id, stored, q, ctx)
    if reasons:
        note = Note("kiosk_to_counter", {"order": order.id, "proof": found.proof, "reasons": reasons})
        fb = Feedback(Level.ERROR, Msg("ksk_to_counter"), tuple(lines))
        return Outcome(None, fb, (*found.effects, note))
    return _opened(found, stored, q, ctx)


def _refused(outcome: Outcome, found: Found) -> Outcome:
    """A refusal after a right code: the code still ends the run of wrong ones."""
    return Outcome(None, outcome.feedback, found.effects)


def _for_the_counter(
    order: str, stored: list[ParcelView], q: Queries, ctx: Ctx
) -> tuple[list[str], list[Msg]]:
    reasons: list[str] = []
    lines: list[Msg] = []
    amount = sum(p.cod_kopecks for p in stored)
    if amount:
        reasons.append(COD)
        lines.append(Msg("ksk_why_cod", {"amount": amount}))
    if any(p.age_restricted for p in stored):
        reasons.append(AGE)
        lines.append(Msg("ksk_why_age"))
    if any(p.damaged for p in stored):
        reasons.append(DAMAGED)
        lines.append(Msg("ksk_why_damaged"))
    for address in sorted({str(p.cell) for p in stored}):
        cell = q.cell_by_address(address)
        if cell is None or cell.zone != ctx.policy.kiosk.doors_zone:
            continue
        if any(p.order_id != order for p in q.parcels_in_cell(address)):
            reasons.append(SHARED)
            lines.append(Msg("ksk_why_shared"))
            break
    return reasons, lines


def _opened(found: Found, stored: list[ParcelView], q: Queries, ctx: Ctx) -> Plan:
    order = found.order
    rules = ctx.policy.kiosk
    expires = ctx.now + timedelta(seconds=rules.door_expiry_s)
    doors: list[KioskDoor] = []
    effects: list[Effect] = list(found.effects)
    lines: list[Msg] = []
    for address in sorted({str(p.cell) for p in stored}):
        parcels = tuple(p.barcode for p in stored if p.cell == address)
        cell = q.cell_by_address(address)
        label = address if cell is None else cell.label
        if cell is not None and cell.zone == rules.doors_zone:
            doors.append(KioskDoor(address, label, cell.channel, DoorStep.COMMANDED, parcels))
            effects.append(OpenDoor(address, cell.channel, order.id, "issue", expires))
            lines.append(Msg("ksk_door_opening", {"door": label}))
        else:
            doors.append(KioskDoor(address, label, None, DoorStep.LIT, parcels))
            lines.append(Msg("ksk_take_shelf", {"count": len(parcels), "cell": label}))
    barcodes = tuple(p.barcode for p in stored)
    data = KioskData(
        order.id, masked(order.customer), barcodes, tuple(doors), proof=found.proof, since=ctx.now.isoformat()
    )
    opened: dict[str, Any] = {
        "order": order.id,
        "proof": found.proof,
        "doors": [d.door for d in doors if d.door is not None],
        "cells": [d.cell for d in doors if d.door is None],
    }
    effects.insert(len(found.effects), Note("kiosk_released", opened))
    msg = Msg("ksk_found", {"customer": data.customer, "count": len(barcodes)})
    return Plan(data, tuple(effects), Feedback(Level.OK, msg, tuple(lines)))
