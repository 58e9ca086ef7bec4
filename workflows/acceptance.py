"""Acceptance of a supply against its manifest: packages, parcels, surplus, damaged, missing."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.context import Ctx
from workflows.identify import looks_like_parcel
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import (
    Effect,
    Feedback,
    Level,
    MarkDamaged,
    Move,
    NewSurplus,
    PackageTo,
    PrintRequest,
    SupplyTo,
)
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, Session, Workflow, advance, enter, finish, refuse, warn
from workflows.views import ParcelView, SupplyView

NAME = "acceptance"


class State(enum.Enum):
    CHOOSE_SUPPLY = "choose_supply"
    SCANNING = "scanning"
    DAMAGED_NEXT = "damaged_next"
    CLOSED = "closed"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.CHOOSE_SUPPLY: frozenset({S.SCANNING, S.CLOSED}),
        S.SCANNING: frozenset({S.SCANNING, S.DAMAGED_NEXT, S.CLOSED}),
        S.DAMAGED_NEXT: frozenset({S.SCANNING, S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    initial={S.CHOOSE_SUPPLY},
)


@dataclass(frozen=True, slots=True)
class AcceptanceData:
    supply: str | None = None  # the supply being accepted, once chosen


Acceptance = Session[State, AcceptanceData]


def start(q: Queries, ctx: Ctx, first: Code | None = None) -> Outcome:
    """START-ACCEPTANCE, or a package/supply/expected parcel scanned at an idle station."""
    chooser = enter(WORKFLOW, S.CHOOSE_SUPPLY, AcceptanceData())
    if first is None:
        return Outcome(chooser, Feedback(Level.INFO, Msg("acc_choose_supply")))
    return _choose(chooser, first, q, ctx)


def step(session: Acceptance, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    state = session.state
    supply_id = session.data.supply
    match inp:
        case Cmd(Command.DONE) if state is S.CHOOSE_SUPPLY or supply_id is None:
            return finish(session, S.CLOSED, Feedback(Level.INFO, Msg("acc_left")))
        case Cmd(Command.DONE):
            return _close(session, str(supply_id), q)
        case Cmd(Command.CANCEL) if state is S.DAMAGED_NEXT:
            return Outcome(advance(session, S.SCANNING), Feedback(Level.INFO, Msg("cancelled")))
        case Cmd(Command.CANCEL):
            paused = Msg("acc_paused", {"supply": supply_id or "-"})
            return finish(session, S.CLOSED, Feedback(Level.INFO, paused))
        case Cmd(Command.DAMAGED) if state is S.SCANNING:
            return Outcome(advance(session, S.DAMAGED_NEXT), Feedback(Level.INFO, Msg("acc_damaged_next")))
        case Cmd(command):
            return refuse(session, "command_not_now", command=command.value, state=state.value)
        case Code() as code if state is S.CHOOSE_SUPPLY:
            return _choose(session, code, q, ctx)
        case Code() as code:
            return _scan(session, str(supply_id), code, q)
    raise AssertionError(f"unhandled input {inp!r}")


def _choose(session: Acceptance, code: Code, q: Queries, ctx: Ctx) -> Outcome:
    """Pick the supply from its id, one of its packages, or one of its expected parcels."""
    supply: SupplyView | None = q.supply(code.text)
    replay: Code | None = None
    if supply is None:
        package = q.package(code.text)
        parcel = q.parcel(code.text)
        if package is not None:
            supply, replay = q.supply(package.supply_id), code
        elif parcel is not None and parcel.supply_id and parcel.state is ParcelState.EXPECTED:
            supply, replay = q.supply(parcel.supply_id), code
    if supply is None:
        return refuse(session, "acc_no_supply_for_code", code=code.text)
    if supply.status == "closed":
        return refuse(session, "acc_supply_closed", supply=supply.id)
    opened = advance(session, S.SCANNING, AcceptanceData(supply.id))
    effects: tuple[Effect, ...] = ()
    if supply.status == "open":
        effects = (SupplyTo(supply.id, "accepting"),)
    expected = q.count_of_supply(supply.id, ParcelState.EXPECTED)
    fb = Feedback(
        Level.OK,
        Msg("acc_opened", {"supply": supply.id, "carrier": supply.carrier, "expected": expected}),
    )
    if replay is None:
        return Outcome(opened, fb, effects)
    first = _scan(opened, supply.id, replay, q)
    return Outcome(first.session, first.feedback, effects + first.effects, first.prints)


def _scan(session: Acceptance, supply_id: str, code: Code, q: Queries) -> Outcome:
    damaged = session.state is S.DAMAGED_NEXT
    # Every accepted scan leaves the workflow scanning (a damaged mark is for one parcel only).
    back = advance(session, S.SCANNING)
    package = q.package(code.text)
    if package is not None:
        if damaged:
            return refuse(session, "acc_damaged_needs_parcel")
        if package.supply_id != supply_id:
            return refuse(
                session,
                "acc_package_other_supply",
                package=package.barcode,
                supply=package.supply_id,
            )
        if package.state == "accepted":
            return warn(session, "duplicate_scan", code=package.barcode)
        return Outcome(
            back,
            Feedback(Level.OK, Msg("acc_package_accepted", {"package": package.barcode})),
            (PackageTo(package.barcode, "accepted"),),
        )
    parcel = q.parcel(code.text)
    if parcel is None:
        if q.cell_by_label(code.text) is not None:
            return refuse(session, "cell_label_not_now")
        if not looks_like_parcel(code.text):
            return refuse(session, "unknown_code", code=code.text)
        effects: tuple[Effect, ...] = (NewSurplus(code.text, supply_id),)
        if damaged:
            effects += (MarkDamaged(code.text),)
        return Outcome(back, Feedback(Level.WARN, Msg("acc_surplus", {"parcel": code.text})), effects)
    return _accept_parcel(session, back, parcel, supply_id, damaged=damaged)


def _accept_parcel(
    session: Acceptance, back: Acceptance, parcel: ParcelView, supply_id: str, *, damaged: bool
) -> Outcome:
    effects: list[Effect] = []
    if parcel.state in (ParcelState.EXPECTED, ParcelState.MISSING):
        late = parcel.state is ParcelState.MISSING
        effects.append(
            Move(
                parcel.barcode,
                ParcelState.ACCEPTED,
                "accepted_late" if late else "accepted",
                data={"supply": supply_id},
            )
        )
        key = "acc_parcel_late" if late else "acc_parcel_accepted"
        level = Level.WARN if late else Level.OK
    elif damaged and not parcel.damaged and parcel.state is ParcelState.ACCEPTED:
        key, level = "acc_parcel_damaged", Level.WARN
    else:
        return warn(session, "duplicate_scan", code=parcel.barcode)
    if damaged:
        effects.append(MarkDamaged(parcel.barcode))
        key, level = "acc_parcel_damaged", Level.WARN
    params: dict[str, str | int] = {"parcel": parcel.barcode}
    if parcel.supply_id not in (None, supply_id) and parcel.state is ParcelState.EXPECTED:
        key, level = "acc_parcel_other_supply", Level.WARN
        params["supply"] = str(parcel.supply_id)
    return Outcome(back, Feedback(level, Msg(key, params)), tuple(effects))


def _close(session: Acceptance, supply_id: str, q: Queries) -> Outcome:
    missing = q.parcels_of_supply(supply_id, ParcelState.EXPECTED)
    effects: list[Effect] = [
        Move(p.barcode, ParcelState.MISSING, "missing", data={"supply": supply_id}) for p in missing
    ]
    effects += [PackageTo(p.barcode, "missing") for p in q.packages_of_supply(supply_id, "expected")]
    effects.append(SupplyTo(supply_id, "closed"))
    details = tuple(Msg("acc_missing_item", {"parcel": p.barcode}) for p in missing[:20])
    level = Level.WARN if missing else Level.OK
    fb = Feedback(level, Msg("acc_closed", {"supply": supply_id, "missing": len(missing)}), details)
    return finish(session, S.CLOSED, fb, effects, (PrintRequest("acceptance_act", {"supply": supply_id}),))


WORKFLOW: Workflow[State, AcceptanceData] = Workflow(
    NAME,
    State,
    TRANSITIONS,
    AcceptanceData,
    command=Command.START_ACCEPTANCE,
    start=start,
    step=step,
)
