"""The bench store's orders: distinct order numbers and pickup codes, 1–3 parcels each, of every kind."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from bench.rack import SIZES
from bench.settings import BenchError

SIZE_WEIGHTS = (60, 29, 10, 1)
ORDER_PARCELS = (1, 2, 3)
ORDER_PARCELS_WEIGHTS = (65, 25, 10)
ISSUED_SHARE = 0.10  # of the history: issued already, the rest waits in the cells
COD_SHARE = 0.15
AGE_SHARE = 0.02
QR_EVERY = 3
CUSTOMERS = ("Иван П.", "Анна С.", "Мария К.", "Дмитрий В.", "Ольга Н.", "Сергей М.", "Елена Т.", "Павел Ж.")

# Order numbers are 8 digits in 10000000..89999999, so 90… stays free for unknown codes.
ORDER_ID_LOW = 10_000_000
ORDER_ID_SPAN = 80_000_000
ORDER_ID_STEP = 1_000_003  # prime, so i * step runs through the whole span before repeating
# 7919 is prime and divides neither span of pickup codes.
PICKUP_CODE_STEP = 7919


@dataclass
class Order:
    id: str
    code: str
    qr: str | None
    customer: str
    sizes: list[str]
    cods: list[int]
    age: bool
    kind: str  # "stored", "issued", "accepted" or "expected"
    cell: int | None = None  # index into the rack while stored


def order_ids(rng: random.Random) -> Callable[[int], str]:
    """Distinct 8-digit order numbers, the i-th for the i-th order."""
    offset = rng.randrange(ORDER_ID_SPAN)
    return lambda i: str(ORDER_ID_LOW + (offset + i * ORDER_ID_STEP) % ORDER_ID_SPAN)


def pickup_codes(rng: random.Random, orders: int) -> Callable[[int], str]:
    """Distinct pickup codes: 6 digits as in the demo, 7 when there are too many orders for 6."""
    if orders <= 900_000:
        low = 100_000
        span = 900_000
    else:
        low = 1_000_000
        span = 9_000_000
    if orders > span:
        raise BenchError(f"{orders} orders: more than {span} distinct pickup codes")
    offset = rng.randrange(span)
    return lambda i: str(low + (offset + i * PICKUP_CODE_STEP) % span)


def _history_kind(rng: random.Random) -> str:
    return "issued" if rng.random() < ISSUED_SHARE else "stored"


def plan_orders(
    parcels: int, n_expected: int, n_new: int, n_late: int, rng: random.Random
) -> tuple[list[Order], int]:
    """Orders of 1–3 parcels: history (stored or issued), accepted ones, then the open supply's."""
    history = parcels - n_expected - n_new - n_late
    ids = order_ids(rng)
    codes = pickup_codes(rng, parcels)
    orders: list[Order] = []
    for kind, quota in (("history", history), ("accepted", n_new), ("expected", n_expected)):
        left = quota
        while left > 0:
            i = len(orders)
            k = min(left, rng.choices(ORDER_PARCELS, ORDER_PARCELS_WEIGHTS)[0])
            left -= k
            cod = rng.random() < COD_SHARE
            qr = f"{rng.getrandbits(64):016x}" if i % QR_EVERY == 0 else None
            # Drawn in this order, so that a seed gives the same store as it always did.
            sizes = rng.choices(SIZES, weights=SIZE_WEIGHTS, k=k)
            cods = [rng.randrange(299, 8999) * 100 if cod else 0 for _ in range(k)]
            age = rng.random() < AGE_SHARE
            orders.append(
                Order(
                    id=ids(i),
                    code=codes(i),
                    qr=qr,
                    customer=CUSTOMERS[i % len(CUSTOMERS)],
                    sizes=sizes,
                    cods=cods,
                    age=age,
                    kind=_history_kind(rng) if kind == "history" else kind,
                )
            )
    return orders, history
