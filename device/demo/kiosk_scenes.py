"""The kiosk demo's scenes: a customer collecting, and each thing that goes wrong at a locker."""

from __future__ import annotations

from datetime import timedelta

from device.demo.data import DemoOrder
from device.demo.kiosk_data import ADULT, COD, JAMMED, NOT_TAKEN, POWER_CUT, KioskPlan
from device.demo.kiosk_site import KIOSK, RULES, PowerCut, Site
from device.demo.stage import COUNTER
from workflows.customer import masked_name
from workflows.identify import QR_PREFIX
from workflows.inputs import Command


def door_of(site: Site, order: DemoOrder) -> int:
    """The door (on the lock bus) behind which the order's parcel is stored."""
    conn = site.store.conn
    row = conn.execute(
        "SELECT c.channel FROM parcels p JOIN cells c ON c.id = p.cell_id WHERE p.barcode = ?",
        (order.parcels[0].barcode,),
    ).fetchone()
    return int(row[0])


def arrive(site: Site, order: DemoOrder, *, typed: bool) -> None:
    """A customer walks up and shows the QR code from the app, or types the pickup code."""
    site.clock.pause(120, 900)
    site.day.say("demo_customer", customer=masked_name(order.customer), order=order.id)
    if order.qr_token is not None and not typed:
        site.day.scan(KIOSK, f"{QR_PREFIX}{order.qr_token}")
    else:
        site.day.scan(KIOSK, order.code, keyed=True)


def collect(site: Site, order: DemoOrder, *, typed: bool) -> None:
    """The door opens; the customer takes the parcels and shuts it; the kiosk issues and prints."""
    arrive(site, order, typed=typed)
    door = door_of(site, order)
    site.doors_turn()
    site.locker.take(door)
    site.doors_turn()


def jammed(site: Site, plan: KioskPlan) -> None:
    """The lock fires and the door does not move: the order stays as it was; the customer goes to the counter."""
    order = plan.parts[JAMMED]
    door = door_of(site, order)
    site.day.say("demo_kiosk_jam", door=door + 1)
    site.locker.jam(door)
    arrive(site, order, typed=True)
    site.doors_turn()


def not_taken(site: Site, plan: KioskPlan) -> None:
    """The customer opens the door, is called away and shuts it on the parcel: it stays theirs."""
    order = plan.parts[NOT_TAKEN]
    door = door_of(site, order)
    site.day.say("demo_kiosk_not_taken")
    arrive(site, order, typed=False)
    site.doors_turn()
    site.locker.leave(door)
    site.doors_turn()


def attacker(site: Site, plan: KioskPlan, by_qr: DemoOrder) -> dict[str, int]:
    """Someone types made-up codes for an hour: three, and the keypad locks for five minutes, then ten…
    Halfway, a customer with the app's QR code is served all the same."""
    site.day.say("demo_kiosk_attacker", count=RULES.max_wrong_codes, minutes=RULES.lock_s // 60)
    end = site.clock.now + timedelta(hours=1)
    taken = {o.code for o in plan.orders}
    attempts = refused = 0
    served = False
    while site.clock.now < end:
        if not served and site.clock.now >= end - timedelta(minutes=30):
            collect(site, by_qr, typed=False)
            served = True
        guess = f"{site.rng.randrange(100_000, 999_999)}"
        if guess in taken:
            continue
        result = site.day.scan(KIOSK, guess, keyed=True)
        attempts += 1
        if result.feedback.msg.key == "ksk_locked":
            refused += 1
            site.clock.now += timedelta(seconds=site.rng.uniform(60, 180))
    return {"attempts": attempts, "refused_locked": refused}


def counter_for(site: Site, plan: KioskPlan) -> None:
    """Cash on delivery and an 18+ order: the kiosk sends each to the counter, where the clerk issues it."""
    cod, adult = plan.parts[COD], plan.parts[ADULT]
    for order in (cod, adult):
        arrive(site, order, typed=True)
        site.day.say("demo_kiosk_to_counter", customer=masked_name(order.customer))
        site.day.scan(COUNTER, order.code, keyed=True)
        if order is adult:
            site.day.scan(COUNTER, Command.ID_CHECKED)
        for parcel in order.parcels:
            site.day.scan(COUNTER, parcel.barcode)
        if order is cod:
            site.day.scan(COUNTER, Command.PAID_CARD)
        site.day.scan(COUNTER, Command.DONE)


def power_cut(site: Site, plan: KioskPlan) -> None:
    """The power goes the instant a door's lock fires. At the next boot the open is never sent
    again: the controller reads the door open and the customer's collection goes on."""
    order = plan.parts[POWER_CUT]
    door = door_of(site, order)
    arrive(site, order, typed=False)
    site.locker.cut_on = door
    try:
        site.doors_turn()
    except PowerCut:
        site.day.say("demo_kiosk_power_cut", door=door + 1)
        site.power_cut()
    site.clock.pause(40, 90)
    site.day.say("demo_kiosk_power_back")
    site.boot()
    site.locker.take(door)
    site.doors_turn()
