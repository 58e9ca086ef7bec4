"""`pvz demo --kiosk`: a day at a parcel locker's self-service kiosk beside a counter.

Through the real runtime, kiosk flow and door controller over simulated doors: the clerk stocks
the locker (each door opens for the parcel), customers collect by QR code or typed code, an
attacker types codes and is slowed down, a door jams, a parcel is not taken, the power goes while
a door opens, and the orders a kiosk may not issue go to the counter.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from device.demo.data import CLERKS, DemoDay
from device.demo.day import import_day
from device.demo.kiosk_data import DOORS, LOCKER, KioskPlan, locker_rack, make_kiosk_day
from device.demo.kiosk_scenes import attacker, collect, counter_for, jammed, not_taken, power_cut
from device.demo.kiosk_site import KIOSK, RULES, Locker, Site
from device.demo.stage import COUNTER, DEMO_DAY, DEVICE_ID, MSK, SITE, DemoClock
from device.intake.rack import import_cells
from device.store.db import Store
from device.store.summary import summary
from drivers.base import Pattern
from workflows.code_limit import kiosk_guesses, kiosk_steady_rate
from workflows.inputs import Command


def run_kiosk_demo(
    out: Path,
    *,
    seed: int = 1,
    lang: str = "ru",
    quiet: bool = False,
    echo: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("pvz.db", "pvz.db-wal", "pvz.db-shm", "pvz.db.lock", "summary.json"):
        (out / stale).unlink(missing_ok=True)
    rng = random.Random(seed)
    key = bytes(rng.getrandbits(8) for _ in range(32))
    plan = make_kiosk_day(rng, day=DEMO_DAY)
    clock = DemoClock(datetime(DEMO_DAY.year, DEMO_DAY.month, DEMO_DAY.day, 8, 40, tzinfo=MSK), rng)
    with Store.open(out / "pvz.db", owner=True) as store:
        with store.transaction() as conn:
            store.set_meta("device_id", DEVICE_ID)
            conn.executemany("INSERT INTO clerks (badge, name) VALUES (?, ?)", CLERKS)
        import_cells(store, locker_rack())
        import_day(store, DemoDay([plan.supply], plan.orders, ""), key, now=clock.now, day=DEMO_DAY)
    site = Site(out / "pvz.db", key, clock, rng, lang, quiet, Locker(), echo=echo)
    site.boot()
    try:
        site.day.say("demo_kiosk_title", site=SITE, day=DEMO_DAY.isoformat(), doors=DOORS)
        clock.jump_to(9, 0)
        stock(site, plan)
        played = play(site, plan)
        result = summary(site.store)
        result["kiosk"] = kiosk_summary(site, played)
    finally:
        site.store.close()
    (out / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return result


def stock(site: Site, plan: KioskPlan) -> None:
    """The clerk accepts the supply and follows the lit cells: an order a kiosk may issue goes behind
    a door, which opens for the parcel and is shut on it; the rest goes on the counter's shelf."""
    day = site.day
    day.say("demo_kiosk_stock")
    day.scan(COUNTER, CLERKS[0][0])
    for parcel in plan.supply.parcels:
        day.scan(COUNTER, parcel.barcode)
    day.scan(COUNTER, Command.DONE)
    day.scan(COUNTER, Command.START_PLACEMENT)
    conn = site.store.conn
    for order in plan.orders:
        for parcel in order.parcels:
            day.scan(COUNTER, parcel.barcode)
            label = day.lit_labels(Pattern.STEADY)[0]
            day.scan(COUNTER, label)
            zone, door = conn.execute("SELECT zone, channel FROM cells WHERE label = ?", (label,)).fetchone()
            if zone == LOCKER:
                site.doors_turn()  # the door opens for the clerk
                site.locker.load(door)
                site.locker.leave(door)  # the parcel in, the door shut
                site.doors_turn()
    day.scan(COUNTER, Command.DONE)


def play(site: Site, plan: KioskPlan) -> dict[str, int]:
    """The kiosk's day from ten o'clock: the customers, and everything that goes wrong."""
    site.clock.jump_to(10, 0)
    site.day.say("demo_kiosk_customers")
    plain = plan.plain()
    by_qr = next(o for o in plain if o.qr_token is not None)  # comes while the keypad is locked
    plain.remove(by_qr)
    for i, order in enumerate(plain[: len(plain) // 2]):
        collect(site, order, typed=i % 2 == 1)
    jammed(site, plan)
    site.clock.jump_to(13, 0)
    played = attacker(site, plan, by_qr)
    site.clock.jump_to(15, 30)  # the last lock has run out
    not_taken(site, plan)
    counter_for(site, plan)
    power_cut(site, plan)
    site.clock.jump_to(17, 0)
    for i, order in enumerate(plain[len(plain) // 2 :]):
        collect(site, order, typed=i % 2 == 0)
    return played


def kiosk_summary(site: Site, played: dict[str, int]) -> dict[str, Any]:
    """The kiosk's day in figures, counted from the journal and the door commands."""
    store = site.store
    journal = "SELECT count(*) FROM journal WHERE station = ? AND kind = ?"
    steady, _ = kiosk_steady_rate(RULES)
    return {
        "issued": store.scalar(
            "SELECT count(*) FROM journal WHERE station = ? AND to_state = 'issued'", (KIOSK,)
        ),
        "sent_to_counter": store.scalar(journal, (KIOSK, "kiosk_to_counter")),
        "jammed": store.scalar("SELECT count(*) FROM door_commands WHERE state = 'jammed'"),
        "not_taken": store.scalar(
            "SELECT count(*) FROM journal WHERE station = ? AND kind = 'door_report' "
            "AND json_extract(data, '$.event') = 'closed_full'",
            (KIOSK,),
        ),
        "wrong_codes": store.scalar(journal, (KIOSK, "wrong_code")),
        "codes_refused_while_locked": played["refused_locked"],
        "guesses_per_hour": kiosk_guesses(3600, RULES),
        "guesses_per_hour_long_run": round(steady, 3),
        "power_cuts": site.boots - 1,
        "door_pulses": len(site.locker.pulses),
    }
