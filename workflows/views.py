"""Read-only views of store rows that the workflows decide on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.parcel import ParcelState, Size


@dataclass(frozen=True, slots=True)
class ParcelView:
    barcode: str
    order_id: str | None
    supply_id: str | None
    package: str | None
    size: Size
    state: ParcelState
    cell: str | None  # cell address while stored
    cod_kopecks: int
    age_restricted: bool
    surplus: bool
    damaged: bool
    deadline: str | None
    kind: str = "delivery"
    issued_at: str | None = None
    return_reason: str | None = None
    bag: str | None = None
    dropoff: str | None = None  # the seller's drop-off a shipment came on (kind "dropoff")


# The zones the code gives a meaning to; a site may name others, which hold nothing special.
MAIN_ZONE = "main"  # cells where orders are stored for issue
RETURNS_ZONE = "returns"  # cells where customer returns wait to go back to the sender
ZONES = (MAIN_ZONE, RETURNS_ZONE)


@dataclass(frozen=True, slots=True)
class CellView:
    address: str
    label: str
    size: Size
    capacity: int
    channel: int
    zone: str
    occupied: int

    @property
    def has_room(self) -> bool:
        return self.occupied < self.capacity


@dataclass(frozen=True, slots=True)
class PackageView:
    barcode: str
    supply_id: str
    kind: str
    state: str


@dataclass(frozen=True, slots=True)
class Progress:
    """How many of the parcels a manifest lists (for a supply or one of its packages) are here."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class SupplyView:
    id: str
    carrier: str
    status: str


@dataclass(frozen=True, slots=True)
class DropoffView:
    """A seller's drop-off list: open (nothing scanned), accepting, or closed (its act printed)."""

    id: str
    seller: str  # the seller's name as the act prints it
    status: str


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    customer: str  # masked at intake ("Иван П."), '' once purged (workflows/customer.py)
    cancelled: bool = False  # central cancelled it: nothing of it may be issued
    phone_tail: str | None = None  # the phone's last four digits, when central sent a phone


@dataclass(frozen=True, slots=True)
class ClerkView:
    badge: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class ShiftView:
    id: int
    badge: str
    station: str
    opened_at: str


@dataclass(frozen=True, slots=True)
class BagView:
    barcode: str
    state: str
    station: str | None


@dataclass(frozen=True, slots=True)
class CourierView:
    """A courier central said would come: who, and the parcels and bags they expect to take."""

    code: str
    name: str
    company: str
    parcels: tuple[str, ...]
    bags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReturnRequestView:
    id: str
    order_id: str
    parcels: tuple[str, ...]
    reason: str
    used_by: str | None


@dataclass(frozen=True, slots=True)
class WrongCodesView:
    """A station's run of wrong pickup codes since the last right one, and the pause it earned.

    At a kiosk `locks` counts the locks so far (each one longer) and `last_at` is the last wrong
    code: the level is forgotten only after quiet hours, not by a right code.
    """

    failures: int = 0
    paused_at: datetime | None = None
    pause_s: int = 0
    locks: int = 0
    last_at: datetime | None = None
