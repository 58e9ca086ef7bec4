"""The kiosk in words: what each door or lit cell asks of the customer now, and the session's summary."""

from __future__ import annotations

from workflows.kiosk_model import DoorStep, Kiosk, KioskData, KioskDoor
from workflows.messages import Msg
from workflows.queries import Queries


def door_prompt(door: KioskDoor, taken: tuple[str, ...]) -> Msg | None:
    """What the customer does about one door or lit cell now; None when it is settled."""
    match door.step:
        case DoorStep.COMMANDED:
            return Msg("ksk_door_opening", {"door": door.label})
        case DoorStep.OPEN:
            return Msg("ksk_take_door", {"door": door.label})
        case DoorStep.LIT:
            left = sum(1 for b in door.parcels if b not in taken)
            return Msg("ksk_take_shelf", {"count": left, "cell": door.label})
        case DoorStep.UNVERIFIED:
            key = "ksk_door_unverified_again" if door.reopened else "ksk_door_unverified"
            return Msg(key, {"door": door.label})
        case DoorStep.LEFT_OPEN:
            return Msg("ksk_close_door", {"door": door.label})
    return None


def prompts(data: KioskData) -> tuple[Msg, ...]:
    """Every door and lit cell still waiting for the customer, in the order's cell order."""
    return tuple(m for d in data.doors if (m := door_prompt(d, data.taken)) is not None)


def describe(session: Kiosk, q: Queries) -> Msg:
    """The open collection in words, as a restart or a refusal shows it: the first thing to do."""
    waiting = prompts(session.data)
    if waiting:
        return waiting[0]
    return Msg("ksk_found", {"customer": session.data.customer, "count": len(session.data.parcels)})


def summary(data: KioskData) -> tuple[Msg, tuple[Msg, ...]]:
    """The session's end: what was collected, what waits here, what only the counter can hand over."""
    taken = len(data.taken)
    jammed = {b for d in data.doors if d.step is DoorStep.JAMMED for b in d.parcels}
    left = [b for b in data.parcels if b not in data.taken and b not in jammed]
    msg = Msg("ksk_done", {"count": taken}) if taken else Msg("ksk_done_none")
    details: list[Msg] = []
    if taken and left:
        details.append(Msg("ksk_left", {"left": len(left)}))
    if jammed:
        details.append(Msg("ksk_go_to_counter"))
    return msg, tuple(details)
