"""The issue in words: the order as the clerk first sees it, why a parcel cannot go, what comes next."""

from __future__ import annotations

import math

from workflows.context import Ctx
from workflows.issue_model import CARD, Issue, IssueData, State, due, left_to_take
from workflows.messages import Msg, Param, return_reason_name
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.views import OrderView, ParcelView

_TAIL = 4  # digits of an order number a choice list shows: enough to tell a handful apart


def why_not(parcel: ParcelView) -> Msg:
    """Why this parcel cannot be handed over now, and what to do about it where anything can be done."""
    key = {
        ParcelState.EXPECTED: "iss_why_expected",
        ParcelState.ACCEPTED: "iss_why_accepted",
        ParcelState.STORED: "iss_why_stored",
        ParcelState.ISSUED: "iss_why_issued",
        ParcelState.MISSING: "iss_why_missing",
        ParcelState.TO_RETURN: "iss_why_to_return",
        ParcelState.RETURNING: "iss_why_returning",
        ParcelState.RETURNED: "iss_why_returned",
        ParcelState.OUTBOUND: "iss_why_outbound",
        ParcelState.DISPATCHING: "iss_why_outbound",
        ParcelState.DISPATCHED: "iss_why_dispatched",
    }[parcel.state]
    if parcel.state is ParcelState.TO_RETURN:
        return Msg(key, {"reason": return_reason_name(parcel.return_reason)})
    return Msg(key)


def not_ready(parcels: list[ParcelView]) -> list[ParcelView]:
    """The order's parcels the customer is still waiting for that are not in a cell to hand over."""
    return [p for p in parcels if p.state not in (ParcelState.STORED, ParcelState.ISSUED)]


def found(order: OrderView, parcels: list[ParcelView], *, shown: bool) -> tuple[Msg, tuple[Msg, ...]]:
    """The order as the clerk first sees it: what is ready in which cells, what is not and why.

    `shown`: found by its number alone, so nothing is released yet.
    """
    ready = [p for p in parcels if p.state is ParcelState.STORED]
    waiting = not_ready(parcels)
    cells = sorted({str(p.cell) for p in ready})
    params: dict[str, Param] = {
        "order": order.id,
        "customer": order.customer,
        "count": len(ready),
        "cell_count": len(cells),
        "cells": ", ".join(cells),
    }
    if shown or waiting:
        params["total"] = len(ready) + len(waiting)
    key = "iss_shown" if shown else "iss_found_part" if waiting else "iss_found"
    details: list[Msg] = []
    amount = sum(p.cod_kopecks for p in ready)
    if amount:
        details.append(Msg("iss_amount_due", {"amount": amount}))
    if any(p.age_restricted for p in ready):
        details.append(Msg("iss_age_check"))
    details += [Msg("iss_damaged", {"parcel": p.barcode}) for p in ready if p.damaged]
    details += [Msg("iss_not_ready", {"parcel": p.barcode, "why": why_not(p)}) for p in waiting]
    return Msg(key, params), tuple(details)


def tails(order_ids: tuple[str, ...]) -> dict[str, str]:
    """The shortest ending (at least 4 characters) that tells each order of a choice apart."""
    width = _TAIL
    longest = max((len(i) for i in order_ids), default=0)
    while width < longest and len({i[-width:] for i in order_ids}) < len(order_ids):
        width += 1
    return {i: i[-width:] for i in order_ids}


def duration(seconds: int) -> Msg:
    """A wait as a person reads it: seconds under a minute, else whole minutes rounded up."""
    if seconds < 60:
        return Msg("iss_seconds", {"count": seconds})
    return Msg("iss_minutes", {"count": math.ceil(seconds / 60)})


def need_proof(ctx: Ctx | None) -> Msg:
    """What releases an order shown by its number, as the point's policy says (without the
    policy at hand: its code or QR, which every policy takes)."""
    by_id = ctx is not None and ctx.policy.release_by_number == "id_check"
    return Msg("iss_need_code_or_id" if by_id else "iss_need_code")


def paid_how(payment: str | None) -> Msg:
    """How cash on delivery was paid, in words; one paid before card payments existed was cash."""
    by_card = payment == CARD
    return Msg("iss_by_card" if by_card else "iss_in_cash")


def prompt(session: Issue, q: Queries, ctx: Ctx | None = None) -> Msg:
    """What the station waits for now, as the next step a refusal names."""
    data = session.data
    match session.state:
        case State.PROOF:
            return need_proof(ctx)
        case State.CHOOSE:
            return Msg("iss_prompt_choose")
        case State.REFUSE_NEXT:
            return Msg("iss_refuse_next")
        case State.COLLECTING:
            left = left_to_take(data)
            amount = due(data, q)
            if left > 0:
                return Msg("iss_prompt_take", {"count": left})
            if data.taken and amount > data.paid_kopecks:
                return Msg("iss_prompt_pay", {"amount": amount})
            return Msg("iss_prompt_done")
    return Msg("iss_find")


def describe(session: Issue, q: Queries) -> Msg:
    """The open issue in words, as a restart that resumes it shows: the order, what is already
    taken, and what the clerk does next."""
    data = session.data
    match session.state:
        case State.PROOF:
            return Msg("iss_resume_proof", {"order": data.order})
        case State.CHOOSE:
            return Msg("iss_resume_choose", {"count": len(data.choices)})
        case State.COLLECTING | State.REFUSE_NEXT if data.taken:
            taken: dict[str, Param] = {"taken": len(data.taken), "parcels": ", ".join(data.taken)}
            return Msg(
                "iss_resume_taken",
                {**_order(data), **taken, "count": len(data.parcels), "next": prompt(session, q)},
            )
        case State.COLLECTING | State.REFUSE_NEXT:
            return Msg(
                "iss_resume_none", {**_order(data), "count": len(data.parcels), "next": prompt(session, q)}
            )
    return Msg("iss_find")


def _order(data: IssueData) -> dict[str, Param]:
    return {"order": data.order, "customer": data.customer}
