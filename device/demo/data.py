"""The demo's synthetic day: supplies, orders and customers generated from a seed."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from device.store.codes import code_hmac

# Central knows each customer's full name and phone; the device keeps "Иван П." and "•••• 4567"
# (workflows/customer.py). Full names here let tests/test_privacy_scan.py look for them in logs.
# None shares a first name with a clerk, whose name the logs may show.
CUSTOMERS = [
    "Иван Петров", "Мария Кузнецова", "Дмитрий Волков", "Ольга Новикова", "Сергей Морозов",
    "Елена Тихонова", "Алексей Белов", "Наталья Григорьева", "Пётр Жуков", "Татьяна Лебедева",
    "Андрей Фёдоров", "Юлия Романова", "Михаил Чернов", "Светлана Данилова", "Николай Ефимов",
    "Ирина Щербакова", "Владимир Зайцев", "Ксения Яковлева", "Роман Харитонов", "Галина Соколова",
]  # fmt: skip
CLERKS = [("BADGE-7001", "Анна С."), ("BADGE-7002", "Олег В.")]
CARRIERS = ["Ozon Логистика", "Ozon Экспресс", "Межрегиональный курьер"]


@dataclass
class DemoParcel:
    barcode: str
    order: str
    supply: str
    package: str | None
    size: str
    cod_kopecks: int
    age_restricted: bool
    deadline: date | None = None  # None: the manifest's default storage period


@dataclass
class DemoOrder:
    id: str
    customer: str
    code: str  # what the customer dictates; only its keyed hash goes into the manifest
    qr_token: str | None
    parcels: list[DemoParcel] = field(default_factory=list)

    @property
    def phone(self) -> str:
        """A mobile number made from the order id (not from the seeded draws, so that adding it
        left the demo's day as it was), spelled as central might: "+7 9XX XXX-XX-XX"."""
        n = int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:8], "big") % 10**9
        d = f"9{n:09d}"
        return f"+7 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}"

    @property
    def cod_kopecks(self) -> int:
        return sum(p.cod_kopecks for p in self.parcels)


@dataclass
class DemoSupply:
    id: str
    carrier: str
    packages: list[str]
    parcels: list[DemoParcel] = field(default_factory=list)


@dataclass
class DemoDay:
    supplies: list[DemoSupply]
    orders: list[DemoOrder]
    surplus_barcode: str


def make_day(rng: random.Random, *, day: date, n_orders: int = 46) -> DemoDay:
    """46 orders, 64 parcels in three supplies: two boxes, one bag, and loose parcels."""
    supplies = [DemoSupply(f"SUP-{day:%Y%m%d}-{i + 1}", CARRIERS[i], []) for i in range(3)]
    supplies[0].packages = [f"BOX{day:%m%d}0{i}" for i in (1, 2)]
    supplies[1].packages = [f"BAG{day:%m%d}03"]
    order_ids = rng.sample(range(10_000_000, 99_999_999), n_orders)
    codes = rng.sample(range(100_000, 999_999), n_orders)
    orders = []
    for i, (oid, code) in enumerate(zip(order_ids, codes, strict=True)):
        token = f"{rng.getrandbits(64):016x}" if i % 3 == 0 else None
        orders.append(DemoOrder(str(oid), CUSTOMERS[i % len(CUSTOMERS)], str(code), token))
    # 32 orders of one parcel, 10 of two, 4 of three; some orders span two supplies.
    counts = [1] * 32 + [2] * 10 + [3] * 4
    rng.shuffle(counts)
    cod_orders = set(rng.sample(range(n_orders), 12))
    age_orders = set(rng.sample(sorted(set(range(n_orders)) - cod_orders), 2))
    for i, order in enumerate(orders):
        home = rng.randrange(3)
        for posting in range(1, counts[i] + 1):
            supply = supplies[home if posting == 1 or rng.random() < 0.7 else rng.randrange(3)]
            package = rng.choice(supply.packages) if supply.packages and rng.random() < 0.8 else None
            cod = rng.randrange(299, 8999) * 100 + rng.choice([0, 50, 90]) if i in cod_orders else 0
            parcel = DemoParcel(
                barcode=f"{order.id}-{posting:04d}-1",
                order=order.id,
                supply=supply.id,
                package=package,
                size=rng.choices(["S", "M", "L"], weights=[5, 4, 1])[0],
                cod_kopecks=cod,
                age_restricted=i in age_orders,
            )
            order.parcels.append(parcel)
            supply.parcels.append(parcel)
    surplus = f"{rng.randrange(10_000_000, 99_999_999)}-0001-1"
    return DemoDay(supplies, orders, surplus)


def manifest_json(
    supply: DemoSupply, orders: list[DemoOrder], *, key: bytes, deadline: date
) -> dict[str, Any]:
    """The supply as central would send it: codes only as keyed hashes."""
    by_id = {o.id: o for o in orders}
    wanted = sorted({p.order for p in supply.parcels})
    return {
        "version": 1,
        "supply_id": supply.id,
        "carrier": supply.carrier,
        "packages": [
            {"barcode": b, "kind": "box" if b.startswith("BOX") else "bag"} for b in supply.packages
        ],
        "orders": [
            {
                "id": oid,
                "customer": by_id[oid].customer,
                "phone": by_id[oid].phone,
                "pickup_code_hmac": code_hmac(key, by_id[oid].code),
                "qr_token_hmac": None
                if by_id[oid].qr_token is None
                else code_hmac(key, str(by_id[oid].qr_token)),
            }
            for oid in wanted
        ],
        "parcels": [
            {
                "barcode": p.barcode,
                "order": p.order,
                "package": p.package,
                "size": p.size,
                "deadline": (p.deadline or deadline).isoformat(),
                "cod_kopecks": p.cod_kopecks,
                "age_restricted": p.age_restricted,
            }
            for p in supply.parcels
        ],
    }


def make_last_week(rng: random.Random, *, day: date, n: int = 7) -> tuple[DemoSupply, list[DemoOrder]]:
    """A supply accepted a week before the demo day; five of its parcels are never collected."""
    supply = DemoSupply(f"SUP-{day:%Y%m%d}-9", CARRIERS[0], [])
    orders = []
    for i in range(n):
        order = DemoOrder(
            str(rng.randrange(10_000_000, 99_999_999)), CUSTOMERS[(i + 7) % len(CUSTOMERS)], "0", None
        )
        order.code = str(rng.randrange(100_000, 999_999))
        expires = day + timedelta(days=6 if i < 5 else 14)
        parcel = DemoParcel(f"{order.id}-0001-1", order.id, supply.id, None, "S", 0, False, expires)
        order.parcels.append(parcel)
        supply.parcels.append(parcel)
        orders.append(order)
    return supply, orders
