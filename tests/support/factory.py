"""Test data built through the real import paths: a small rack and manifests in the wire shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from device.documents.registry import Documents
from device.engine import Engine, Result
from device.intake.manifest import decode_manifest, import_manifest
from device.intake.rack import CellSpec, import_cells
from device.store.codes import code_hmac
from device.store.db import Store
from workflows.context import Policy
from workflows.inputs import Command
from workflows.parcel import Size

KEY = bytes(range(32))
DEVICE = "pvz-test-0001"
SITE = "test-site"
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


class StepClock:
    """Advances one second per call so journal times are ordered and repeatable."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def cells() -> list[CellSpec]:
    """Six main cells (S, S, M, M, L with room for 2, XL) and a returns cell."""
    spec = [
        ("A-01-1", "S", 1),
        ("A-01-2", "S", 1),
        ("A-02-1", "M", 1),
        ("A-02-2", "M", 1),
        ("A-03-1", "L", 2),
    ]
    out = [CellSpec(address=a, size=Size(s), capacity=c, channel=i) for i, (a, s, c) in enumerate(spec)]
    out.append(CellSpec(address="B-01-1", size=Size.XL, capacity=3, channel=5))
    out.append(CellSpec(address="R-01-1", size=Size.XL, capacity=10, channel=6, zone="returns"))
    return out


@dataclass
class P:
    barcode: str
    order: str
    size: str = "S"
    cod: int = 0
    age: bool = False
    package: str | None = None


@dataclass
class M:
    supply: str
    parcels: list[P]
    packages: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)  # order -> pickup code
    qr: dict[str, str] = field(default_factory=dict)  # order -> QR token
    version: int = 1
    phones: dict[str, str] = field(default_factory=dict)  # order -> the customer's phone, if central has it

    def to_json(self) -> dict[str, Any]:
        orders = sorted({p.order for p in self.parcels})
        return {
            "version": self.version,
            "supply_id": self.supply,
            "carrier": "Test Carrier",
            "packages": [{"barcode": b, "kind": "box"} for b in self.packages],
            "orders": [
                {
                    "id": o,
                    "customer": "Иван П.",
                    "pickup_code_hmac": code_hmac(KEY, self.codes[o]) if o in self.codes else None,
                    "qr_token_hmac": code_hmac(KEY, self.qr[o]) if o in self.qr else None,
                    **({"phone": self.phones[o]} if o in self.phones else {}),
                }
                for o in orders
            ],
            "parcels": [
                {
                    "barcode": p.barcode,
                    "order": p.order,
                    "package": p.package,
                    "size": p.size,
                    "deadline": "2026-11-28",
                    "cod_kopecks": p.cod,
                    "age_restricted": p.age,
                }
                for p in self.parcels
            ],
        }


def load(store: Store, manifest: M) -> None:
    raw = json.dumps(manifest.to_json()).encode()
    import_manifest(store, decode_manifest(raw), now=T0.isoformat())


def standard_manifest() -> M:
    """Supply S1: box BOX00000001 with three parcels, two loose; orders of one, two, COD, 18+."""
    return M(
        "S1",
        [
            P("11111111-0001-1", "11111111", package="BOX00000001"),
            P("22222222-0001-1", "22222222", package="BOX00000001"),
            P("22222222-0002-1", "22222222", size="M", package="BOX00000001"),
            P("33333333-0001-1", "33333333", cod=123450),
            P("44444444-0001-1", "44444444", age=True, size="L"),
        ],
        packages=["BOX00000001"],
        codes={"11111111": "1111", "22222222": "222222", "33333333": "3333", "44444444": "4444"},
        qr={"22222222": "qr-token-22"},
    )


CLERK, CLERK2 = "BADGE-0001", "BADGE-0002"
STATIONS = ("s1", "a", "b")


def new_store(path: Path, *manifests: M, rack: list[CellSpec] | None = None) -> Store:
    """The test device's store: its id, two clerks, a rack (`cells()` unless given), these manifests."""
    store = Store.open(path)
    with store.transaction() as conn:
        store.set_meta("device_id", DEVICE)
        conn.executemany(
            "INSERT INTO clerks (badge, name) VALUES (?, ?)", [(CLERK, "Анна С."), (CLERK2, "Олег В.")]
        )
    import_cells(store, cells() if rack is None else rack)
    for manifest in manifests:
        load(store, manifest)
    return store


def new_engine(
    store: Store,
    lang: str = "ru",
    *,
    signed_in: tuple[str, ...] = STATIONS,
    clock: Callable[[], datetime] | None = None,
    tz: tzinfo | None = None,
    policy: Policy | None = None,
    address: str = "",
) -> Engine:
    """An engine whose stations already have a clerk signed in (as every test but sign-in needs).

    `tz` is the site's zone its documents print times in (as written, without one).
    """
    docs = Documents(site=SITE, device_id=DEVICE, lang=lang, tz=tz, address=address)
    engine = Engine(
        store, device_id=DEVICE, pickup_key=KEY, docs=docs, clock=clock or StepClock(), policy=policy
    )
    for station in signed_in:
        engine.handle(station, CLERK)
    return engine


def scan(engine: Engine, *codes: str | bytes | Command, station: str = "s1", keyed: bool = False) -> Result:
    """Scan each code in turn at a station; return the last result."""
    result = None
    for code in codes:
        raw = code.barcode if isinstance(code, Command) else code
        result = engine.handle(station, raw, keyed=keyed)
    assert result is not None
    return result


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: equal dumps mean nothing changed."""
    tables = [
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    return {t: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}


def state(store: Store, barcode: str) -> tuple[str, str | None]:
    row = store.conn.execute(
        "SELECT p.state, c.address FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id WHERE p.barcode = ?",
        (barcode,),
    ).fetchone()
    assert row is not None, barcode
    return row[0], row[1]
