"""The customer at an open collection: parcels scanned from an open door or a lit cell are issued;
DONE ends it once no door is open or opening."""

from __future__ import annotations

from dataclasses import replace

from workflows.context import Ctx
from workflows.identify import issue_code, pickup_code, qr_token
from workflows.kiosk_end import door_note, end, go_on, issued, with_door
from workflows.kiosk_model import IDLE_ENDS, REACHABLE, SETTLED, DoorStep, Kiosk
from workflows.messages import Msg
from workflows.outcome import Effect, Feedback, Level
from workflows.parcel import ParcelState
from workflows.queries import Queries
from workflows.session import Outcome, refuse, warn


def scan(session: Kiosk, text: str, q: Queries, ctx: Ctx) -> Outcome:
    """A parcel of the order from a door or cell the customer can reach is handed over now."""
    data = session.data
    parcel = q.parcel(text)
    if parcel is None:
        customer_code = qr_token(text) or issue_code(text) or pickup_code(text)
        return refuse(session, "ksk_busy" if customer_code else "ksk_scan_parcel")
    if parcel.barcode not in data.parcels:
        return warn(session, "ksk_not_yours")
    if parcel.barcode in data.taken:
        return warn(session, "ksk_already_scanned")
    order = q.order(data.order)
    if order is None or order.cancelled or parcel.state is not ParcelState.STORED:
        # Central cancelled it (or its last day passed) while the customer was here.
        return refuse(session, "ksk_put_back")
    index = next(i for i, d in enumerate(data.doors) if parcel.barcode in d.parcels)
    door = data.doors[index]
    if door.step not in REACHABLE:
        return refuse(session, "ksk_wait_door" if door.step is DoorStep.COMMANDED else "ksk_scan_parcel")
    data, moves = issued(data, (parcel.barcode,), q)
    if door.step in IDLE_ENDS and all(b in data.taken for b in door.parcels):
        # A lit cell or an unseen door emptied by scans is done; a door with a sensor waits to shut.
        data = with_door(data, index, replace(door, step=DoorStep.TAKEN))
    # What the customer can still take here: a parcel behind a door that never opened is not.
    left = sum(1 for d in data.doors if d.step not in SETTLED for b in d.parcels if b not in data.taken)
    msg = Msg("ksk_scanned", {"left": left}) if left else Msg("ksk_scanned_last")
    return go_on(session, data, ctx, Feedback(Level.OK, msg), moves)


def done(session: Kiosk, ctx: Ctx) -> Outcome:
    """The customer is finished: lit cells and unseen doors end as not taken; open doors must shut first."""
    data = session.data
    for door in data.doors:
        if door.step is DoorStep.COMMANDED:
            return refuse(session, "ksk_wait_door")
        if door.step in (DoorStep.OPEN, DoorStep.LEFT_OPEN):
            return refuse(session, "ksk_close_first", door=door.label)
    effects: list[Effect] = []
    for i, door in enumerate(data.doors):
        if door.step in IDLE_ENDS:
            left = sum(1 for b in door.parcels if b not in data.taken)
            effects.append(door_note(data, door, "kiosk_not_taken", left=left))
            data = with_door(data, i, replace(door, step=DoorStep.NOT_TAKEN))
    return end(session, data, None, effects)
