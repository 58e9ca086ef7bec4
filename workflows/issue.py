"""Issue at the counter: find the order, light its cells, take each parcel, refusals, COD."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from workflows.context import Ctx
from workflows.identify import issue_code, qr_token
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, Light, Move, Note, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, refuse, warn
from workflows.views import OrderView, ParcelView

NAME = "issue"
REFUSED_REASON = "refused_by_customer"


class State(enum.Enum):
    FIND = "find"
    COLLECTING = "collecting"
    REFUSE_NEXT = "refuse_next"
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.FIND: frozenset({S.COLLECTING, S.ENDED}),
        S.COLLECTING: frozenset({S.COLLECTING, S.REFUSE_NEXT, S.ENDED}),
        S.REFUSE_NEXT: frozenset({S.COLLECTING}),
        S.ENDED: frozenset(),
    },
    initial={S.FIND},
)


@dataclass(frozen=True, slots=True)
class IssueData:
    """The order being issued and what happened to its parcels; empty until the order is found."""

    order: str = ""
    customer: str = ""
    parcels: tuple[str, ...] = ()  # its stored parcels when it was found
    taken: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    id_checked: bool = False
    paid_kopecks: int = 0


Issue = Session[State, IssueData]


def start(q: Queries, ctx: Ctx, first: Code | None = None) -> Outcome:
    finding = enter(WORKFLOW, S.FIND, IssueData())
    if first is None:
        return Outcome(finding, Feedback(Level.INFO, Msg("iss_find")))
    return _find(finding, first, q, ctx)


def find_order(code: Code, q: Queries) -> OrderView | None:
    """The order a customer's code names: issue code, QR token, order number or pickup code."""
    ic = issue_code(code.text)
    if ic is not None:
        return q.order(ic.order) if q.pickup_code_matches(ic.order, ic.code) else None
    token = qr_token(code.text)
    if token is not None:
        return q.order_by_qr_token(token)
    order = q.order(code.text)
    if order is not None:
        return order
    return q.order_by_pickup_code(code.text) if code.text.isdigit() else None


def step(session: Issue, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    if state is S.FIND:
        match inp:
            case Cmd(Command.CANCEL | Command.DONE):
                return finish(session, S.ENDED, Feedback(Level.INFO, Msg("iss_ended")))
            case Cmd(command):
                return refuse(session, "command_not_now", command=command.value, state=state.value)
            case Code() as code:
                return _find(session, code, q, ctx)
    data = session.data
    match inp:
        case Cmd(Command.CANCEL) if state is S.REFUSE_NEXT:
            return Outcome(_collecting(session, data, q), Feedback(Level.INFO, Msg("cancelled")))
        case Cmd(Command.CANCEL):
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("iss_cancelled", {"order": data.order})))
        case Cmd(Command.REFUSE_ITEM) if state is S.COLLECTING:
            return Outcome(advance(session, S.REFUSE_NEXT), Feedback(Level.INFO, Msg("iss_refuse_next")))
        case Cmd(Command.ID_CHECKED) if state is S.COLLECTING:
            if not any(_age_restricted(data, q)):
                return warn(session, "iss_id_not_needed")
            return Outcome(
                _collecting(session, replace(data, id_checked=True), q),
                Feedback(Level.OK, Msg("iss_id_checked")),
            )
        case Cmd(Command.PAID) if state is S.COLLECTING:
            due = _due(data, q)
            if due == 0:
                return warn(session, "iss_nothing_to_pay")
            fb = Feedback(Level.OK, Msg("iss_paid", {"amount": due}))
            return Outcome(_collecting(session, replace(data, paid_kopecks=due), q), fb)
        case Cmd(Command.DONE) if state is S.COLLECTING:
            return _complete(session, q)
        case Cmd(command):
            return refuse(session, "command_not_now", command=command.value, state=state.value)
        case Code() as code:
            return _scan(session, code, q)
    raise AssertionError(f"unhandled input {inp!r}")


def _find(session: Issue, code: Code, q: Queries, ctx: Ctx) -> Outcome:
    if q.cell_by_label(code.text) is not None:
        return refuse(session, "cell_label_not_now")
    order = find_order(code, q)
    if order is None:
        return refuse(session, "iss_order_not_found", code=code.text)
    if order.cancelled:
        return refuse(session, "iss_order_cancelled", order=order.id)
    holder = q.claimed_by(f"order:{order.id}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "claimed_elsewhere", code=order.id, station=holder)
    parcels = [p for p in q.parcels_of_order(order.id) if p.state is ParcelState.STORED]
    if not parcels:
        states = sorted({p.state.value for p in q.parcels_of_order(order.id)})
        return refuse(session, "iss_nothing_to_issue", order=order.id, states=", ".join(states) or "-")
    data = IssueData(order.id, order.customer, tuple(p.barcode for p in parcels))
    nxt = _collecting(session, data, q)
    due = _due(data, q)
    cells = sorted({str(p.cell) for p in parcels})
    details = [Msg("iss_amount_due", {"amount": due})] if due else []
    if any(p.age_restricted for p in parcels):
        details.append(Msg("iss_age_check"))
    msg = Msg(
        "iss_found",
        {
            "order": order.id,
            "customer": order.customer,
            "count": len(parcels),
            "cells": ", ".join(cells),
        },
    )
    return Outcome(nxt, Feedback(Level.OK, msg, tuple(details)))


def _collecting(session: Issue, data: IssueData, q: Queries) -> Issue:
    """On to COLLECTING: every cell still holding an untaken, unrefused parcel is lit."""
    done = set(data.taken) | set(data.refused)
    lights = {}
    for barcode in data.parcels:
        parcel = q.parcel(barcode)
        if barcode not in done and parcel is not None and parcel.cell is not None:
            lights[parcel.cell] = Light.TAKE
    return advance(session, S.COLLECTING, data, lights=lights, claims=(f"order:{data.order}",))


def _parcels(barcodes: Iterable[str], q: Queries) -> list[ParcelView]:
    return [p for b in barcodes if (p := q.parcel(b)) is not None]


def _due(data: IssueData, q: Queries) -> int:
    """Cash on delivery still to collect: every parcel of the issue not refused."""
    refused = set(data.refused)
    return sum(p.cod_kopecks for p in _parcels(data.parcels, q) if p.barcode not in refused)


def _age_restricted(data: IssueData, q: Queries) -> list[str]:
    return [p.barcode for p in _parcels(data.parcels, q) if p.age_restricted]


def _cancelled(session: Issue, q: Queries) -> Outcome | None:
    """Central cancelled the order while it was being issued: refuse every further step."""
    order = q.order(session.data.order)
    if order is None or not order.cancelled:
        return None
    return refuse(session, "iss_order_cancelled_now", order=order.id)


def _scan(session: Issue, code: Code, q: Queries) -> Outcome:
    data = session.data
    if (stop := _cancelled(session, q)) is not None:
        return stop
    if q.cell_by_label(code.text) is not None:
        return refuse(session, "cell_label_not_now")
    parcel = q.parcel(code.text)
    if parcel is None:
        return refuse(session, "unknown_code", code=code.text)
    if parcel.order_id != data.order:
        return refuse(
            session,
            "iss_other_order",
            parcel=parcel.barcode,
            order=str(parcel.order_id),
            expected=data.order,
        )
    if parcel.barcode not in data.parcels:
        return refuse(session, "iss_parcel_not_ready", parcel=parcel.barcode, state=parcel.state.value)
    if session.state is S.REFUSE_NEXT:
        return _refuse_item(session, parcel, q)
    if parcel.barcode in data.taken:
        return warn(session, "duplicate_scan", code=parcel.barcode)
    if parcel.barcode in data.refused:
        return refuse(session, "iss_was_refused", parcel=parcel.barcode)
    if parcel.age_restricted and not data.id_checked:
        return refuse(session, "iss_id_check_required", parcel=parcel.barcode)
    new = replace(data, taken=(*data.taken, parcel.barcode))
    left = len(data.parcels) - len(new.taken) - len(data.refused)
    key = "iss_taken_all" if left == 0 else "iss_taken"
    return Outcome(
        _collecting(session, new, q),
        Feedback(Level.OK, Msg(key, {"parcel": parcel.barcode, "left": left})),
    )


def _refuse_item(session: Issue, parcel: ParcelView, q: Queries) -> Outcome:
    """REFUSE then a parcel: refused (taken back if it was taken); the amount due is recomputed."""
    data = session.data
    if parcel.barcode in data.refused:
        return warn(session, "duplicate_scan", code=parcel.barcode)
    taken = tuple(b for b in data.taken if b != parcel.barcode)
    new = replace(data, taken=taken, refused=(*data.refused, parcel.barcode), paid_kopecks=0)
    fb = Feedback(Level.WARN, Msg("iss_refused", {"parcel": parcel.barcode, "amount": _due(new, q)}))
    return Outcome(_collecting(session, new, q), fb)


def _complete(session: Issue, q: Queries) -> Outcome:
    data = session.data
    if (stop := _cancelled(session, q)) is not None:
        return stop
    taken, refused = list(data.taken), list(data.refused)
    if not taken and not refused:
        return refuse(session, "iss_nothing_taken")
    cod = sum(p.cod_kopecks for p in _parcels(taken, q))
    if cod > 0 and data.paid_kopecks < cod:
        return refuse(session, "iss_payment_required", amount=cod)
    order = data.order
    effects: list[Effect] = [Move(b, ParcelState.ISSUED, "issued", data={"order": order}) for b in taken]
    effects += [
        Move(b, ParcelState.TO_RETURN, "refused", data={"order": order}, reason=REFUSED_REASON)
        for b in refused
    ]
    remaining = [b for b in data.parcels if b not in taken and b not in refused]
    summary = {
        "order": order,
        "taken": taken,
        "refused": refused,
        "remaining": remaining,
        "cod_kopecks": cod,
    }
    effects.append(Note("issue_completed", summary))
    details = (Msg("iss_remaining", {"count": len(remaining)}),) if remaining else ()
    msg = Msg("iss_done", {"order": order, "count": len(taken), "refused": len(refused), "amount": cod})
    return finish(
        session, S.ENDED, Feedback(Level.OK, msg, details), effects, (PrintRequest("receipt", summary),)
    )


WORKFLOW: Workflow[State, IssueData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    IssueData,
    command=Command.START_ISSUE,
    start=start,
    step=step,
)
