"""What a kiosk's page shows, as JSON: the customer's side of the same event stream.

Built from the station's kiosk session (workflows.kiosk_model.KioskData) and its last message,
every word rendered here in the kiosk's language: the page holds no words, and no state, door
number on the bus or reason code reaches it. Kept apart from view.py (the clerk's page) because
a customer sees a different thing: one order, its doors in very large type, and a keypad.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from device.store.queries import StoreQueries
from workflows import kiosk_model
from workflows.code_limit import pause_left
from workflows.inputs import Command
from workflows.kiosk_model import DoorStep, KioskData, KioskDoor
from workflows.messages import Msg, command_name, plural_names
from workflows.texts import kiosk_page

if TYPE_CHECKING:
    from device.runtime import Runtime
    from device.screen.view import Message

# The kiosk flow's command barcode for "open again" (a door without a sensor, once).
REOPEN_BARCODE = Command.REOPEN.barcode
LANGS = ("ru", "en")

# The page's fixed words: `labels[<name>]` is the text of `kp_<name>`, each text taking no parameter.
LABELS = tuple(
    key.removeprefix("kp_")
    for key, (ru, en) in kiosk_page.TEXTS.items()
    if not plural_names(ru + en) and not key.startswith(("kp_step_", "kp_said_"))
)

# Seconds a station's keypad stays locked after wrong codes (None: not locked).
LockLeft = Callable[["Runtime", str], float | None]


def lock_left(rt: Runtime, station: str) -> float | None:
    """How long the kiosk still refuses typed codes: the kiosk flow's counters, read from the store."""
    engine = rt.engine
    now = engine.clock()
    q = StoreQueries(engine.store.conn, pickup_key=engine.pickup_key, now=now)
    return pause_left(q.wrong_codes(station), now) or None


def labels(lang: str) -> dict[str, str]:
    return {name: Msg(f"kp_{name}").render(lang) for name in LABELS}


def kiosk_data(rt: Runtime, station: str) -> KioskData | None:
    """The station's open kiosk session's data, or None when it waits for a customer."""
    session = rt.engine.session(station)
    if session is None or session.workflow.name != kiosk_model.NAME:
        return None
    data: KioskData = session.data
    return data


def kiosk_part(
    station: str, data: KioskData | None, message: Message, lang: str, *, locked_s: float | None
) -> dict[str, Any]:
    """The kiosk's own part of the page: its message, what to do, the order and its doors, the keypad."""
    locked = None
    if data is None and locked_s is not None and locked_s > 0:
        minutes = max(1, math.ceil(locked_s / 60))
        locked = {"seconds": math.ceil(locked_s), "text": Msg("kp_locked", {"minutes": minutes}).render(lang)}
    order = None if data is None else _order(data, lang)
    return {
        "station": station,
        "kiosk": True,
        "lang": lang,
        "screen": message.json(),
        "prompt": Msg("kp_prompt_idle").render(lang) if data is None else None,
        "order": order,
        # The keypad is for a code: offered while the kiosk waits for one, resting while locked.
        "keypad": data is None,
        "locked": locked,
    }


def _order(data: KioskData, lang: str) -> dict[str, Any]:
    left = [door for door in data.doors if door.step is not DoorStep.TAKEN]
    reopen = not data.reopened and any(d.step is DoorStep.UNVERIFIED for d in data.doors)
    return {
        "number": data.order,
        "customer": Msg("kp_customer", {"customer": data.customer}).render(lang),
        "count": Msg("kp_parcels", {"count": len(data.parcels)}).render(lang),
        "doors": [_door(door, lang) for door in data.doors],
        "left": len(left),
        "reopen": {"code": REOPEN_BARCODE, "text": command_name(Command.REOPEN).render(lang)}
        if reopen
        else None,
    }


def door_name(door: KioskDoor) -> Msg:
    """A door as the customer reads and hears it: "Дверца 14", or a shelf's "Ячейка A-01"."""
    return Msg("kp_shelf" if door.door is None else "kp_door", {"label": door.label})


def _door(door: KioskDoor, lang: str) -> dict[str, Any]:
    return {
        "cell": door.cell,
        "label": door.label,
        "name": door_name(door).render(lang),
        "step": door.step.value,
        "step_text": Msg(f"kp_step_{door.step.value}").render(lang),
        "count": Msg("kp_parcels", {"count": len(door.parcels)}).render(lang),
    }


def kiosk_snapshot(part: dict[str, Any], lang: str) -> dict[str, Any]:
    """Everything a kiosk page shows from scratch: its part, the fixed words, the languages offered."""
    return {
        **part,
        "labels": labels(lang),
        "langs": [{"lang": code, "text": Msg(f"kp_lang_{code}").render(code)} for code in LANGS],
    }
