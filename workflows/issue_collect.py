"""Issue, collecting: take each parcel from its lit cell, refusals, the ID check, payment, DONE."""

from __future__ import annotations

from dataclasses import replace

from workflows.context import Ctx
from workflows.inputs import Cmd, Code, Command, Input
from workflows.issue_model import (
    CARD,
    CASH,
    REFUSED_REASON,
    Issue,
    State,
    collecting,
    due,
    left_to_take,
    parcels_of,
)
from workflows.issue_words import paid_how, prompt, why_not
from workflows.messages import Msg, Param
from workflows.outcome import Effect, Feedback, Level, Move, Note, PrintRequest
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, advance, finish, refuse, warn
from workflows.views import ParcelView

S = State
PAYMENT = {Command.PAID_CASH: CASH, Command.PAID_CARD: CARD}


def step(session: Issue, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    """COLLECTING and REFUSE_NEXT: the order is released and its cells are lit."""
    state = session.state
    data = session.data
    match inp:
        case Cmd(Command.CANCEL) if state is S.REFUSE_NEXT:
            return Outcome(collecting(session, data, q), Feedback(Level.INFO, Msg("iss_refuse_off")))
        case Cmd(Command.CANCEL):
            key = "iss_cancelled_put_back" if data.taken else "iss_cancelled"
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg(key, {"order": data.order})))
        case Cmd(Command.REFUSE_ITEM) if state is S.COLLECTING:
            return Outcome(advance(session, S.REFUSE_NEXT), Feedback(Level.INFO, Msg("iss_refuse_next")))
        case Cmd(Command.ID_CHECKED) if state is S.COLLECTING:
            if not any(p.age_restricted for p in parcels_of(data.parcels, q)):
                return warn(session, "iss_id_not_needed", next=prompt(session, q, ctx))
            return Outcome(
                collecting(session, replace(data, id_checked=True), q),
                Feedback(Level.OK, Msg("iss_id_checked")),
            )
        case Cmd(Command.PAID_CASH | Command.PAID_CARD as command) if state is S.COLLECTING:
            return _pay(session, PAYMENT[command], q, ctx)
        case Cmd(Command.DONE) if state is S.COLLECTING:
            return _complete(session, q)
        case Cmd(command):
            params = {"command": Msg(f"cmd_{command.name}"), "next": prompt(session, q, ctx)}
            return refuse(session, "iss_command_not_now", **params)
        case Code() as code:
            return _scan(session, code, q)
    raise AssertionError(f"unhandled input {inp!r}")


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
        return refuse(session, "iss_cell_not_now")
    parcel = q.parcel(code.text)
    if parcel is None:
        return refuse(session, "iss_unknown_parcel", code=code.text)
    if parcel.order_id != data.order:
        return refuse(
            session,
            "iss_other_order",
            parcel=parcel.barcode,
            order=str(parcel.order_id),
            expected=data.order,
        )
    if parcel.barcode not in data.parcels:
        return refuse(session, "iss_parcel_not_ready", parcel=parcel.barcode, why=why_not(parcel))
    if session.state is S.REFUSE_NEXT:
        return _refuse_item(session, parcel, q)
    if parcel.barcode in data.taken:
        return warn(session, "iss_already_taken", parcel=parcel.barcode)
    if parcel.barcode in data.refused:
        return refuse(session, "iss_was_refused", parcel=parcel.barcode)
    if parcel.age_restricted and not data.id_checked:
        return refuse(session, "iss_id_check_required", parcel=parcel.barcode)
    new = replace(data, taken=(*data.taken, parcel.barcode))
    left = left_to_take(new)
    amount = due(new, q)
    if left > 0:
        msg = Msg("iss_taken", {"parcel": parcel.barcode, "left": left})
    elif amount > new.paid_kopecks:
        # Payment is asked for before DONE, so following the prompt never meets a refusal.
        msg = Msg("iss_taken_all_pay", {"parcel": parcel.barcode, "amount": amount})
    else:
        msg = Msg("iss_taken_all", {"parcel": parcel.barcode})
    if parcel.damaged:
        flag = Msg("iss_damaged_take", {"parcel": parcel.barcode})
        return Outcome(collecting(session, new, q), Feedback(Level.WARN, msg, (flag,)))
    return Outcome(collecting(session, new, q), Feedback(Level.OK, msg))


def _refuse_item(session: Issue, parcel: ParcelView, q: Queries) -> Outcome:
    """REFUSE then a parcel: refused (taken back if it was taken); the amount due is recomputed."""
    data = session.data
    if parcel.barcode in data.refused:
        return warn(session, "iss_already_refused", parcel=parcel.barcode)
    taken = tuple(b for b in data.taken if b != parcel.barcode)
    new = replace(data, taken=taken, refused=(*data.refused, parcel.barcode), paid_kopecks=0, payment="")
    fb = Feedback(Level.WARN, Msg("iss_refused", {"parcel": parcel.barcode, "amount": due(new, q)}))
    return Outcome(collecting(session, new, q), fb)


def _pay(session: Issue, method: str, q: Queries, ctx: Ctx) -> Outcome:
    """Cash on delivery taken, in cash or by card: the whole amount still due."""
    data = session.data
    amount = due(data, q)
    if amount == 0:
        return warn(session, "iss_nothing_to_pay", next=prompt(session, q, ctx))
    new = replace(data, paid_kopecks=amount, payment=method)
    left = left_to_take(new)
    if left > 0:
        msg = Msg("iss_paid", {"amount": amount, "method": paid_how(method), "left": left})
    else:
        msg = Msg("iss_paid_done", {"amount": amount, "method": paid_how(method)})
    return Outcome(collecting(session, new, q), Feedback(Level.OK, msg))


def _complete(session: Issue, q: Queries) -> Outcome:
    data = session.data
    if (stop := _cancelled(session, q)) is not None:
        return stop
    taken = list(data.taken)
    refused = list(data.refused)
    if not taken and not refused:
        return refuse(session, "iss_nothing_taken")
    cod = sum(p.cod_kopecks for p in parcels_of(taken, q))
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
        "payment": (data.payment or CASH) if cod else None,
        "proof": data.proof or None,
    }
    effects.append(Note("issue_completed", summary))
    details: list[Msg] = []
    if refused:
        details.append(Msg("iss_done_refused", {"count": len(refused)}))
    if remaining:
        details.append(Msg("iss_remaining", {"count": len(remaining)}))
    # Paid for the whole order, then a parcel stayed (not brought, or left in its cell): the
    # difference goes back to the customer, said first, before the receipt is handed over.
    change = data.paid_kopecks - cod if data.payment else 0
    if change > 0:
        details.insert(0, Msg("iss_change_due", {"amount": change}))
        summary["change_kopecks"] = change
    if cod:
        paid: dict[str, Param] = {"order": order, "count": len(taken), "amount": cod}
        msg = Msg("iss_done_paid", {**paid, "method": paid_how(data.payment)})
    elif not taken:
        msg = Msg("iss_done_none", {"order": order})
    else:
        msg = Msg("iss_done", {"order": order, "count": len(taken)})
    fb = Feedback(Level.WARN if change > 0 else Level.OK, msg, tuple(details))
    return finish(session, S.ENDED, fb, effects, (PrintRequest("receipt", summary),))
