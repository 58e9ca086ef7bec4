"""The kiosk demo's locker, shelf and orders, generated from a seed.

Each order has a part in the day: most are collected at the kiosk (by QR or typed code), one
door jams, one parcel is not taken, the power goes while one door opens, a cash-on-delivery and
an 18+ order are sent to the counter.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from device.demo.data import CUSTOMERS, DemoOrder, DemoParcel, DemoSupply
from device.intake.rack import CellSpec
from workflows.parcel import Size

LOCKER = "locker"  # the rack zone whose cells have doors
DOORS = 24
SHELF = ("A-01", "A-02")  # the counter's shelf: what the kiosk may not issue waits there

# The parts orders play, in the order they are drawn.
JAMMED, NOT_TAKEN, POWER_CUT, COD, ADULT, TWO_PARCELS = (
    "jammed",
    "not_taken",
    "power_cut",
    "cod",
    "adult",
    "two",
)
PARTS = (JAMMED, NOT_TAKEN, POWER_CUT, COD, ADULT, TWO_PARCELS)


def locker_rack() -> list[CellSpec]:
    """24 doors labelled 1-24 as printed on them (on the lock bus: doors 0-23), and two shelf cells."""
    doors = [
        CellSpec(
            address=f"L-{n:02d}",
            label=str(n),
            size=Size.L if n <= 6 else Size.M,
            capacity=2,
            channel=n - 1,
            zone=LOCKER,
        )
        for n in range(1, DOORS + 1)
    ]
    shelf = [
        CellSpec(address=a, label=a, size=Size.XL, capacity=6, channel=DOORS + i) for i, a in enumerate(SHELF)
    ]
    return doors + shelf


@dataclass
class KioskPlan:
    supply: DemoSupply
    orders: list[DemoOrder]
    parts: dict[str, DemoOrder]  # the orders with a part in the day, by part

    def plain(self) -> list[DemoOrder]:
        """The orders collected without a hitch (the one of two parcels among them)."""
        special = {o.id for part, o in self.parts.items() if part != TWO_PARCELS}
        return [o for o in self.orders if o.id not in special]


def make_kiosk_day(rng: random.Random, *, day: date, n_orders: int = 14) -> KioskPlan:
    supply = DemoSupply(f"SUP-{day:%Y%m%d}-K", "Ozon Логистика", [])
    ids = rng.sample(range(10_000_000, 99_999_999), n_orders)
    codes = rng.sample(range(100_000, 999_999), n_orders)
    orders = []
    for i, (oid, code) in enumerate(zip(ids, codes, strict=True)):
        token = f"{rng.getrandbits(64):016x}" if i % 2 == 0 else None
        orders.append(DemoOrder(str(oid), CUSTOMERS[(i + 3) % len(CUSTOMERS)], str(code), token))
    parts = dict(zip(PARTS, orders, strict=False))
    for order in orders:
        count = 2 if order is parts[TWO_PARCELS] else 1
        for posting in range(1, count + 1):
            parcel = DemoParcel(
                barcode=f"{order.id}-{posting:04d}-1",
                order=order.id,
                supply=supply.id,
                package=None,
                size=rng.choice(["S", "M"]),
                cod_kopecks=rng.randrange(499, 4999) * 100 if order is parts[COD] else 0,
                age_restricted=order is parts[ADULT],
            )
            order.parcels.append(parcel)
            supply.parcels.append(parcel)
    return KioskPlan(supply, orders, parts)
