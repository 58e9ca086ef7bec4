"""The kiosk hears its doors: what the door controller reports, OPEN AGAIN, and the idle limit.

"Taken" is decided from the door's sensors, never from a timer alone: a door that never opened
leaves its parcels as they were; a door shut with the cell empty issues them; a door shut with
something inside, or with no occupancy sensor and its parcels not scanned, leaves them the
customer's. Only a lit shelf cell or a door nobody can see is timed out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from workflows.context import Ctx
from workflows.inputs import DoorEvent, DoorReport
from workflows.kiosk_end import door_note, end, go_on, issued, with_door
from workflows.kiosk_model import IDLE_ENDS, SETTLED, DoorStep, Kiosk, KioskDoor
from workflows.kiosk_words import describe, prompts
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level, Note, OpenDoor
from workflows.queries import Queries
from workflows.session import Outcome, refuse

E = DoorEvent
# The door never opened: the order stays as it was, the fleet hears, the customer goes to the counter.
NEVER_OPENED = frozenset({E.JAMMED, E.FAILED, E.EXPIRED, E.REFUSED, E.INTERRUPTED})
# Door news the fleet must hear about whoever caused it.
ALERTS = NEVER_OPENED | {E.LEFT_OPEN, E.OPENED_UNASKED}


def news(report: DoorReport, order: str | None = None) -> list[Effect]:
    """The journal's record of a door's report, and an alert where the fleet must hear it."""
    body: dict[str, str | int | None] = {
        "door": report.door,
        "cell": report.cell,
        "event": report.event.value,
        "command": report.command,
        "order": order,
    }
    effects: list[Effect] = [Note("door_report", body)]
    if report.event in ALERTS:
        effects.append(Note("alert", {**body, "alert": f"door_{report.event.value}"}))
    return effects


def unmatched(session: Kiosk | None, report: DoorReport, q: Queries) -> Outcome:
    """A report about a door no open collection waits for: journalled (an alert if it is one), nothing moves."""
    if report.event is E.OPENED_UNASKED:
        fb = Feedback(Level.WARN, Msg("ksk_door_unasked", {"door": report.door}))
    elif session is not None:
        fb = Feedback(Level.INFO, describe(session, q))
    else:
        fb = Feedback(Level.INFO, Msg("ksk_door_noted", {"door": report.door}))
    return Outcome(session, fb, tuple(news(report)))


def on_report(session: Kiosk, report: DoorReport, q: Queries, ctx: Ctx) -> Outcome:
    """One door's news for the open collection."""
    data = session.data
    index = next((i for i, d in enumerate(data.doors) if d.door == report.door), None)
    if index is None or report.event is E.OPENED_UNASKED or data.doors[index].step in SETTLED:
        return unmatched(session, report, q)
    door = data.doors[index]
    effects = news(report, data.order)
    label = {"door": door.label}
    event = report.event
    if event in (E.OPENED, E.ALREADY_OPEN):
        new = replace(door, step=DoorStep.OPEN)
        fb = Feedback(Level.OK, Msg("ksk_take_door", label))
    elif event is E.NOT_VERIFIED:
        new = replace(door, step=DoorStep.UNVERIFIED)
        key = "ksk_door_unverified_again" if door.reopened else "ksk_door_unverified"
        fb = Feedback(Level.WARN, Msg(key, label))
    elif event in NEVER_OPENED:
        new = replace(door, step=DoorStep.JAMMED)
        fb = Feedback(Level.ERROR, Msg("ksk_door_failed", label))
    elif event is E.LEFT_OPEN:
        # The door's state is kept: it is still the customer's until it shuts and its sensor says.
        new = replace(door, step=DoorStep.LEFT_OPEN)
        fb = Feedback(Level.WARN, Msg("ksk_close_door", label))
    elif event is E.CLOSED_EMPTY:
        data, moves = issued(data, door.parcels, q)
        effects += moves
        new = replace(door, step=DoorStep.TAKEN)
        fb = Feedback(Level.OK, Msg("ksk_door_taken", label))
    elif event is E.CLOSED and all(b in data.taken for b in door.parcels):
        new = replace(door, step=DoorStep.TAKEN)
        fb = Feedback(Level.OK, Msg("ksk_door_taken", label))
    elif event is E.CLOSED:
        # No occupancy sensor and not every parcel scanned: nobody knows, so nothing is issued.
        new = replace(door, step=DoorStep.NOT_TAKEN)
        effects.append(door_note(data, door, "kiosk_not_known", left=_left(door, data.taken)))
        fb = Feedback(Level.WARN, Msg("ksk_not_known", label))
    else:  # CLOSED_FULL
        new = replace(door, step=DoorStep.NOT_TAKEN)
        effects.append(door_note(data, door, "kiosk_not_taken", left=_left(door, data.taken)))
        fb = Feedback(Level.WARN, Msg("ksk_not_taken", label))
    return go_on(session, with_door(data, index, new), ctx, fb, effects)


def reopen(session: Kiosk, ctx: Ctx) -> Outcome:
    """OPEN AGAIN: each door without a sensor that may not have opened is fired once more, once."""
    data = session.data
    again = [
        i
        for i, d in enumerate(data.doors)
        if d.step is DoorStep.UNVERIFIED and not d.reopened and d.door is not None
    ]
    if not again:
        return refuse(session, "ksk_reopen_not_now")
    expires = ctx.now + timedelta(seconds=ctx.policy.kiosk.door_expiry_s)
    effects: list[Effect] = []
    for i in again:
        door = data.doors[i]
        assert door.door is not None
        effects.append(OpenDoor(door.cell, door.door, data.order, "reopen", expires))
        data = with_door(data, i, replace(door, step=DoorStep.COMMANDED, reopened=True))
    fb = Feedback(Level.INFO, Msg("ksk_reopening", {"door": data.doors[again[0]].label}))
    return go_on(session, data, ctx, fb, effects)


def tick(session: Kiosk, q: Queries, ctx: Ctx) -> Outcome:
    """The idle limit: lit cells and unseen doors that waited too long end as not taken; open doors
    wait for their sensors (the door controller reports a door left open).

    A commanded door with no news long after its command expired (no door controller, or one
    that lost its report) is taken as never opened: its parcels stay, and the fleet hears.
    """
    data = session.data
    rules = ctx.policy.kiosk
    quiet = _quiet_s(data.since, ctx.now)
    waiting = [i for i, d in enumerate(data.doors) if d.step in IDLE_ENDS and quiet >= rules.idle_s]
    silent = [
        i
        for i, d in enumerate(data.doors)
        if d.step is DoorStep.COMMANDED and quiet >= rules.door_expiry_s + rules.idle_s
    ]
    if not waiting and not silent:
        return Outcome(session, Feedback(Level.INFO, describe(session, q)))
    effects: list[Effect] = []
    lines: list[Msg] = []
    for i in silent:
        door = data.doors[i]
        effects.append(door_note(data, door, "alert", alert="door_no_news"))
        lines.append(Msg("ksk_door_failed", {"door": door.label}))
        data = with_door(data, i, replace(door, step=DoorStep.JAMMED))
    for i in waiting:
        door = data.doors[i]
        effects.append(door_note(data, door, "kiosk_timed_out", left=_left(door, data.taken)))
        data = with_door(data, i, replace(door, step=DoorStep.NOT_TAKEN))
    lead = Feedback(Level.ERROR, lines[0]) if lines else None
    if all(d.step in SETTLED for d in data.doors):
        return end(session, data, lead, effects, timed_out=True)
    fb = Feedback(Level.WARN, Msg("ksk_timed_out"), (*lines, *prompts(data)))
    return go_on(session, data, ctx, fb, effects)


def _left(door: KioskDoor, taken: tuple[str, ...]) -> int:
    return sum(1 for b in door.parcels if b not in taken)


def _quiet_s(since: str, now: datetime) -> float:
    """Seconds since the session's last news; a session without a time counts as quiet for ever."""
    if not since:
        return float("inf")
    return (now - datetime.fromisoformat(since)).total_seconds()
