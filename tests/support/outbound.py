"""Parcels that leave through the point, made directly in the store, and couriers central sends.

The drop-off and send flows are built beside the hand-over; until they are merged, their
parcels are made here as those flows leave them: waiting for the courier, in no cell.
"""

from __future__ import annotations

import json

from device.store.db import Store
from sync.inbox import wrap

TS = "2026-11-21T09:00:00+00:00"


def add_outbound(store: Store, barcode: str, kind: str, *, size: str = "M") -> None:
    """A drop-off shipment or a customer's send waiting at the point for the courier."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO parcels (barcode, kind, size, state, updated_at, weight_g) "
            "VALUES (?, ?, ?, 'outbound', ?, ?)",
            (barcode, kind, size, TS, 1200 if kind == "send" else None),
        )


def courier_body(
    code: str, *, parcels: tuple[str, ...] = (), bags: tuple[str, ...] = ()
) -> dict[str, object]:
    return {
        "code": code,
        "name": "Иван Курьеров",
        "company": "СДЭК",
        "parcels": list(parcels),
        "bags": list(bags),
    }


def courier_message(
    code: str, *, mid: str, version: int = 1, parcels: tuple[str, ...] = (), bags: tuple[str, ...] = ()
) -> bytes:
    """The downstream message central sends before a courier comes."""
    body = json.dumps(courier_body(code, parcels=parcels, bags=bags), ensure_ascii=False).encode()
    return wrap("courier", body, message_id=mid, version=version)
