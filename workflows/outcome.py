"""What a workflow step decides: store effects, print requests, the next session, feedback."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflows.messages import Msg
from workflows.parcel import ParcelState
from workflows.tickets import OpenTicket


class Level(enum.Enum):
    OK = "ok"
    INFO = "info"
    WARN = "warn"
    ERROR = "error"


class Light(enum.Enum):
    """Why a cell is lit; the runtime maps each meaning to a pattern on the rack."""

    SUGGESTED = "suggested"  # put the parcel here
    TAKE = "take"  # a parcel of the order being issued is here
    CURRENT = "current"  # the parcel being moved is here now
    PICK = "pick"  # a parcel due for return to the sender is here
    COUNT = "count"  # an inventory count has not reached this cell yet
    COUNTING = "counting"  # the cell being counted now


@dataclass(frozen=True, slots=True)
class Move:
    """Change a parcel's state (and cell); the runtime checks it against PARCEL."""

    parcel: str
    to: ParcelState
    kind: str
    cell: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None
    bag: str | None = None  # the outbound bag a returning parcel goes into


@dataclass(frozen=True, slots=True)
class MarkDamaged:
    parcel: str


@dataclass(frozen=True, slots=True)
class NewSurplus:
    """A parcel scanned at acceptance that no manifest lists: recorded, never dropped."""

    barcode: str
    supply_id: str


@dataclass(frozen=True, slots=True)
class NewDropoffSurplus:
    """A shipment a seller brought that their drop-off list does not name: recorded, never dropped.

    It is taken in like the listed ones (kind dropoff, outbound), marked surplus for the act."""

    barcode: str
    dropoff: str


@dataclass(frozen=True, slots=True)
class DropoffTo:
    """A drop-off list's status: accepting once its first shipment is scanned, closed at DONE."""

    dropoff: str
    status: str


@dataclass(frozen=True, slots=True)
class PackageTo:
    barcode: str
    state: str


@dataclass(frozen=True, slots=True)
class SupplyTo:
    supply_id: str
    status: str


@dataclass(frozen=True, slots=True)
class Note:
    """A journal event that changes no row (an issue completed, a cell chosen off-suggestion)."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)
    parcel: str | None = None


@dataclass(frozen=True, slots=True)
class CountCodes:
    """The station's run of wrong pickup codes becomes `failures` (0 clears it and any pause);
    a pause of `pause_s` seconds starts now when it is above 0."""

    failures: int
    pause_s: int = 0


@dataclass(frozen=True, slots=True)
class KioskCodes:
    """A kiosk's wrong codes: the run now `failures` and the lock level `locks`. `wrong`: this input
    was a wrong code (its time is kept, for forgetting the level after quiet hours); a lock of
    `lock_s` seconds starts now when it is above 0. A right code writes the run 0, the level kept."""

    failures: int
    locks: int
    wrong: bool = True
    lock_s: int = 0


@dataclass(frozen=True, slots=True)
class OpenDoor:
    """Command a locker door open: a `door_commands` row written in this transaction, fired once by
    the device's door controller after the commit, and never after `expires_at` (UTC)."""

    cell: str
    door: int
    order: str | None
    purpose: str  # "issue", "reopen", "service" or "placement"
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class NewReturn:
    """A customer return: a parcel of its own that enters at accepted."""

    barcode: str
    order_id: str | None
    returned_from: tuple[str, ...]
    size: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NewSend:
    """A customer's send: a parcel of its own that enters at outbound, weighed and measured."""

    barcode: str  # the shipment id its QR named
    to_point: str
    size: str
    sender: str  # masked by central
    weight_g: int
    sides_mm: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class SignIn:
    badge: str


@dataclass(frozen=True, slots=True)
class SignOut:
    badge: str


@dataclass(frozen=True, slots=True)
class OpenShift:
    badge: str


@dataclass(frozen=True, slots=True)
class CloseShift:
    badge: str


@dataclass(frozen=True, slots=True)
class BagTo:
    barcode: str
    state: str


@dataclass(frozen=True, slots=True)
class CourierCollected:
    """The courier took the bags: no longer expected, so their code is refused from now on."""

    code: str
    bags: tuple[str, ...]
    parcels: int


@dataclass(frozen=True, slots=True)
class UseReturnRequest:
    request_id: str


@dataclass(frozen=True, slots=True)
class KeepReport:
    """An inventory report kept in the store (and printed by a PrintRequest beside it)."""

    started_at: str
    data: Mapping[str, Any]


Effect = (
    Move
    | MarkDamaged
    | NewSurplus
    | NewDropoffSurplus
    | DropoffTo
    | PackageTo
    | SupplyTo
    | Note
    | CountCodes
    | KioskCodes
    | NewReturn
    | NewSend
    | SignIn
    | SignOut
    | OpenShift
    | CloseShift
    | BagTo
    | CourierCollected
    | UseReturnRequest
    | KeepReport
    | OpenDoor
    | OpenTicket
)


@dataclass(frozen=True, slots=True)
class PrintRequest:
    """A document to print, built by the device from the store after the effects apply."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Feedback:
    level: Level
    msg: Msg
    details: tuple[Msg, ...] = ()
