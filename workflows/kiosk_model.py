"""The kiosk's states and session data: a customer collecting a prepaid order with no clerk.

Shared by the kiosk workflow's modules and read by the local screen's kiosk page. A kiosk
station with no session waits for a code; a right code opens a session for the order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from workflows.machine import Transitions
from workflows.session import Session

NAME = "kiosk"


class State(enum.Enum):
    OPENING = "opening"  # the doors are commanded; waiting for what their sensors say
    TAKING = "taking"  # doors open or shelf cells lit: waiting for doors to close or parcels to be scanned
    ENDED = "ended"


S = State
TRANSITIONS = Transitions[State](
    NAME,
    {
        S.OPENING: frozenset({S.OPENING, S.TAKING, S.ENDED}),
        S.TAKING: frozenset({S.TAKING, S.OPENING, S.ENDED}),
        S.ENDED: frozenset(),
    },
    initial={S.OPENING, S.TAKING},
)


class DoorStep(enum.Enum):
    """Where one door (or one lit shelf cell) of the order stands."""

    COMMANDED = "commanded"  # an open command is recorded; its result is not known yet
    OPEN = "open"  # the sensor read it open (or it was open already)
    UNVERIFIED = "unverified"  # pulse sent to a door without a sensor: nobody knows
    JAMMED = "jammed"  # fired and never opened: the order goes back as it was
    LEFT_OPEN = "left_open"  # opened and not closed in time: an alert; the parcel stays the customer's
    TAKEN = "taken"  # closed with the cell empty, or every parcel in it scanned
    NOT_TAKEN = "not_taken"  # closed with the parcel still inside
    LIT = "lit"  # an open shelf's cell lit: the customer scans each parcel from it


@dataclass(frozen=True, slots=True)
class KioskDoor:
    cell: str  # the cell's address
    label: str  # what is printed on the door, shown in large type and spoken
    door: int | None  # the door number on the lock bus; None for an open shelf's cell
    step: DoorStep
    parcels: tuple[str, ...]  # the order's parcels in this cell
    reopened: bool = False  # "open again" was used for this door (offered once)


@dataclass(frozen=True, slots=True)
class KioskData:
    order: str
    customer: str  # already masked
    parcels: tuple[str, ...]  # the order's parcels being issued
    doors: tuple[KioskDoor, ...]
    taken: tuple[str, ...] = ()
    proof: str = ""  # "code" or "qr", as issue records it
    reopened: bool = False  # "open again" was used (once per door without a sensor)
    since: str = ""  # when the session last had news (ISO time): a customer idle too long is timed out


# A door or cell with nothing more to wait for; the session ends when every one is settled.
SETTLED = frozenset({DoorStep.TAKEN, DoorStep.NOT_TAKEN, DoorStep.JAMMED})
# Waiting on the customer alone (a lit shelf cell, a door nobody can see): timed out when idle.
IDLE_ENDS = frozenset({DoorStep.LIT, DoorStep.UNVERIFIED})
# Where a parcel may be scanned from: it is in the customer's hands or reach.
REACHABLE = frozenset({DoorStep.OPEN, DoorStep.LIT, DoorStep.UNVERIFIED, DoorStep.LEFT_OPEN})

Kiosk = Session[State, KioskData]
