"""`pvz sim`: one counter station driven by typed or pasted codes, showing lights, status and receipts."""

from __future__ import annotations

import asyncio
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from device.demo.data import CLERKS, DemoDay
from device.demo.day import prepare_site
from device.demo.stage import DEMO_DAY, DEVICE_ID, MSK, SITE
from device.documents.registry import Documents
from device.engine import Engine, Result
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.document import Document
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from drivers.scanner.sim_input import StreamSource
from workflows.inputs import Command

STATION = "counter-1"


class EchoPrinter:
    """The simulated printer, showing each document on the terminal as it comes out."""

    def __init__(self, printer: SimPrinter, out: IO[str]) -> None:
        self.inner = printer
        self.name = printer.name
        self.out = out

    def print_document(self, doc: Document) -> None:
        self.inner.print_document(doc)
        text = self.inner.printed[-1].text
        self.out.write(
            "  ┌── printed ──\n" + "".join(f"  │ {line}\n" for line in text.splitlines()) + "  └──\n"
        )
        self.out.flush()

    def status(self) -> dict[str, Any]:
        return self.inner.status()


class Console:
    """Prints what the clerk would see and hear after each scan."""

    def __init__(
        self,
        runtime: Runtime,
        lights: SimCellLights,
        status: SimStatusLight,
        printer: SimPrinter,
        out: IO[str],
    ) -> None:
        self.runtime = runtime
        self.lights = lights
        self.status = status
        self.printer = printer
        self.out = out

    def __call__(self, result: Result) -> None:
        lang = self.runtime.lang
        w = self.out.write
        w(f"  [{result.feedback.level.value.upper()}] {result.feedback.msg.render(lang)}\n")
        for detail in result.feedback.details:
            w(f"      {detail.render(lang)}\n")
        color = self.status.status().get("color", "off")
        lit = self.lit()
        w(f"  status light: {color}; lit cells: {', '.join(lit) if lit else '-'}\n")
        self.out.flush()

    def lit(self) -> list[str]:
        conn = self.runtime.engine.store.conn
        names = {r[0]: r[1] for r in conn.execute("SELECT channel, address FROM cells")}
        return [f"{names.get(c, c)} ({p.value})" for c, p in sorted(self.lights.lit().items())]


def cheat_sheet(plan: DemoDay, out: IO[str]) -> None:
    first = plan.supplies[0]
    order = plan.orders[0]
    out.write(
        "pvz sim: type or paste a code and press Enter; prefix keypad entries with k: ; Ctrl-D ends.\n"
        f"  first sign in with a clerk's badge: {CLERKS[0][0]} ({CLERKS[0][1]})\n"
        f"  supply {first.id}: packages {', '.join(first.packages)}; parcels {first.parcels[0].barcode} …\n"
        f"  customer code for order {order.id}: k:{order.id}*{order.code}\n"
        "  cells: C-A-01-1 … C-C-08-3\n"
        "  commands: " + ", ".join(c.barcode for c in Command) + "\n"
    )


def run_sim(
    store_path: Path,
    *,
    lang: str = "ru",
    seed: int = 1,
    stream: IO[bytes] | None = None,
    out: IO[str] = sys.stdout,
) -> int:
    rng = random.Random(seed)
    key = bytes(rng.getrandbits(8) for _ in range(32))
    fresh = not store_path.exists()
    store = Store.open(store_path, owner=True)
    try:
        if fresh:
            plan = prepare_site(store, rng, key, now=datetime.now(UTC), day=DEMO_DAY)
            cheat_sheet(plan, out)
        else:
            out.write(f"pvz sim: resuming {store_path}\n")
        docs = Documents(site=SITE, device_id=DEVICE_ID, lang=lang, tz=MSK)
        engine = Engine(store, device_id=DEVICE_ID, pickup_key=key, docs=docs)
        lights, status = SimCellLights(), SimStatusLight()
        printer = SimPrinter(out_dir=store_path.parent / "receipts", name="sim-printer")
        source = StreamSource(name="keyboard", stream=stream)
        io = StationIO(STATION, [source], EchoPrinter(printer, out), status, SimBuzzer(), SimScreen())
        runtime = Runtime(engine, stations=[io], rack=lights, lang=lang)
        runtime.on_result = Console(runtime, lights, status, printer, out)
        runtime.start()
        for name in engine.sessions():
            said = runtime.resumed(name)
            if said is not None:
                out.write("".join(f"{m.render(lang)}\n" for m in said))
        asyncio.run(runtime.run())
    finally:
        store.close()
    return 0
