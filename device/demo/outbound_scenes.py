"""The demo's outbound side: a seller's drop-off with a shipment missing, and customers' sends.

Central's side is played by the demo too: it sends the drop-off list through the real import, and
signs each send's QR code with the key whose public half the point trusts ([send] public_key).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from device.demo.stage import COUNTER, Day
from device.intake.dropoff import decode_dropoff, import_dropoff
from workflows.inputs import Command
from workflows.parcel import Size
from workflows.send_qr import Shipment, make

SELLER = {"id": "SELLER-4521", "name": "ИП Соколова Е. А."}


@dataclass(frozen=True, slots=True)
class DemoSend:
    qr: str
    weight_g: int
    sides_cm: tuple[int, int, int]


def send_key(rng: random.Random) -> Ed25519PrivateKey:
    """Central's signing key for sends, drawn from the demo's seed so that a day can be replayed."""
    return Ed25519PrivateKey.from_private_bytes(bytes(rng.getrandbits(8) for _ in range(32)))


def seller_dropoff(day: Day, rng: random.Random) -> str:
    """Central announced four shipments; the seller brings three. The act prints twice, to sign."""
    dropoff_id = f"DO-{day.clock.now:%Y%m%d}-1"
    barcodes = [f"FBS-{rng.randrange(10**9, 10**10)}" for _ in range(4)]
    body = {
        "version": 1,
        "dropoff_id": dropoff_id,
        "seller": SELLER,
        "shipments": [
            {"barcode": b, "posting": f"{rng.randrange(10**7, 10**8)}-{i + 1:04d}-1", "size": "M"}
            for i, b in enumerate(barcodes)
        ],
    }
    store = day.runtime.engine.store
    import_dropoff(store, decode_dropoff(json.dumps(body).encode()), now=day.clock.now.isoformat())
    day.say("demo_dropoff", seller=SELLER["name"], count=len(barcodes))
    day.scan(COUNTER, Command.START_DROPOFF)
    day.scan(COUNTER, dropoff_id)
    for barcode in barcodes[:-1]:
        day.scan(COUNTER, barcode)
    day.scan(COUNTER, Command.DONE)  # one is missing: the counter asks first
    day.scan(COUNTER, Command.DONE)
    return dropoff_id


def customer_sends(day: Day, key: Ed25519PrivateKey, point: str) -> None:
    """Two customers send parcels prepared in the app: one fits, one weighs more than the limit."""
    sends = [
        DemoSend(make(Shipment("SND-000417", point, Size.M, "Ольга Н."), key), 2350, (40, 30, 20)),
        DemoSend(make(Shipment("SND-000418", point, Size.L, "Павел Ж."), key), 17_500, (60, 40, 40)),
    ]
    for send in sends:
        day.say("demo_send", weight=f"{send.weight_g / 1000:.2f}".replace(".", ","))
        day.scan(COUNTER, Command.START_SEND)
        day.scan(COUNTER, send.qr)
        day.scan(COUNTER, Command.CHECK_OK)  # the clerk looked inside
        result = day.scan(COUNTER, str(send.weight_g), keyed=True)
        if result.feedback.msg.key == "send_too_heavy":
            day.scan(COUNTER, Command.CANCEL)  # the customer takes it back
            continue
        for side in send.sides_cm:
            day.scan(COUNTER, str(side), keyed=True)
