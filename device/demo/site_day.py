"""`pvz demo --site`: two counters and a kiosk at one site for a day, each on a device of its own.

Everything runs as it would at a site, each part a process of its own in the demo's directory:
the site's Mosquitto broker bridged (by the config `pvz-central site-bridge` writes) to a central
Mosquitto with a hub on it, the main device (`pvz run`: the store, the rack) and three remote
stations (`pvz run` with role "station") whose scanners are fed the day's codes. The uplink to
central is cut for "an hour" (the central broker goes away while the site works on), the main
device is restarted once (the stations refuse what is scanned meanwhile), and at the end every
event of the main device's journal is at the hub exactly once.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from device.demo.data import CLERKS, DemoDay
from device.demo.site_feed import Codes, Feed
from device.demo.site_kiosk import KioskDay, doors_config, doors_opened, stock_locker, typed
from device.demo.site_procs import Mosquitto, Pvz, central_tool, start_hub, stop
from device.demo.site_setup import (
    COUNTER_1,
    COUNTER_2,
    KIOSK,
    MAIN,
    REMOTES,
    main_config,
    main_store,
    station_config,
)
from device.demo.site_summary import summary
from device.demo.site_watch import WAIT_S, Watch, count, reachable, until
from device.demo.stage import DEMO_DAY, SITE
from workflows.customer import masked_name
from workflows.inputs import Command
from workflows.messages import Msg


def run_site_demo(
    out: Path,
    *,
    seed: int = 1,
    lang: str = "ru",
    quiet: bool = False,
    echo: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("main", "central", "site", *(r.device for r in REMOTES)):
        for f in sorted((out / stale).glob("**/*"), reverse=True):
            f.unlink() if f.is_file() else f.rmdir()
    for stale in ("hub.db", "hub.db-wal", "hub.db-shm", "summary.json"):
        (out / stale).unlink(missing_ok=True)

    def say(key: str, **params: Any) -> None:
        text = Msg(key, params).render(lang)
        if echo is not None:
            echo(text)
        if not quiet:
            print(f"── {text} ──", flush=True)

    rng = random.Random(seed)
    key, plan = main_store(out / "main", rng)
    kiosk = stock_locker(out / "main" / "pvz.db", rng, key, plan)
    with (out / "processes.log").open("w", encoding="utf-8") as log:
        result = asyncio.run(_day(out, key=key, plan=Plan(plan, kiosk), lang=lang, say=say, log=log))
    (out / "summary.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return result


@dataclass
class Plan:
    """The day's supplies for the counters, and the orders the kiosk's customers come for."""

    day: DemoDay
    kiosk: KioskDay


@dataclass
class Running:
    """The site's running parts that the day's scenes act on."""

    out: Path
    main: Pvz
    devices: dict[str, Pvz]  # by station name
    watch: Watch
    central: Mosquitto
    say: Callable[..., None]


async def _day(
    out: Path, *, key: bytes, plan: Plan, lang: str, say: Callable[..., None], log: IO[str]
) -> dict[str, Any]:
    central = Mosquitto(out / "central")
    central.start()
    bridge = central_tool("site-bridge", "--site", SITE, "--central", f"127.0.0.1:{central.port}")
    site = Mosquitto(out / "site", extra=bridge + "\n")
    main = Pvz(main_config(out / "main", key=key, port=site.port, lang=lang, doors=doors_config()), log)
    devices = {
        r.station: Pvz(station_config(out / r.device, r, port=site.port, lang=lang), log) for r in REMOTES
    }
    watch = Watch(site.port)
    hub = None
    try:
        site.start()
        hub = start_hub(central.port, out / "hub.db", SITE, log)
        watch.link.start(asyncio.get_running_loop())
        await watch.link.wait_connected(WAIT_S)
        say("demo_site_title", site=SITE, day=DEMO_DAY.isoformat(), stations=len(REMOTES))
        started = time.monotonic()
        main.start(crash=crash_after(plan))
        for pvz in devices.values():
            pvz.start()
        for remote in REMOTES:
            await until(reachable(watch, remote, True), f"{remote.station} reaching the main device")
        return await _scenes(Running(out, main, devices, watch, central, say), plan, started)
    finally:
        for pvz in [*devices.values(), main]:
            await asyncio.to_thread(pvz.stop)
        watch.link.stop()
        await asyncio.to_thread(stop, hub)
        site.stop()
        central.stop()


def before_noon(plan: Plan) -> tuple[Codes, Codes]:
    """What each station scans in the morning, and while the uplink is down: the clerks sign in and
    accept the first and the third supply, half before the cut; at the kiosk, customers of the
    locker type their codes (one shows the app's QR code), and the cash-on-delivery one comes."""
    first, _, third = plan.day.supplies
    prepaid = plan.kiosk.prepaid
    kiosk = [typed(prepaid[0]), typed(prepaid[1], qr=True), typed(prepaid[2]), typed(plan.kiosk.cod)]
    half_1, half_3 = len(first.parcels) // 2, len(third.parcels) // 2
    start = [CLERKS[0][0], Command.START_ACCEPTANCE.barcode, *first.packages]
    morning = {
        COUNTER_1: start + [p.barcode for p in first.parcels[:half_1]],
        COUNTER_2: [CLERKS[1][0], *(p.barcode for p in third.parcels[:half_3])],
        KIOSK: kiosk[:2],
    }
    cut = {
        COUNTER_1: [*(p.barcode for p in first.parcels[half_1:]), Command.DONE.barcode],
        COUNTER_2: [*(p.barcode for p in third.parcels[half_3:]), Command.DONE.barcode],
        KIOSK: kiosk[2:],
    }
    return morning, cut


def crash_after(plan: Plan) -> str:
    """PVZ_CRASH for the main device: killed (SIGKILL, device/crash_points.py) right after it
    commits the first input after noon, before it answers: the input the station sends again."""
    morning, cut = before_noon(plan)
    decided = sum(len(codes) for part in (morning, cut) for codes in part.values())
    return f"after_commit:{decided + 1}"


async def _scenes(run: Running, plan: Plan, started: float) -> dict[str, Any]:
    main, watch, central, say = run.main, run.watch, run.central, run.say
    _, second, _ = plan.day.supplies
    feed = Feed(run.devices, watch, run.out / "main" / "pvz.db", plan.kiosk)
    scan, together, all_settled = feed.scan, feed.together, feed.all_settled

    morning, cut = before_noon(plan)
    say("demo_site_morning")
    await together(morning)
    await all_settled()

    say("demo_site_uplink_cut")
    central.stop()
    await together(cut)
    await all_settled()

    # The main device dies right after committing counter-1's next input, before its answer.
    say("demo_site_main_restart")
    await scan(COUNTER_1, Command.START_ACCEPTANCE.barcode)
    await asyncio.to_thread(main.wait_exit)
    for remote in REMOTES:
        await until(reachable(watch, remote, False), f"{remote.station} seeing the main device gone")
    kiosk_late = [typed(plan.kiosk.prepaid[3]), typed(plan.kiosk.prepaid[4])]
    feed.main_up = False
    await together(
        {COUNTER_1: [second.packages[0]], COUNTER_2: [second.parcels[1].barcode], KIOSK: kiosk_late[:1]}
    )
    await all_settled((COUNTER_2, KIOSK))  # refused; counter-1's input still waits for its answer
    main.start()
    feed.main_up = True
    for remote in REMOTES:
        await until(reachable(watch, remote, True), f"{remote.station} reaching the main device again")
    # counter-1 sends its input again: the main device answers it from its store (a duplicate).
    say("demo_site_main_back")
    await together(
        {
            COUNTER_1: [second.packages[0], *(p.barcode for p in second.parcels if p != second.parcels[1])],
            COUNTER_2: [second.parcels[1].barcode],
            KIOSK: kiosk_late,  # the customer refused while it was down types the code again
        }
    )
    await scan(COUNTER_1, Command.DONE.barcode)
    await all_settled()
    # The cash-on-delivery customer the kiosk sent to the counter: counter-2's clerk closes the
    # acceptance, takes the code, scans the parcel and takes the payment by card.
    cod = plan.kiosk.cod
    say("demo_kiosk_to_counter", customer=masked_name(cod.customer))
    await scan(COUNTER_2, Command.DONE.barcode, typed(cod), *(p.barcode for p in cod.parcels))
    await scan(COUNTER_2, Command.PAID_CARD.barcode, Command.DONE.barcode)
    await all_settled()

    say("demo_site_uplink_back")
    central.start()
    seen = await _at_central(run)
    # Each door's two reports (opened, shut on an empty cell) reached the kiosk as news, as its status says.
    opened = doors_opened(run.out / "main" / "pvz.db", KIOSK.station)
    await until(lambda: watch.counters(KIOSK).get("news", 0) >= 2 * opened, "the doors' news at the kiosk")
    result = summary(run.out, watch, feed.fed, time.monotonic() - started)
    result["site"]["seen_at_central"] = seen
    return result


async def _at_central(run: Running) -> list[str]:
    """Once the uplink is back: every event of the main device reaches the hub, and central sees
    the site's devices as before (each one's retained status, through the bridge)."""
    db, hub_db, central = run.out / "main" / "pvz.db", run.out / "hub.db", run.central
    journal = "SELECT count(*) FROM journal"
    await until(
        lambda: (
            count(hub_db, f"SELECT count(DISTINCT event_id) FROM events WHERE device = '{MAIN}'")
            == count(db, journal)
            and count(
                db,
                "SELECT count(*) FROM journal WHERE seq > (SELECT value FROM meta WHERE key = 'outbox_acked_seq')",
            )
            == 0
        ),
        "every event at the hub",
    )
    at_central = Watch(central.port)
    at_central.link.start(asyncio.get_running_loop())
    try:
        await until(
            lambda: all(at_central.status(d) for d in (MAIN, *(r.device for r in REMOTES))),
            "every status at central",
        )
        seen = sorted(topic.split("/")[3] for topic in at_central.seen if topic.endswith("/status"))
    finally:
        at_central.link.stop()
    return seen
