"""The site demo's locker and the kiosk's customers: what the main device holds for the kiosk, and
how the kiosk's day is counted.

The main device's rack has a locker beside its shelves: cells in the doors zone, each behind a door
of the main device's (simulated) door driver, stocked before opening with prepaid orders, and one
cash-on-delivery order on a shelf. A customer at the remote kiosk types a pickup code (one shows
the app's QR code instead); the main device decides, its door controller opens the door, a
simulated customer (`[doors] sim_take_after_s`) takes the parcel and shuts it, and each door's
report reaches the kiosk as news. The cash-on-delivery customer is sent to the counter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from device.demo.data import CLERKS, CUSTOMERS, DemoDay, DemoOrder, DemoParcel, DemoSupply
from device.demo.day import import_day
from device.demo.site_watch import count
from device.demo.stage import DEMO_DAY, DEVICE_ID, MSK
from device.intake.rack import CellSpec, import_cells
from device.store.db import Store
from device.store.journal import Stamp
from device.store.parcels import move_parcels
from workflows.identify import QR_PREFIX
from workflows.outcome import Move
from workflows.parcel import ParcelState, Size

LOCKER = "locker"  # the doors zone ([doors] zone on the main device)
LOCKER_CELLS = 6
FIRST_DOOR = 74  # the demo rack's 72 cells and two returns shelves use light channels 0-73
DOORS = FIRST_DOOR + LOCKER_CELLS  # the sim door driver's doors: a door is its cell's light channel
SHELF_CELL = "C-08-1"  # where the cash-on-delivery order waits for the counter
TAKE_AFTER_S = 1.0  # the simulated customer takes the parcel and shuts the door this long after it opened
PREPAID = 5


@dataclass
class KioskDay:
    """The orders the kiosk's customers come for: prepaid ones behind doors, one cash on delivery."""

    supply: DemoSupply
    prepaid: list[DemoOrder]
    cod: DemoOrder

    @property
    def orders(self) -> list[DemoOrder]:
        return [*self.prepaid, self.cod]


def locker_cells() -> list[CellSpec]:
    """Six doors labelled L-01…L-06, after the demo rack's channels."""
    return [
        CellSpec(address=f"L-{n:02d}", size=Size.M, capacity=2, channel=FIRST_DOOR + n - 1, zone=LOCKER)
        for n in range(1, LOCKER_CELLS + 1)
    ]


def make_kiosk_orders(rng: random.Random, taken: set[str]) -> KioskDay:
    """Five prepaid orders (every other one with an app QR code) and one cash on delivery, with ids
    not among `taken` (the day's other orders)."""
    supply = DemoSupply(f"SUP-{DEMO_DAY:%Y%m%d}-L", "Ozon Логистика", [])
    ids = [i for i in rng.sample(range(10_000_000, 99_999_999), PREPAID + 3) if str(i) not in taken]
    codes = rng.sample(range(100_000, 999_999), PREPAID + 1)
    orders = []
    for i, (oid, code) in enumerate(zip(ids, codes, strict=False)):
        token = f"{rng.getrandbits(64):016x}" if i % 2 == 1 else None
        order = DemoOrder(str(oid), CUSTOMERS[(i + 5) % len(CUSTOMERS)], str(code), token)
        cod = i == PREPAID
        parcel = DemoParcel(
            barcode=f"{oid}-0001-1",
            order=order.id,
            supply=supply.id,
            package=None,
            size="S",
            cod_kopecks=rng.randrange(499, 4999) * 100 if cod else 0,
            age_restricted=False,
        )
        order.parcels.append(parcel)
        supply.parcels.append(parcel)
        orders.append(order)
    return KioskDay(supply, orders[:PREPAID], orders[PREPAID])


def stock_locker(db: Path, rng: random.Random, key: bytes, plan: DemoDay) -> KioskDay:
    """The locker's cells in the main device's store DB, and the kiosk's orders as the clerk left
    them before opening: imported, accepted and stored (the prepaid ones behind doors, one a door),
    through the one writer of parcel state."""
    kiosk = make_kiosk_orders(rng, {o.id for o in plan.orders})
    # By the real clock, as the main device runs on it: stored with a week to go, so that its
    # deadline sweep at start leaves them on the shelf.
    before = datetime.now(MSK).replace(microsecond=0)
    cells = [c.address for c in locker_cells()]
    with Store.open(db, owner=True) as store:
        import_cells(store, locker_cells())
        import_day(store, DemoDay([kiosk.supply], kiosk.orders, ""), key, now=before, day=before.date())
        stamp = Stamp(DEVICE_ID, before.isoformat(timespec="seconds"), None, CLERKS[0][0])
        with store.transaction() as conn:
            for order, cell in [*zip(kiosk.prepaid, cells, strict=False), (kiosk.cod, SHELF_CELL)]:
                for parcel in order.parcels:
                    moves = [
                        Move(parcel.barcode, ParcelState.ACCEPTED, "accepted"),
                        Move(parcel.barcode, ParcelState.STORED, "placed", cell=cell),
                    ]
                    move_parcels(conn, stamp, moves)
    return kiosk


def typed(order: DemoOrder, *, qr: bool = False) -> str:
    """What the kiosk's scanner reads for a customer: the app's QR code, or the code typed on its
    keypad (the stdin scanner's `k:` lines are keyed)."""
    if qr and order.qr_token is not None:
        return f"{QR_PREFIX}{order.qr_token}"
    return f"k:{order.code}"


def doors_config() -> str:
    """The main device's [doors]: the sim door driver with its simulated customer, the locker's zone."""
    return (
        f'[doors]\nbackend = "sim"\nzone = "{LOCKER}"\ncount = {DOORS}\n'
        f"sim_take_after_s = {TAKE_AFTER_S}\npoll_s = 0.05\n"
    )


def doors_opened(db: Path, station: str) -> int:
    """Doors the main device's door controller opened for the kiosk's customers."""
    return count(db, f"SELECT count(*) FROM door_commands WHERE station = '{station}' AND state = 'opened'")


def kiosk_issued(db: Path, station: str) -> int:
    """Parcels issued at the kiosk so far (the door shut on an empty cell)."""
    return count(db, f"SELECT count(*) FROM journal WHERE station = '{station}' AND to_state = 'issued'")


def kiosk_figures(db: Path, station: str, *, news: int) -> dict[str, Any]:
    """What the kiosk did, from the main device's store: parcels and orders issued at it, customers
    sent to the counter, doors opened for it; and the news (door reports) its station was sent."""
    at = f"station = '{station}'"  # a station name of the demo's own, never a customer's input
    issued = f"FROM journal j JOIN parcels p ON p.barcode = j.parcel WHERE j.{at} AND j.to_state = 'issued'"
    return {
        "orders_issued": count(db, f"SELECT count(DISTINCT p.order_id) {issued}"),
        "parcels_issued": count(db, f"SELECT count(*) {issued}"),
        "sent_to_counter": count(
            db, f"SELECT count(*) FROM journal WHERE {at} AND kind = 'kiosk_to_counter'"
        ),
        "doors_opened": doors_opened(db, station),
        "news": news,
    }
