"""A kiosk beside a counter on one store: locker doors and shelf cells stocked through the real engine.

The counter c1 accepts and places supply K1 (into the locker's door cells too: each door is
commanded open for the clerk); the kiosk k1 serves customers. Placement keeps one order behind
each door, so the door holding two orders (L-17) is a shelf cell while they go in and joins the
locker after, by importing the rack again, as a technician re-zoning the rack would.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from device.engine import Engine, Result
from device.intake.rack import CellSpec, import_cells
from device.store.db import Store
from tests.support.factory import T0, M, P, new_engine, new_store, scan
from workflows.context import KioskRules, Policy
from workflows.inputs import Command, DoorEvent, DoorReport, Tick
from workflows.parcel import Size

KIOSK, COUNTER = "k1", "c1"
LOCKER = "locker"
RULES = KioskRules(max_wrong_codes=3, lock_s=300, max_lock_s=86_400, forget_after_s=86_400, idle_s=120)
POLICY = Policy(kiosk=RULES)

# Locker cells: the label is printed on the door, the channel is the door's number on the lock bus.
DOORS = {"L-14": ("14", 14), "L-15": ("15", 15), "L-16": ("16", 16), "L-17": ("17", 17), "L-18": ("18", 18)}
SHELF = ("S-01", "S-02", "S-03")

MIXED = "50000001"  # one parcel behind door 14, one on shelf S-01
LOCKED = "50000002"  # one parcel behind door 15
COD = "50000003"  # cash on delivery, behind door 16
ADULT = "50000004"  # 18+, on shelf S-02
DAMAGED = "50000005"  # damaged at acceptance, on shelf S-03
SHARED_A, SHARED_B = "50000006", "50000007"  # both behind door 17
TWO = "50000008"  # two parcels behind door 18
SHELVED = "50000009"  # two parcels on shelf S-01

WHERE = {  # parcel -> cell address
    "50000001-0001-1": "L-14",
    "50000001-0002-1": "S-01",
    "50000002-0001-1": "L-15",
    "50000003-0001-1": "L-16",
    "50000004-0001-1": "S-02",
    "50000005-0001-1": "S-03",
    "50000006-0001-1": "L-17",
    "50000007-0001-1": "L-17",
    "50000008-0001-1": "L-18",
    "50000008-0002-1": "L-18",
    "50000009-0001-1": "S-01",
    "50000009-0002-1": "S-01",
}
CODES = {o: o[-4:] + "1" for o in (MIXED, LOCKED, COD, ADULT, DAMAGED, SHARED_A, SHARED_B, TWO, SHELVED)}
QR = {MIXED: "qr-mixed", LOCKED: "qr-locked"}


SHARED_DOOR = "L-17"


def rack(*, shared_zoned: bool) -> list[CellSpec]:
    shelf = [CellSpec(address=a, size=Size.M, channel=i, label=a, capacity=3) for i, a in enumerate(SHELF)]
    doors = [
        CellSpec(
            address=a,
            size=Size.M,
            channel=ch,
            label=label,
            capacity=2,
            zone=LOCKER if shared_zoned or a != SHARED_DOOR else "main",
        )
        for a, (label, ch) in DOORS.items()
    ]
    return shelf + doors


def manifest() -> M:
    parcels = [
        P(
            barcode,
            barcode.split("-")[0],
            cod=10_000 if barcode.startswith(COD) else 0,
            age=barcode.startswith(ADULT),
        )
        for barcode in WHERE
    ]
    return M("K1", parcels, codes=dict(CODES), qr=dict(QR))


class Clock:
    """A clock the test moves by hand; every handle reads the same moment until it is moved."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def kiosk_site(path: Path, *, policy: Policy = POLICY) -> tuple[Store, Engine, Clock]:
    """Supply K1 accepted (the damaged order's parcel marked so) and placed at c1; k1 is a kiosk."""
    store = new_store(path, manifest(), rack=rack(shared_zoned=False))
    clock = Clock()
    engine = new_engine(store, signed_in=(COUNTER,), policy=policy, clock=clock)
    engine.kinds[KIOSK] = "kiosk"
    damaged = f"{DAMAGED}-0001-1"
    loose = [b for b in WHERE if b != damaged]
    scan(engine, "K1", *loose, Command.DAMAGED, damaged, Command.DONE, station=COUNTER)
    scan(engine, Command.START_PLACEMENT, station=COUNTER)
    for parcel, cell in WHERE.items():
        label = DOORS[cell][0] if cell in DOORS else cell
        scan(engine, parcel, label, station=COUNTER)
    scan(engine, Command.DONE, station=COUNTER)
    import_cells(store, rack(shared_zoned=True))
    return store, engine, clock


def at_kiosk(engine: Engine, *codes: str | Command, keyed: bool = True) -> Result:
    return scan(engine, *codes, station=KIOSK, keyed=keyed)


def door(engine: Engine, number: int, event: DoorEvent, cell: str | None = None) -> Result:
    """The door controller's report about one door, for the kiosk."""
    address = cell or next(a for a, (_, ch) in DOORS.items() if ch == number)
    return engine.handle_event(KIOSK, DoorReport(number, address, event))


def tick(engine: Engine) -> Result:
    return engine.handle_event(KIOSK, Tick())
