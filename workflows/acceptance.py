"""Acceptance of a supply against its manifest: packages, parcels, surplus, damaged, late, missing."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from workflows.acceptance_words import elsewhere, missing_details, parcel_progress, progress
from workflows.context import Ctx
from workflows.identify import looks_like_parcel
from workflows.inputs import Cmd, Code, Command, Input
from workflows.machine import Transitions
from workflows.messages import Msg
from workflows.outcome import (
    Effect,
    Feedback,
    Level,
    Light,
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
from workflows.views import CellView, PackageView, ParcelView, SupplyView

NAME = "acceptance"
# Why a parcel of a cancelled order goes back; the same reason central's cancellation gives
# the parcels already here (device/intake/order_updates.py CANCEL_REASON).
CANCELLED = "cancelled"


class State(enum.Enum):
    CHOOSE_SUPPLY = "choose_supply"
    SCANNING = "scanning"
    DAMAGED_NEXT = "damaged_next"
    CONFIRM_CLOSE = "confirm_close"  # DONE with parcels missing: DONE again closes
    CLOSED = "closed"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.CHOOSE_SUPPLY: frozenset({S.SCANNING, S.CLOSED}),
        S.SCANNING: frozenset({S.SCANNING, S.DAMAGED_NEXT, S.CONFIRM_CLOSE, S.CLOSED}),
        S.DAMAGED_NEXT: frozenset({S.SCANNING, S.CONFIRM_CLOSE, S.CLOSED}),
        S.CONFIRM_CLOSE: frozenset({S.SCANNING, S.DAMAGED_NEXT, S.CLOSED}),
        S.CLOSED: frozenset(),
    },
    initial={S.CHOOSE_SUPPLY},
)


@dataclass(frozen=True, slots=True)
class AcceptanceData:
    supply: str | None = None  # the supply being accepted, once chosen
    set_aside: str | None = None  # a cancelled order's parcel whose returns cell is lit


Acceptance = Session[State, AcceptanceData]


def start(q: Queries, ctx: Ctx, first: Code | None = None) -> Outcome:
    """START-ACCEPTANCE, or a package/supply/expected or missing parcel scanned at an idle station."""
    chooser = enter(WORKFLOW, S.CHOOSE_SUPPLY, AcceptanceData())
    if first is None:
        return Outcome(chooser, Feedback(Level.INFO, Msg("acc_choose_supply")))
    return _choose(chooser, first, q)


def step(session: Acceptance, inp: Input, q: Queries, ctx: Ctx) -> Outcome:
    supply_id = session.data.supply
    if session.state is S.CHOOSE_SUPPLY or supply_id is None:
        match inp:
            case Cmd(Command.DONE | Command.CANCEL):
                return finish(session, S.CLOSED, Feedback(Level.INFO, Msg("acc_left")))
            case Cmd(command):
                return _command_not_now(session, command)
            case Code() as code:
                return _choose(session, code, q)
        raise AssertionError(f"unhandled input {inp!r}")
    return _step_open(session, supply_id, inp, q)


def _step_open(session: Acceptance, supply_id: str, inp: Input, q: Queries) -> Outcome:
    """An input while a supply is open: scanning, a damaged mark pending, or DONE to confirm."""
    state = session.state
    match inp:
        case Cmd(Command.DONE) if state is S.CONFIRM_CLOSE:
            return _close(session, supply_id, q)
        case Cmd(Command.DONE):
            return _ask_close(session, supply_id, q)
        case Cmd(Command.CANCEL) if state is S.DAMAGED_NEXT:
            return Outcome(advance(session, S.SCANNING), Feedback(Level.INFO, Msg("cancelled")))
        case Cmd(Command.CANCEL) if state is S.CONFIRM_CLOSE:
            kept = Msg("acc_close_kept_open", {"progress": progress(q, supply_id)})
            return Outcome(advance(session, S.SCANNING), Feedback(Level.INFO, kept))
        case Cmd(Command.CANCEL):
            count = q.supply_progress(supply_id)
            paused = Msg("acc_paused", {"supply": supply_id, "done": count.done, "total": count.total})
            return finish(session, S.CLOSED, Feedback(Level.INFO, paused))
        case Cmd(Command.DAMAGED) if state in (S.SCANNING, S.CONFIRM_CLOSE):
            return Outcome(advance(session, S.DAMAGED_NEXT), Feedback(Level.INFO, Msg("acc_damaged_next")))
        case Cmd(command):
            return _command_not_now(session, command)
        case Code() as code:
            return _scan(session, supply_id, code, q)
    raise AssertionError(f"unhandled input {inp!r}")


def _command_not_now(session: Acceptance, command: Command) -> Outcome:
    """A command with no meaning here: say which scans do mean something now."""
    if session.state is S.CHOOSE_SUPPLY:
        key = "acc_command_choose"
    elif session.state is S.DAMAGED_NEXT:
        key = "acc_command_damaged"
    else:
        key = "acc_command_scanning"
    return refuse(session, key, command=Msg(f"cmd_{command.name}"))


def _choose(session: Acceptance, code: Code, q: Queries) -> Outcome:
    """Pick the supply from its id, one of its packages or expected parcels; take a late one as it comes."""
    text = code.text
    supply: SupplyView | None = q.supply(text)
    replay = False
    if supply is None:
        package = q.package(text)
        parcel = q.parcel(text)
        if package is not None:
            if package.state == "missing":
                # At an idle station it is one scan: the station is idle again after it.
                late_fb, late_effects = _late_package(package)
                return finish(session, S.CLOSED, late_fb, late_effects)
            supply, replay = q.supply(package.supply_id), True
        elif parcel is not None and parcel.state is ParcelState.MISSING and parcel.supply_id:
            # At an idle station a late parcel is one scan: the station is idle again after it.
            late = _accept(session, parcel, parcel.supply_id, q, damaged=False)
            return finish(session, S.CLOSED, late.feedback, late.effects)
        elif parcel is not None and parcel.supply_id and parcel.state is ParcelState.EXPECTED:
            supply, replay = q.supply(parcel.supply_id), True
        elif parcel is not None and (where := elsewhere(parcel)) is not None:
            return Outcome(session, Feedback(Level.WARN, where))
        elif parcel is not None and parcel.state is ParcelState.ACCEPTED:
            return warn(session, "acc_accepted_earlier", parcel=parcel.barcode, supply=str(parcel.supply_id))
    if supply is None:
        return refuse(session, "acc_no_supply_for_code", code=text)
    count = q.supply_progress(supply.id)
    if supply.status == "closed":
        return refuse(session, "acc_supply_closed", supply=supply.id, done=count.done, total=count.total)
    opened = advance(session, S.SCANNING, AcceptanceData(supply.id))
    effects: tuple[Effect, ...] = ()
    if supply.status == "open":
        effects = (SupplyTo(supply.id, "accepting"),)
    opened_msg = Msg(
        "acc_opened",
        {"supply": supply.id, "carrier": supply.carrier, "total": count.total, "done": count.done},
    )
    fb = Feedback(Level.OK, opened_msg)
    if not replay:
        return Outcome(opened, fb, effects)
    first = _scan(opened, supply.id, code, q)
    return Outcome(first.session, first.feedback, effects + first.effects, first.prints)


def _late_package(package: PackageView) -> tuple[Feedback, tuple[Effect, ...]]:
    """A package its supply's act called missing has come: accepted; its parcels come one scan each."""
    msg = Msg("acc_package_late", {"package": package.barcode, "supply": package.supply_id})
    return Feedback(Level.WARN, msg), (PackageTo(package.barcode, "accepted"),)


def _scan(session: Acceptance, supply_id: str, code: Code, q: Queries) -> Outcome:
    """One code inside an open supply: a package, a parcel, a returns cell, or a surplus."""
    damaged = session.state is S.DAMAGED_NEXT
    text = code.text
    # Every counted scan leaves the workflow scanning: a damaged mark is for one parcel only,
    # and a returns cell lit for a cancelled order's parcel goes dark at the next scan.
    back = advance(session, S.SCANNING, replace(session.data, set_aside=None), lights={})
    package = q.package(text)
    if package is not None:
        return _package(session, back, package, supply_id, q, damaged=damaged)
    parcel = q.parcel(text)
    if parcel is not None:
        return _parcel(session, back, parcel, supply_id, q, damaged=damaged)
    cell = q.cell_by_label(text)
    if cell is not None:
        return _returns_cell(session, back, cell, supply_id)
    other = q.supply(text)
    if other is not None and other.id == supply_id:
        return warn(session, "acc_same_supply", supply=supply_id, progress=progress(q, supply_id))
    if other is not None:
        return refuse(session, "acc_other_supply", supply=supply_id, other=other.id)
    if q.order(text) is not None:
        return refuse(session, "acc_order_not_parcel", code=text)
    if not looks_like_parcel(text):
        return refuse(session, "acc_not_a_label", code=text)
    effects: tuple[Effect, ...] = (NewSurplus(text, supply_id),)
    if damaged:
        effects += (MarkDamaged(text),)
    return Outcome(back, Feedback(Level.WARN, Msg("acc_surplus", {"parcel": text})), effects)


def _package(
    session: Acceptance, back: Acceptance, package: PackageView, supply_id: str, q: Queries, *, damaged: bool
) -> Outcome:
    if damaged:
        return refuse(session, "acc_damaged_needs_parcel")
    if package.state == "missing":
        fb, effects = _late_package(package)
        return Outcome(back, fb, effects)
    if package.supply_id != supply_id:
        return refuse(
            session,
            "acc_package_other_supply",
            package=package.barcode,
            supply=package.supply_id,
            current=supply_id,
        )
    if package.state == "accepted":
        return warn(session, "duplicate_scan", code=package.barcode)
    msg = Msg(
        "acc_package_accepted", {"package": package.barcode, "progress": progress(q, supply_id, package)}
    )
    return Outcome(back, Feedback(Level.OK, msg), (PackageTo(package.barcode, "accepted"),))


def _parcel(
    session: Acceptance, back: Acceptance, parcel: ParcelView, supply_id: str, q: Queries, *, damaged: bool
) -> Outcome:
    where = elsewhere(parcel)
    if where is not None:
        return Outcome(session, Feedback(Level.WARN, where))
    if parcel.state in (ParcelState.EXPECTED, ParcelState.MISSING):
        return _accept(back, parcel, supply_id, q, damaged=damaged)
    # Accepted already: here, or with another supply and not placed yet.
    if damaged and not parcel.damaged:
        msg = Msg(
            "acc_parcel_damaged",
            {"parcel": parcel.barcode, "progress": parcel_progress(q, parcel, supply_id)},
        )
        return Outcome(back, Feedback(Level.WARN, msg), (MarkDamaged(parcel.barcode),))
    if parcel.supply_id not in (None, supply_id):
        return warn(session, "acc_accepted_earlier", parcel=parcel.barcode, supply=str(parcel.supply_id))
    return warn(session, "duplicate_scan", code=parcel.barcode)


def _accept(session: Acceptance, parcel: ParcelView, supply_id: str, q: Queries, *, damaged: bool) -> Outcome:
    """An expected parcel, or a missing one that turned up late; a cancelled order's goes back at once.

    `session` is the one to continue with; the count shown is that of the parcel's own supply.
    """
    barcode = parcel.barcode
    own = parcel.supply_id or supply_id
    late = parcel.state is ParcelState.MISSING
    data: dict[str, str] = {"supply": own}
    if own != supply_id:
        data["during"] = supply_id  # accepted while another supply was open
    effects: list[Effect] = [
        Move(barcode, ParcelState.ACCEPTED, "accepted_late" if late else "accepted", data=data)
    ]
    box = None if parcel.package is None else q.package(parcel.package)
    if box is not None and box.state != "accepted":
        # A parcel of a box nobody scanned: the box evidently came, the act must not call it missing.
        effects.append(PackageTo(box.barcode, "accepted"))
    if damaged:
        effects.append(MarkDamaged(barcode))
    order = None if parcel.order_id is None else q.order(parcel.order_id)
    count = progress(q, own, box, arriving=True)
    if order is not None and order.cancelled:
        effects.append(
            Move(barcode, ParcelState.TO_RETURN, "cancelled", data={"order": order.id}, reason=CANCELLED)
        )
        return _set_aside(session, parcel, q, order=order.id, count=count, effects=tuple(effects))
    params: dict[str, str | Msg] = {"parcel": barcode, "progress": count}
    if damaged:
        key, level = "acc_parcel_damaged", Level.WARN
    elif late:
        key, level = "acc_parcel_late", Level.WARN
        params["supply"] = own
    elif own != supply_id:
        key, level = "acc_parcel_other_supply", Level.WARN
    else:
        key, level = "acc_parcel_accepted", Level.OK
    return Outcome(session, Feedback(level, Msg(key, params)), tuple(effects))


def _set_aside(
    session: Acceptance,
    parcel: ParcelView,
    q: Queries,
    *,
    order: str,
    count: Msg,
    effects: tuple[Effect, ...],
) -> Outcome:
    """A cancelled order's parcel: not for the shelves; a returns cell is lit if one has room."""
    cell = q.returns_cell(parcel.size.value)
    params: dict[str, str | Msg] = {"parcel": parcel.barcode, "order": order, "progress": count}
    if cell is None or session.state is not S.SCANNING:
        return Outcome(session, Feedback(Level.WARN, Msg("acc_cancelled_set_aside", params)), effects)
    params["cell"] = cell.address
    lit = advance(
        session,
        S.SCANNING,
        replace(session.data, set_aside=parcel.barcode),
        lights={cell.address: Light.SUGGESTED},
    )
    return Outcome(lit, Feedback(Level.WARN, Msg("acc_cancelled_to_cell", params)), effects)


def _returns_cell(session: Acceptance, back: Acceptance, cell: CellView, supply_id: str) -> Outcome:
    """A cell scanned during acceptance: only the returns cell for a cancelled order's parcel."""
    parcel = session.data.set_aside
    if parcel is None:
        return refuse(session, "acc_cell_not_now", supply=supply_id)
    if cell.zone != "returns":
        return refuse(session, "acc_set_aside_not_returns", cell=cell.address, parcel=parcel)
    if not cell.has_room:
        return refuse(session, "acc_set_aside_full", cell=cell.address, parcel=parcel)
    move = Move(parcel, ParcelState.TO_RETURN, "set_aside", cell=cell.address, data={"supply": supply_id})
    msg = Msg("acc_set_aside_done", {"parcel": parcel, "cell": cell.address})
    return Outcome(back, Feedback(Level.OK, msg), (move,))


def _ask_close(session: Acceptance, supply_id: str, q: Queries) -> Outcome:
    """DONE: with nothing missing the supply closes; else the clerk is told what is missing first."""
    count = q.supply_progress(supply_id)
    missing = q.count_of_supply(supply_id, ParcelState.EXPECTED)
    if not missing:
        return _close(session, supply_id, q)
    msg = Msg("acc_confirm_close", {"missing": missing, "total": count.total})
    fb = Feedback(Level.WARN, msg, missing_details(q, supply_id))
    return Outcome(advance(session, S.CONFIRM_CLOSE, lights={}), fb)


def _close(session: Acceptance, supply_id: str, q: Queries) -> Outcome:
    """Close the supply: what was not scanned is missing, and the act is printed."""
    details = missing_details(q, supply_id)
    count = q.supply_progress(supply_id)
    missing = q.parcels_of_supply(supply_id, ParcelState.EXPECTED)
    effects: list[Effect] = [
        Move(p.barcode, ParcelState.MISSING, "missing", data={"supply": supply_id}) for p in missing
    ]
    effects += [PackageTo(p.barcode, "missing") for p in q.packages_of_supply(supply_id, "expected")]
    effects.append(SupplyTo(supply_id, "closed"))
    closed = Msg(
        "acc_closed", {"supply": supply_id, "done": count.done, "total": count.total, "missing": len(missing)}
    )
    fb = Feedback(Level.WARN if missing else Level.OK, closed, details)
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
