"""A known day at the pickup point for the report tests, driven through the real engine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import CLERK, CLERK2, T0, new_engine, new_store, scan, standard_manifest
from workflows.inputs import Command

SURPLUS = "55555555-0001-1"
D21, D22 = date(2026, 11, 21), date(2026, 11, 22)
ANNA = {
    "badge": CLERK,
    "name": "Анна С.",
    "accepted": 5,  # four expected and the surplus
    "placed": 0,
    "issued": 2,
    "refused": 1,
    "customer_returns": 0,
    "returned": 0,
    "inventory": 0,
    "events": 19,
    "kinds": {
        "accepted": 4,
        "damaged": 1,
        "issue_completed": 2,
        "issued": 2,
        "missing": 1,
        "package_accepted": 1,
        "refused": 1,
        "shift_closed": 1,
        "shift_opened": 1,
        "signed_in": 1,
        "signed_out": 1,
        "supply_accepting": 1,
        "supply_closed": 1,
        "surplus": 1,
    },
}
OLEG_21 = {
    "badge": CLERK2,
    "name": "Олег В.",
    "accepted": 0,
    "placed": 4,
    "issued": 0,
    "refused": 0,
    "customer_returns": 0,
    "returned": 0,
    "inventory": 0,
    "events": 7,
    "kinds": {"placed": 4, "placement_ended": 1, "shift_opened": 1, "signed_in": 1},
}
S1 = {
    "supply": "S1",
    "carrier": "Test Carrier",
    "expected": 5,
    "accepted": 4,
    "missing": 1,
    "surplus": 1,
    "damaged": 1,
}
COD = {
    "total_kopecks": 123450,
    "cash_kopecks": 123450,
    "card_kopecks": 0,
    "orders": 1,
    "items": [
        {
            "ts": "2026-11-21T13:00:03+00:00",
            "order": "33333333",
            "kopecks": 123450,
            "payment": "cash",
            "clerk": CLERK,
            "station": "a",
        }
    ],
}
REFUSALS = [
    {
        "ts": "2026-11-21T15:00:04+00:00",
        "parcel": "22222222-0002-1",
        "order": "22222222",
        "clerk": CLERK,
        "station": "a",
    }
]
WAITS = {
    "count": 2,
    "clock_back": 0,
    "mean_hours": 4.83,
    "median_hours": 4.83,
    "max_hours": 5.83,
    "parcels": [
        {
            "parcel": "33333333-0001-1",
            "order": "33333333",
            "accepted_at": "2026-11-21T09:10:05+00:00",
            "issued_at": "2026-11-21T13:00:03+00:00",
            "seconds": 13798,  # 3:49:58
            "hours": 3.83,
            "clock_back": False,
        },
        {
            "parcel": "22222222-0001-1",
            "order": "22222222",
            "accepted_at": "2026-11-21T09:10:03+00:00",
            "issued_at": "2026-11-21T15:00:04+00:00",
            "seconds": 21001,  # 5:50:01
            "hours": 5.83,
            "clock_back": False,
        },
    ],
}
STATES = {
    "expected": 0,
    "accepted": 1,
    "stored": 0,
    "issued": 3,
    "missing": 1,
    "to_return": 1,
    "returning": 0,
    "returned": 0,
    "outbound": 0,
    "dispatching": 0,
    "dispatched": 0,
}


class SetClock:
    """Wall time the test sets; each reading takes one second, so events stay ordered."""

    def __init__(self) -> None:
        self.now = T0

    def at(self, hour: int, minute: int = 0, day: int = 21) -> None:
        self.now = datetime(2026, 11, day, hour, minute, tzinfo=UTC)

    def __call__(self) -> datetime:
        now = self.now
        self.now += timedelta(seconds=1)
        return now


def build_day(path: Path, lang: str = "ru") -> tuple[Store, Engine, SetClock]:
    """Two clerks on two stations on 2026-11-21 (UTC), one more issue on the 22nd.

    Anna (station a) accepts supply S1 (one parcel damaged, one surplus, 44444444 missing),
    Oleg (station b) places four parcels, Anna issues the COD order 33333333 and order
    22222222 with one parcel refused, then closes her shift; on the 22nd Oleg issues 11111111.
    """
    store = new_store(path, standard_manifest())
    clock = SetClock()
    engine = new_engine(store, lang, signed_in=(), clock=clock)
    clock.at(9, 0)
    scan(engine, CLERK, station="a")
    clock.at(9, 1)
    scan(engine, CLERK2, station="b")
    clock.at(9, 10)
    scan(engine, "BOX00000001", Command.DAMAGED, "11111111-0001-1", station="a")  # :00 :01 :02
    scan(engine, "22222222-0001-1", "22222222-0002-1", "33333333-0001-1", station="a")  # :03 :04 :05
    scan(engine, SURPLUS, Command.DONE, Command.DONE, station="a")  # :06; :07 asks, :08 closes
    clock.at(10, 0)
    scan(engine, Command.START_PLACEMENT, station="b")
    for parcel, cell in [
        ("11111111-0001-1", "C-A-01-1"),  # 10:00:01, :02
        ("22222222-0001-1", "C-A-03-1"),
        ("22222222-0002-1", "C-A-03-1"),  # :05, :06
        ("33333333-0001-1", "C-A-02-1"),
    ]:
        scan(engine, parcel, cell, station="b")
    scan(engine, Command.DONE, station="b")
    clock.at(13, 0)
    scan(engine, "33333333*3333", station="a", keyed=True)
    scan(engine, "33333333-0001-1", Command.PAID, Command.DONE, station="a")  # done at 13:00:03
    clock.at(15, 0)
    scan(engine, "22222222*222222", station="a", keyed=True)
    scan(engine, "22222222-0001-1", Command.REFUSE_ITEM, "22222222-0002-1", station="a")
    scan(engine, Command.DONE, station="a")  # 15:00:04
    clock.at(18, 0)
    scan(engine, Command.SHIFT_CLOSE, station="a")
    clock.at(10, 0, day=22)
    scan(engine, "11111111*1111", station="b", keyed=True)
    scan(engine, "11111111-0001-1", Command.DONE, station="b")  # 10:00:02 on the 22nd
    return store, engine, clock
