"""`pvz demo`: a whole day at a pickup point on simulated hardware, through the real runtime."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from device.demo.data import CLERKS, DemoDay, DemoOrder, DemoSupply, make_day, make_last_week, manifest_json
from device.demo.outbound_scenes import customer_sends, seller_dropoff, send_key
from device.demo.scenes import evening, last_week
from device.demo.stage import BACK, COUNTER, DEMO_DAY, DEVICE_ID, MSK, SITE, Day, DemoClock
from device.documents.registry import Documents
from device.engine import Engine, Result
from device.intake.manifest import decode_manifest, import_manifest
from device.intake.rack import CellSpec, generate_rack, import_cells
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from device.store.summary import summary
from drivers.base import Pattern
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from workflows.context import Policy, SendRules
from workflows.customer import masked_name
from workflows.inputs import Command
from workflows.parcel import Size
from workflows.send_qr import public_key_text


def rack() -> list[CellSpec]:
    """Three rows of 8 columns and 3 levels (72 cells), bottom level large, two parcels a cell;
    and two big shelves of the returns zone."""
    sizes = {1: Size.L, 2: Size.M, 3: Size.S}
    cells = generate_rack("ABC", 8, 3, size_for_level=lambda level: sizes[level], capacity=2)
    for i in (1, 2):
        cells.append(
            CellSpec(address=f"R-0{i}-1", size=Size.XL, capacity=10, channel=len(cells), zone="returns")
        )
    return cells


def run_demo(
    out: Path,
    *,
    seed: int = 1,
    lang: str = "ru",
    quiet: bool = False,
    echo: Callable[[str], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
) -> dict[str, Any]:
    """The whole day; `echo` sees every screen frame and line of the timeline, `on_result` every scan's result."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("pvz.db", "pvz.db-wal", "pvz.db-shm", "pvz.db.lock", "summary.json"):
        (out / stale).unlink(missing_ok=True)
    shutil.rmtree(out / "receipts", ignore_errors=True)
    rng = random.Random(seed)
    today = DEMO_DAY
    key, plan, (old_supply, old_orders) = draw_day(rng, today)
    clock = DemoClock(datetime(2026, 11, 14, 17, 0, tzinfo=MSK), rng)
    store = Store.open(out / "pvz.db", owner=True)
    try:
        setup_site(store)
        docs = Documents(site=SITE, device_id=DEVICE_ID, lang=lang, tz=MSK)
        # Central's key for sends comes from its own stream, so the seeded day stays as it was.
        central = send_key(random.Random(f"send-{seed}"))
        policy = Policy(send=SendRules(public_key=public_key_text(central)))
        engine = Engine(store, device_id=DEVICE_ID, pickup_key=key, docs=docs, clock=clock, policy=policy)
        cells = SimCellLights(clock=clock.timestamp)
        printer = SimPrinter(out_dir=out / "receipts", name="demo-printer")
        stations = [
            StationIO(
                COUNTER,
                printer=printer,
                status_light=SimStatusLight(),
                buzzer=SimBuzzer(),
                screen=SimScreen(echo=echo),
            ),
            StationIO(
                BACK,
                printer=printer,
                status_light=SimStatusLight(),
                buzzer=SimBuzzer(),
                screen=SimScreen(echo=echo),
            ),
        ]
        runtime = Runtime(engine, stations=stations, rack=cells, lang=lang)
        day = Day(runtime, cells, clock, rng, lang, quiet, echo=echo, on_result=on_result)
        day.runtime.on_result = day.show
        day.runtime.start()
        last_week(day, old_supply, old_orders, key)
        clock.now = datetime(today.year, today.month, today.day, 8, 50, tzinfo=MSK)
        import_day(store, plan, key, now=clock.now, day=today)
        day.say("demo_title", site=SITE, day=today.isoformat())
        n_parcels = sum(len(s.parcels) for s in plan.supplies)
        day.say("demo_manifests", supplies=len(plan.supplies), parcels=n_parcels, orders=len(plan.orders))
        expired = day.runtime.check_deadlines(show=True)
        day.say("demo_expired", count=len(expired))
        clock.jump_to(9, 0)
        day.scan(COUNTER, CLERKS[0][0])
        day.scan(BACK, CLERKS[0][0])
        missing = accept_all(day, plan)
        clock.jump_to(11, 30)
        place_all(day, plan, missing)
        clock.jump_to(13, 0)
        issued = issue_orders(day, plan, missing)
        clock.jump_to(15, 0)
        seller_dropoff(day, random.Random(f"dropoff-{seed}"))
        customer_sends(day, central, SITE)
        clock.jump_to(16, 0)
        evening(day, issued)
        result = summary(store)
    finally:
        store.close()
    (out / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return result


def draw_day(rng: random.Random, today: date) -> tuple[bytes, DemoDay, tuple[DemoSupply, list[DemoOrder]]]:
    """The seeded draws of a demo day in their order: the pickup key, the day's supplies and
    orders, last week's supply. Tests draw them again to know the day's customers."""
    key = bytes(rng.getrandbits(8) for _ in range(32))
    plan = make_day(rng, day=today)
    return key, plan, make_last_week(rng, day=today - timedelta(days=7))


def setup_site(store: Store) -> None:
    """The device's identity, its two clerks and the rack with a returns zone."""
    with store.transaction() as conn:
        store.set_meta("device_id", DEVICE_ID)
        conn.executemany("INSERT INTO clerks (badge, name) VALUES (?, ?)", CLERKS)
    import_cells(store, rack())


def import_day(store: Store, plan: DemoDay, key: bytes, *, now: datetime, day: date) -> None:
    """The day's manifests through the real import, as they would arrive overnight."""
    for supply in plan.supplies:
        raw = json.dumps(manifest_json(supply, plan.orders, key=key, deadline=day + timedelta(days=7)))
        import_manifest(store, decode_manifest(raw.encode()), now=now.isoformat(timespec="seconds"))


def prepare_site(store: Store, rng: random.Random, key: bytes, *, now: datetime, day: date) -> DemoDay:
    """A fresh store with the demo rack, clerks and the day's three manifests (for `pvz sim`)."""
    setup_site(store)
    plan = make_day(rng, day=day)
    import_day(store, plan, key, now=now, day=day)
    return plan


def accept_all(day: Day, plan: DemoDay) -> str:
    """Accept the three supplies with a duplicate, a damaged, a surplus, a bad scan and one missing."""
    first, second, third = plan.supplies
    single = {o.id for o in plan.orders if len(o.parcels) == 1 and o.cod_kopecks == 0}
    missing = next(p.barcode for p in first.parcels if p.order in single)
    day.say("demo_acceptance", supply=first.id)
    day.scan(COUNTER, first.packages[0])
    day.scan(COUNTER, first.packages[1])
    for i, parcel in enumerate(first.parcels):
        if parcel.barcode == missing:
            continue
        if i == 3:
            day.scan(COUNTER, Command.DAMAGED)
        day.scan(COUNTER, parcel.barcode)
        if i == 5:
            day.scan(COUNTER, parcel.barcode)  # the courier's pile slid: a duplicate scan
    day.scan(COUNTER, plan.surplus_barcode)
    day.scan(COUNTER, b"\xff\xfe\x00garbage")  # a scanner glitch
    day.scan(COUNTER, Command.DONE)  # one parcel is missing: the counter asks first
    day.scan(COUNTER, Command.DONE)
    day.say("demo_acceptance", supply=second.id)
    day.scan(COUNTER, Command.START_ACCEPTANCE)
    day.scan(COUNTER, second.packages[0])
    for parcel in second.parcels:
        day.scan(COUNTER, parcel.barcode)
    day.scan(COUNTER, "HELLO")  # a stray code from a product's packaging
    day.scan(COUNTER, Command.DONE)
    day.say("demo_acceptance", supply=third.id)
    for parcel in third.parcels:  # the first expected parcel opens its supply by itself
        day.scan(COUNTER, parcel.barcode)
    day.scan(COUNTER, Command.DONE)
    return missing


def place_all(day: Day, plan: DemoDay, missing: str) -> None:
    """Follow the lit cell for each parcel; once put one elsewhere, once move one."""
    day.say("demo_placement")
    conn = day.runtime.engine.store.conn
    barcodes = [
        r[0] for r in conn.execute("SELECT barcode FROM parcels WHERE state = 'accepted' ORDER BY barcode")
    ]
    day.rng.shuffle(barcodes)
    day.scan(BACK, Command.START_PLACEMENT)
    for i, barcode in enumerate(barcodes):
        day.scan(BACK, barcode)
        lit = day.lit_labels(Pattern.STEADY)
        label = lit[0] if lit else _cell_with_room(day, barcode)
        if i == 7:
            label = _cell_with_room(day, barcode, avoid=label)  # the clerk prefers another cell
        day.scan(BACK, label)
    stored = conn.execute(
        "SELECT p.barcode, c.label FROM parcels p JOIN cells c ON c.id = p.cell_id ORDER BY p.barcode LIMIT 1"
    ).fetchone()
    day.scan(BACK, stored[0])  # move a parcel to make room
    day.scan(BACK, _cell_with_room(day, stored[0], avoid=stored[1]))
    day.scan(BACK, Command.DONE)


def _cell_with_room(day: Day, barcode: str, avoid: str | None = None) -> str:
    conn = day.runtime.engine.store.conn
    size = conn.execute("SELECT size FROM parcels WHERE barcode = ?", (barcode,)).fetchone()[0]
    fitting = [s.value for s in Size if Size(size).fits_in(s)]
    marks = ",".join("?" * len(fitting))
    row = conn.execute(
        f"SELECT c.label FROM cells c WHERE c.zone = 'main' AND c.size IN ({marks}) AND c.label IS NOT ? "
        "AND (SELECT count(*) FROM parcels p WHERE p.cell_id = c.id) < c.capacity ORDER BY c.address DESC LIMIT 1",
        (*fitting, avoid),
    ).fetchone()
    return str(row[0])


def _ways(order: DemoOrder, i: int) -> Iterator[tuple[str, bool]]:
    """How the customer identifies: dictated issue code, order number then its code, code, or QR."""
    if order.qr_token is not None:
        yield f"PVZQR:{order.qr_token}", False
    elif i % 3 == 0:
        yield f"{order.id}*{order.code}", True
    elif i % 3 == 1:
        yield order.id, True  # shows the order; nothing is released before its code
        yield order.code, True
    else:
        yield order.code, True


def issue_orders(day: Day, plan: DemoDay, missing: str) -> list[DemoOrder]:
    """Customers come one by one; the clerk takes parcels from the lit cells."""
    day.say("demo_issue")
    conn = day.runtime.engine.store.conn
    ready = [
        o for o in plan.orders
        if all(conn.execute("SELECT state FROM parcels WHERE barcode = ?", (p.barcode,)).fetchone()[0] == "stored" for p in o.parcels)
    ]  # fmt: skip
    cod = [o for o in ready if o.cod_kopecks][:4]
    age = [o for o in ready if any(p.age_restricted for p in o.parcels)]
    multi = [o for o in ready if len(o.parcels) >= 2 and o not in cod and o not in age][:3]
    rest = [o for o in ready if o not in cod and o not in age and o not in multi]
    queue = cod + age + multi + rest[: max(0, 28 - len(cod) - len(age) - len(multi))]
    day.rng.shuffle(queue)
    wrong_once = False
    for i, order in enumerate(queue):
        day.clock.pause(30, 240)
        day.say("demo_customer", customer=masked_name(order.customer), order=order.id)
        for code, keyed in _ways(order, i):
            day.scan(COUNTER, code, keyed=keyed)
        refuse = order.parcels[-1].barcode if order in multi and len(order.parcels) >= 2 else None
        if any(p.age_restricted for p in order.parcels):
            day.scan(COUNTER, order.parcels[0].barcode)  # refused: the ID is not checked yet
            day.scan(COUNTER, Command.ID_CHECKED)
        for parcel in order.parcels:
            if not wrong_once and i > 2:
                other = next(o for o in queue[i + 1 :] if o.parcels)
                day.scan(COUNTER, other.parcels[0].barcode)  # the neighbouring parcel: refused loudly
                wrong_once = True
            if parcel.barcode != refuse:
                day.scan(COUNTER, parcel.barcode)
        if refuse is not None:
            day.scan(COUNTER, Command.REFUSE_ITEM)
            day.scan(COUNTER, refuse)
        if any(p.cod_kopecks for p in order.parcels if p.barcode != refuse):
            if i % 4 == 0:
                day.scan(COUNTER, Command.DONE)  # refused: payment first, as the prompt said
            day.scan(COUNTER, Command.PAID_CASH if i % 2 == 0 else Command.PAID_CARD)
        day.scan(COUNTER, Command.DONE)
    return queue
