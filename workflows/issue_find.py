"""Issue, finding the order: nothing is released without proof.

The customer's pickup code (alone or as `order*code`) or QR token releases the order. Its
number alone only shows it (PROOF); where the point allows it, an ID check the clerk confirms
with ID CHECKED releases it then. A code that fits several orders never picks one (CHOOSE).
Wrong codes are counted per station, with pauses that grow (workflows/code_limit.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from workflows.code_limit import pause_after, pause_left, tries_left
from workflows.context import Ctx
from workflows.customer import masked_name
from workflows.identify import issue_code, pickup_code, qr_token
from workflows.inputs import Cmd, Code, Command, Input
from workflows.issue_model import (
    PROOF_CODE,
    PROOF_ID_CHECK,
    PROOF_QR,
    Issue,
    IssueData,
    State,
    collecting,
)
from workflows.issue_words import duration, found, need_proof, prompt, tails, why_not
from workflows.messages import Msg
from workflows.outcome import CountCodes, Effect, Feedback, Level, Note
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, advance, finish, refuse
from workflows.views import OrderView, ParcelView

S = State
ID_CHECK_REASON = "no_pickup_code"  # why an order went by an ID check, as the journal records it


def takes(text: str, q: Queries) -> bool:
    """Whether an idle station hands this code to issue: a QR, order*code, an order number, a code."""
    found_by_shape = qr_token(text) is not None or issue_code(text) is not None
    return found_by_shape or pickup_code(text) is not None or q.order(text) is not None


def step(session: Issue, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    """FIND, PROOF and CHOOSE: the order is not released yet."""
    state = session.state
    match inp:
        case Cmd(Command.CANCEL | Command.DONE):
            return finish(session, S.ENDED, Feedback(Level.INFO, Msg("iss_ended")))
        case Cmd(Command.ID_CHECKED) if state is S.PROOF:
            return _id_checked(session, q, ctx)
        case Cmd(command):
            params = {"command": Msg(f"cmd_{command.name}"), "next": prompt(session, q, ctx)}
            return refuse(session, "iss_command_not_now", **params)
        case Code() as code if state is S.PROOF:
            return _in_proof(session, code, q, ctx)
        case Code() as code if state is S.CHOOSE:
            return _in_choice(session, code, q, ctx)
        case Code() as code:
            return find(session, code, q, ctx)
    raise AssertionError(f"unhandled input {inp!r}")


def find(session: Issue, code: Code, q: Queries, ctx: Ctx) -> Outcome:
    """What a code names: a QR token, `order*code`, an order number (shown only), a pickup code."""
    text = code.text
    if q.cell_by_label(text) is not None:
        return refuse(session, "iss_cell_in_find")
    parcel = q.parcel(text)
    if parcel is not None:
        return refuse(session, "iss_parcel_in_find", parcel=parcel.barcode)
    token = qr_token(text)
    if token is not None:
        # A QR token cannot be guessed: it is neither counted nor paused.
        order = q.order_by_qr_token(token)
        if order is None:
            return refuse(session, "iss_qr_unknown")
        return release(session, order, PROOF_QR, q, ctx)
    if (paused := _paused(session, q, ctx)) is not None:
        return paused
    dictated = issue_code(text)
    if dictated is not None:
        order = q.order(dictated.order)
        if order is not None and q.pickup_code_matches(order.id, dictated.code):
            return release(session, order, PROOF_CODE, q, ctx)
        return wrong_code(session, text, q, ctx, order=dictated.order)
    order = q.order(text)
    if order is not None:
        return _show(session, order, q, ctx)
    if pickup_code(text) is not None:
        return _by_code(session, text, q, ctx)
    return refuse(session, "iss_unknown_find", code=text)


def release(
    session: Issue, order: OrderView, proof: str, q: Queries, ctx: Ctx, *, extra: Iterable[Effect] = ()
) -> Outcome:
    """The proof holds: open the order for collecting, unless it cannot be issued now.

    A right code or QR clears the station's run of wrong codes, whatever follows.
    """
    cleared: tuple[Effect, ...] = ()
    if proof != PROOF_ID_CHECK and q.wrong_codes(ctx.station).failures:
        cleared = (CountCodes(0),)
    if (stop := _cannot(session, order, q, ctx)) is not None:
        return Outcome(stop.session, stop.feedback, cleared)
    parcels = q.parcels_of_order(order.id)
    stored = tuple(p.barcode for p in parcels if p.state is ParcelState.STORED)
    if not stored:
        return Outcome(session, _nothing(order, parcels), cleared)
    data = IssueData(order.id, order.customer, stored, proof=proof, id_checked=proof == PROOF_ID_CHECK)
    msg, details = found(order, parcels, shown=False)
    return Outcome(collecting(session, data, q), Feedback(Level.OK, msg, details), (*cleared, *extra))


def wrong_code(session: Issue, text: str, q: Queries, ctx: Ctx, *, order: str | None = None) -> Outcome:
    """A code that opens nothing: counted for the station; enough in a row pause it, and the fleet hears."""
    failures = q.wrong_codes(ctx.station).failures + 1
    pause = pause_after(failures, ctx.policy)
    event: dict[str, str | int] = {"failures": failures}
    if order is not None:
        event["order"] = order  # the order a dictated order*code named: who is being tried
    effects: list[Effect] = [CountCodes(failures, pause), Note("wrong_code", event)]
    if pause:
        alert = {"alert": "wrong_codes", "failures": failures, "pause_s": pause}
        effects.append(Note("alert", alert))
        msg = Msg("iss_codes_paused", {"code": text, "wait": duration(pause)})
        details = (Msg("iss_qr_still_works"),)
    else:
        msg = Msg("iss_wrong_code", {"code": text})
        details = (Msg("iss_tries_left", {"count": tries_left(failures, ctx.policy)}),)
    return Outcome(session, Feedback(Level.ERROR, msg, details), tuple(effects))


def _paused(session: Issue, q: Queries, ctx: Ctx) -> Outcome | None:
    """While the station's pause lasts, every code is refused unchecked, with the time left."""
    left = pause_left(q.wrong_codes(ctx.station), ctx.now)
    if left == 0:
        return None
    msg = Msg("iss_codes_locked", {"wait": duration(left)})
    return Outcome(session, Feedback(Level.ERROR, msg, (Msg("iss_qr_still_works"),)))


def _cannot(session: Issue, order: OrderView, q: Queries, ctx: Ctx) -> Outcome | None:
    """A found order that nobody may issue here now: cancelled, or another station has it open."""
    if order.cancelled:
        return refuse(session, "iss_order_cancelled", order=order.id)
    holder = q.claimed_by(f"order:{order.id}")
    if holder is not None and holder != ctx.station:
        return refuse(session, "iss_claimed", order=order.id, station=holder)
    return None


def _nothing(order: OrderView, parcels: list[ParcelView]) -> Feedback:
    """Nothing of the order is in a cell: each parcel says why."""
    lines = tuple(Msg("iss_not_ready", {"parcel": p.barcode, "why": why_not(p)}) for p in parcels)
    return Feedback(Level.ERROR, Msg("iss_nothing_to_issue", {"order": order.id}), lines)


def _show(session: Issue, order: OrderView, q: Queries, ctx: Ctx) -> Outcome:
    """Its number alone shows the order (what is ready, where, what is due) and releases nothing."""
    if (stop := _cannot(session, order, q, ctx)) is not None:
        return stop
    parcels = q.parcels_of_order(order.id)
    stored = tuple(p.barcode for p in parcels if p.state is ParcelState.STORED)
    if not stored:
        return Outcome(session, _nothing(order, parcels))
    msg, details = found(order, parcels, shown=True)
    shown = advance(session, S.PROOF, IssueData(order.id, order.customer, stored), lights={}, claims=())
    return Outcome(shown, Feedback(Level.INFO, msg, (*details, need_proof(ctx))))


def _in_proof(session: Issue, code: Code, q: Queries, ctx: Ctx) -> Outcome:
    """An order shown by its number: a code alone is checked against that order only."""
    text = code.text
    if pickup_code(text) is None or q.order(text) is not None:
        return find(session, code, q, ctx)
    if (paused := _paused(session, q, ctx)) is not None:
        return paused
    order = q.order(session.data.order)
    if order is not None and q.pickup_code_matches(order.id, text):
        return release(session, order, PROOF_CODE, q, ctx)
    return wrong_code(session, text, q, ctx, order=session.data.order)


def _id_checked(session: Issue, q: Queries, ctx: Ctx) -> Outcome:
    """Where the point allows it, the clerk's ID check releases an order shown by its number."""
    if ctx.policy.release_by_number != "id_check":
        return refuse(session, "iss_id_no_release")
    order = q.order(session.data.order)
    if order is None:
        return refuse(session, "iss_id_no_release")
    note = Note("released_by_id_check", {"order": order.id, "reason": ID_CHECK_REASON})
    return release(session, order, PROOF_ID_CHECK, q, ctx, extra=(note,))


def _by_code(session: Issue, code: str, q: Queries, ctx: Ctx) -> Outcome:
    """A pickup code alone: one order opens; several are never guessed between; none is wrong."""
    orders = q.orders_by_pickup_code(code)
    live = [o for o in orders if _waiting(o, q)] or orders
    if not live:
        return wrong_code(session, code, q, ctx)
    if len(live) == 1:
        return release(session, live[0], PROOF_CODE, q, ctx)
    ids = tuple(o.id for o in live)
    ends = tails(ids)
    lines = tuple(Msg("iss_choice", {"customer": masked_name(o.customer), "tail": ends[o.id]}) for o in live)
    cleared: tuple[Effect, ...] = (CountCodes(0),) if q.wrong_codes(ctx.station).failures else ()
    choosing = advance(session, S.CHOOSE, IssueData(choices=ids), lights={}, claims=())
    fb = Feedback(Level.WARN, Msg("iss_choose", {"code": code, "count": len(ids)}), lines)
    return Outcome(choosing, fb, cleared)


def _waiting(order: OrderView, q: Queries) -> bool:
    """An order the customer may still come for: a parcel not yet handed over or sent back."""
    done = (ParcelState.ISSUED, ParcelState.RETURNED)
    return any(p.state not in done for p in q.parcels_of_order(order.id))


def _in_choice(session: Issue, code: Code, q: Queries, ctx: Ctx) -> Outcome:
    """A code that fitted several orders: the order number (or the ending shown) picks one."""
    text = code.text
    choices = session.data.choices
    picked = [c for c in choices if c == text] or [c for c in choices if len(text) >= 4 and c.endswith(text)]
    if len(picked) == 1 and (order := q.order(picked[0])) is not None:
        return release(session, order, PROOF_CODE, q, ctx)
    if q.order(text) is not None or len(picked) > 1:
        return refuse(session, "iss_not_a_choice", code=text)
    return find(session, code, q, ctx)
