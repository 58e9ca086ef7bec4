"""Manifest updates in the wire shape, and applied as the device applies them on the deadline day."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from device.intake.updates import apply_updates, decode_updates
from device.store.db import Store
from tests.support.stock import TODAY, device_stamp

REQUEST = {  # a return request for order 11111111 of the standard manifest
    "type": "return_request",
    "id": "RR-1",
    "order": "11111111",
    "parcels": ["11111111-0001-1"],
    "reason": "Не подошёл размер",
}


def raw(*updates: dict[str, Any], version: Any = 1) -> bytes:
    return json.dumps({"version": version, "updates": list(updates)}, ensure_ascii=False).encode()


def deadline(parcel: str, day: Any) -> dict[str, Any]:
    return {"type": "deadline", "parcel": parcel, "deadline": day}


def put(store: Store, data: bytes, day: date = TODAY) -> dict[str, int]:
    """Apply an updates batch as the device's own act on that day."""
    return apply_updates(store, decode_updates(data), stamp=device_stamp(day))
