"""The demo's later scenes: last week's supply, the second shift, a return, the courier, inventory."""

from __future__ import annotations

import json
from datetime import timedelta

import msgspec

from device.demo.data import CLERKS, DemoOrder, DemoSupply, manifest_json
from device.demo.stage import BACK, COUNTER, DEVICE_ID, SITE, Day
from device.intake.manifest import decode_manifest, import_manifest
from device.store.journal import Stamp
from drivers.base import Pattern
from sync.inbox import apply_message, wrap
from sync.topics import Topics
from workflows.customer import masked_name
from workflows.inputs import Command

# The courier central sends for the day's outbound parcels.
COURIER = {"code": "CR-00000042", "name": "Дмитрий К.", "company": "Ozon Логистика"}


def last_week(day: Day, supply: DemoSupply, orders: list[DemoOrder], key: bytes) -> None:
    """A week ago the evening clerk accepted and shelved a supply; most of it is never collected."""
    store = day.runtime.engine.store
    raw = json.dumps(
        manifest_json(supply, orders, key=key, deadline=day.clock.now.date() + timedelta(days=7))
    )
    import_manifest(store, decode_manifest(raw.encode()), now=day.clock.now.isoformat(timespec="seconds"))
    day.say("demo_last_week", supply=supply.id)
    day.scan(COUNTER, CLERKS[1][0])
    for parcel in supply.parcels:
        day.scan(COUNTER, parcel.barcode)
    day.scan(COUNTER, Command.DONE)
    day.scan(COUNTER, Command.START_PLACEMENT)
    for parcel in supply.parcels:
        day.scan(COUNTER, parcel.barcode)
        day.scan(COUNTER, day.lit_labels(Pattern.STEADY)[0])
    day.scan(COUNTER, Command.DONE)
    day.scan(COUNTER, Command.SHIFT_CLOSE)


def change_shift(day: Day) -> None:
    """The morning clerk closes the shift (a report prints); the evening clerk signs in."""
    day.say("demo_shift_change")
    day.scan(COUNTER, Command.SHIFT_CLOSE)
    day.scan(BACK, Command.SHIFT_CLOSE)
    day.scan(COUNTER, CLERKS[1][0])
    day.scan(BACK, CLERKS[1][0])


def customer_return(day: Day, order: DemoOrder) -> None:
    """A customer brings back what was collected in the morning: incomplete, but taken in."""
    day.say("demo_customer_return", customer=masked_name(order.customer), order=order.id)
    day.scan(COUNTER, Command.START_RETURN)
    day.scan(COUNTER, order.parcels[0].barcode)
    day.scan(COUNTER, Command.CHECK_OK)
    day.scan(COUNTER, Command.CHECK_FAIL)
    day.scan(COUNTER, day.lit_labels(Pattern.STEADY)[0])


def send_back(day: Day) -> None:
    """The courier comes for everything that leaves: what is due back to the senders in one bag, the
    sellers' shipments and customers' sends in another; central's list says who collects them."""
    day.say("demo_send_back")
    conn = day.runtime.engine.store.conn
    returns = [
        r[0] for r in conn.execute("SELECT barcode FROM parcels WHERE state = 'to_return' ORDER BY barcode")
    ]
    leaving = [
        r[0] for r in conn.execute("SELECT barcode FROM parcels WHERE state = 'outbound' ORDER BY barcode")
    ]
    return_bag, ship_bag = f"RB{day.clock.now:%Y%m%d}01", f"OB{day.clock.now:%Y%m%d}01"
    courier_list(day, parcels=returns + leaving, bags=[return_bag, ship_bag])
    day.scan(BACK, Command.START_RETURN_TO_SENDER)
    day.scan(BACK, return_bag)
    for barcode in returns:
        day.scan(BACK, barcode)
    stored = conn.execute(
        "SELECT barcode FROM parcels WHERE state = 'stored' ORDER BY barcode LIMIT 1"
    ).fetchone()
    day.scan(BACK, stored[0])  # a parcel still within its storage period: not due, refused
    if leaving:
        day.scan(BACK, ship_bag)
        for barcode in leaving:
            day.scan(BACK, barcode)
    day.scan(BACK, Command.DONE)  # the counter asks for the courier's code
    day.scan(BACK, COURIER["code"])


def support_answers(day: Day) -> None:
    """Support answers the ticket of the morning's unknown barcode, as the hub would send it."""
    conn = day.runtime.engine.store.conn
    row = conn.execute(
        "SELECT ticket_id FROM tickets WHERE kind = 'unknown_barcode' AND state = 'open' ORDER BY id LIMIT 1"
    ).fetchone()
    if row is None:
        return
    day.say("demo_ticket_answer")
    text = "Отправление из другой поставки: оставьте на полке излишков, курьер заберёт завтра"
    body = msgspec.json.encode({"ticket": row[0], "text": text})
    raw = wrap("ticket_resolution", body, message_id=f"resolution-{row[0]}", version=1)
    _from_central(day, raw)


def courier_list(day: Day, *, parcels: list[str], bags: list[str]) -> None:
    """Central's word on who comes today and what they take, through the real inbox."""
    body = msgspec.json.encode({**COURIER, "parcels": parcels, "bags": bags})
    raw = wrap("courier", body, message_id=f"courier-{day.clock.now:%Y%m%d}", version=1)
    _from_central(day, raw)


def _from_central(day: Day, raw: bytes) -> None:
    """A message on the device's manifest topic, through the real inbox (checked whole, applied once)."""
    stamp = Stamp(DEVICE_ID, day.clock.now.isoformat(timespec="seconds"))
    apply_message(day.runtime.engine.store, raw, stamp=stamp, topic=Topics(SITE, DEVICE_ID).manifest)


def inventory(day: Day) -> tuple[str, str]:
    """Count every cell as it physically is: one parcel sits on the wrong shelf, one is lost."""
    conn = day.runtime.engine.store.conn
    shelves: dict[str, list[str]] = {}
    for label, barcode in conn.execute(
        "SELECT c.label, p.barcode FROM cells c LEFT JOIN parcels p ON p.cell_id = c.id ORDER BY c.address, p.barcode"
    ):
        shelves.setdefault(label, [])
        if barcode is not None:
            shelves[label].append(barcode)
    full = [label for label, items in shelves.items() if len(items) == 1 and not label.startswith("C-R")]
    strayed_from, lost_from = full[0], full[-1]
    strayed, lost = shelves[strayed_from].pop(), shelves[lost_from].pop()
    empty = next(
        label for label, items in shelves.items() if not items and label[2] != "R" and label != strayed_from
    )
    shelves[empty].append(strayed)
    day.say("demo_inventory", strayed=strayed, lost=lost)
    day.scan(BACK, Command.START_INVENTORY)
    for label, items in shelves.items():
        day.scan(BACK, label)
        for barcode in items:
            day.scan(BACK, barcode)
    day.scan(BACK, Command.DONE)
    return strayed, lost


def evening(day: Day, issued_today: list[DemoOrder]) -> None:
    change_shift(day)
    day.clock.jump_to(17, 30)
    returned = next(o for o in issued_today if len(o.parcels) == 1 and not o.cod_kopecks)
    customer_return(day, returned)
    day.clock.jump_to(18, 30)
    support_answers(day)
    day.clock.jump_to(19, 0)
    send_back(day)
    day.clock.jump_to(20, 30)
    inventory(day)
    day.scan(COUNTER, Command.SHIFT_CLOSE)
    day.scan(BACK, Command.SHIFT_CLOSE)
