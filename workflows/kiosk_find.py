"""The idle kiosk: a customer's QR token or pickup code finds the order; nothing else does.

A QR token cannot be guessed and is not counted. A pickup code (alone or as `order*code`) is a
guess: wrong ones are counted per kiosk and lock the keypad for longer each time
(workflows/code_limit.py). An order number alone never shows anything at a kiosk: nobody checks
who is standing there.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.code_limit import KioskCount, kiosk_count, kiosk_tries_left, kiosk_wrong, pause_left
from workflows.context import Ctx
from workflows.identify import issue_code, pickup_code, qr_token
from workflows.issue_model import PROOF_CODE, PROOF_QR
from workflows.issue_words import duration
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, KioskCodes, Level, Note
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, refuse
from workflows.views import OrderView


@dataclass(frozen=True, slots=True)
class Found:
    """An order its proof released, and what the right code does to the kiosk's count."""

    order: OrderView
    proof: str
    effects: tuple[Effect, ...] = ()


def find(text: str, q: Queries, ctx: Ctx) -> Found | Outcome:
    """What a code typed or scanned at an idle kiosk finds: an order with its proof, or a refusal."""
    token = qr_token(text)
    if token is not None:
        order = q.order_by_qr_token(token)
        if order is None:
            return refuse(None, "ksk_qr_unknown")
        return Found(order, PROOF_QR, _right(q, ctx))
    dictated = issue_code(text)
    if dictated is None and pickup_code(text) is None:
        key = "ksk_number_not_enough" if q.order(text) is not None else "ksk_unknown_code"
        return refuse(None, key)
    left = pause_left(q.wrong_codes(ctx.station), ctx.now)
    if left:
        msg = Msg("ksk_locked", {"wait": duration(left)})
        return Outcome(None, Feedback(Level.ERROR, msg, (Msg("ksk_qr_still_works"),)))
    if dictated is not None:
        order = q.order(dictated.order)
        if order is not None and q.pickup_code_matches(order.id, dictated.code):
            return Found(order, PROOF_CODE, _right(q, ctx))
        return wrong(q, ctx, order=dictated.order)
    fits = q.orders_by_pickup_code(text)
    # A right code of an order already collected is still right (not a guess): it finds nothing to open.
    orders = [o for o in fits if _waiting(o, q)] or fits
    if not orders:
        return wrong(q, ctx, number=q.order(text) is not None)
    if len(orders) > 1:
        # Two customers with one code: the kiosk cannot ask whose, and shows nobody's order.
        return Outcome(None, Feedback(Level.ERROR, Msg("ksk_ambiguous")), _right(q, ctx))
    return Found(orders[0], PROOF_CODE, _right(q, ctx))


def count(q: Queries, ctx: Ctx) -> KioskCount:
    return kiosk_count(q.wrong_codes(ctx.station), ctx.now, ctx.policy.kiosk)


def wrong(q: Queries, ctx: Ctx, *, order: str | None = None, number: bool = False) -> Outcome:
    """A code that opens nothing: counted for this kiosk; a full run locks the keypad, and the fleet hears."""
    rules = ctx.policy.kiosk
    now, lock = kiosk_wrong(count(q, ctx), rules)
    event: dict[str, str | int] = {"failures": now.failures, "locks": now.locks}
    if order is not None:
        event["order"] = order  # the order a dictated order*code named: who is being tried
    effects: list[Effect] = [KioskCodes(now.failures, now.locks, True, lock), Note("wrong_code", event)]
    if lock:
        effects.append(Note("alert", {"alert": "wrong_codes", "locks": now.locks, "lock_s": lock}))
        msg = Msg("ksk_locked_now", {"wait": duration(lock)})
        details = (Msg("ksk_qr_still_works"),)
    else:
        msg = Msg("ksk_number_not_enough" if number else "ksk_wrong_code")
        details = (Msg("ksk_tries_left", {"count": kiosk_tries_left(now, rules)}),)
    return Outcome(None, Feedback(Level.ERROR, msg, details), tuple(effects))


def _right(q: Queries, ctx: Ctx) -> tuple[Effect, ...]:
    """A right code or QR ends the run of wrong codes; the lock level stays (see code_limit)."""
    seen = count(q, ctx)
    if seen.failures == 0:
        return ()
    return (KioskCodes(0, seen.locks, wrong=False),)


def _waiting(order: OrderView, q: Queries) -> bool:
    """An order the customer may still come for: a parcel not yet handed over or sent back."""
    done = (ParcelState.ISSUED, ParcelState.RETURNED)
    return any(p.state not in done for p in q.parcels_of_order(order.id))
