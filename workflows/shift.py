"""Clerks and shifts: signing in with a badge, switching clerks, closing a shift with its report."""

from __future__ import annotations

from typing import Any

from workflows.context import Ctx
from workflows.messages import Msg
from workflows.outcome import CloseShift, Effect, Feedback, Level, OpenShift, PrintRequest, SignIn, SignOut
from workflows.queries import Queries
from workflows.session import Outcome, Session, refuse
from workflows.views import ClerkView


def sign_in(session: Session[Any, Any] | None, clerk: ClerkView, q: Queries, ctx: Ctx) -> Outcome:
    """A badge at an idle station: this clerk now works here; a shift opens if none is open."""
    if not clerk.active:
        return refuse(session, "badge_inactive", name=clerk.name)
    if ctx.clerk == clerk.badge:
        return Outcome(session, Feedback(Level.INFO, Msg("already_signed_in", {"name": clerk.name})))
    effects: list[Effect] = []
    if ctx.clerk is not None:
        effects.append(SignOut(ctx.clerk))
    effects.append(SignIn(clerk.badge))
    details: tuple[Msg, ...] = ()
    if q.open_shift(clerk.badge) is None:
        effects.append(OpenShift(clerk.badge))
        details = (Msg("shift_opened"),)
    return Outcome(
        session, Feedback(Level.OK, Msg("signed_in", {"name": clerk.name}), details), tuple(effects)
    )


def close_shift(q: Queries, ctx: Ctx) -> Outcome:
    """SHIFTEND: the signed-in clerk's shift closes, its report prints, the station signs out."""
    assert ctx.clerk is not None
    shift = q.open_shift(ctx.clerk)
    effects: list[Effect] = []
    prints: tuple[PrintRequest, ...] = ()
    if shift is not None:
        effects.append(CloseShift(ctx.clerk))
        prints = (PrintRequest("shift_report", {"shift": shift.id}),)
    effects.append(SignOut(ctx.clerk))
    said = Msg("shift_closed") if shift is not None else Msg("signed_out")
    return Outcome(None, Feedback(Level.OK, said), tuple(effects), prints)
