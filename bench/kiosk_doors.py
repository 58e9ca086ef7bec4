"""Kiosk doors benchmark: from a right pickup code typed at a kiosk to the door's open frame at the lock board.

`python -m bench.kiosk_doors [--opens 300] [--backend kerong|sim] [--out FILE]`, or
`./dev bench --kiosk-doors`. A kiosk and its locker on a real store: the kiosk flow
(workflows/kiosk*.py) decides in `Runtime.process`, commits the door command, wakes the door
controller (device/doors/), which runs on the same asyncio loop as in the daemon: it marks the
command sent in its own commit, then fires the lock in a worker thread through
verify.open_door. With `kerong` (the default) the lock is the real Kerong backend on a pty
against the fake boards of tests/support/fake_lock_board.py (four CU16 boards with infrared
occupancy sensors, 64 doors), and the time stops when the open frame is whole at the board
(the fake stamps it); with `sim` it stops at SimDoors' pulse. Between two openings the customer
takes the parcel and shuts the door, and the controller's sensor watch issues the order, so
each code meets the controller as it runs in a day: between two polls of every board
(`poll_s` 0.2 s, the default), never idle on purpose.

A pty moves bytes at once: on a real 19200 8N1 bus the open frame adds about 2.6 ms on the wire.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.stats import stats
from device.config_schema import DoorsSection
from device.doors.controller import DoorController
from device.engine import Engine
from device.intake.rack import CellSpec
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from device.store.journal import Stamp
from device.store.parcels import move_parcels
from drivers.doors.base import Doors
from drivers.doors.kerong import Board, KerongDoors
from drivers.doors.sim_doors import SimDoors
from drivers.lights.sim_lights import SimCellLights, SimScreen
from tests.support.factory import DEVICE, M, P, new_engine, new_store
from tests.support.fake_lock_board import FakeLockBus
from workflows.context import KioskRules, Policy
from workflows.outcome import Level, Move
from workflows.parcel import ParcelState, Size

KIOSK = "k1"
BOARDS = {0: "cu16", 1: "cu16", 2: "cu16", 3: "cu16"}  # 64 doors, occupancy by infrared
DOORS = 16 * len(BOARDS)
WAIT_S = 10.0  # only reached when something hangs


def order(i: int) -> str:
    return f"7{i:07d}"


def code(i: int) -> str:
    return f"{i:06d}"


def build(path: Path, opens: int) -> tuple[Store, Engine]:
    """The locker's 64 door cells, `opens` prepaid orders of one parcel each, a kiosk engine."""
    rack = [CellSpec(address=f"L-{d:02d}", size=Size.M, channel=d, zone="locker") for d in range(DOORS)]
    parcels = [P(f"{order(i)}-0001-1", order(i)) for i in range(opens)]
    store = new_store(path, M("KB", parcels, codes={order(i): code(i) for i in range(opens)}), rack=rack)
    engine = new_engine(
        store, signed_in=(), clock=lambda: datetime.now(UTC), policy=Policy(kiosk=KioskRules(idle_s=600))
    )
    engine.kinds[KIOSK] = "kiosk"
    return store, engine


def stock(store: Store, i: int) -> int:
    """Order i's parcel into its door's cell (the clerk's placement, outside the timing); the door."""
    door = i % DOORS
    barcode = f"{order(i)}-0001-1"
    with store.transaction() as conn:
        stamp = Stamp(DEVICE, datetime.now(UTC).isoformat(timespec="seconds"), "c1", "BADGE-0001")
        moves = [
            Move(barcode, ParcelState.ACCEPTED, "accepted"),
            Move(barcode, ParcelState.STORED, "placed", cell=f"L-{door:02d}"),
        ]
        move_parcels(conn, stamp, moves)
    return door


@dataclass
class Locker:
    """What the customer does at the doors, and when the lock was commanded, for either backend."""

    doors: Doors
    bus: FakeLockBus | None = None

    def load(self, door: int) -> None:
        if self.bus is not None:
            self.bus.lock(*self.where(door)).inside = True
        else:
            assert isinstance(self.doors, SimDoors)
            self.doors.load(door)

    def take(self, door: int) -> None:
        if self.bus is not None:
            self.bus.take(*self.where(door))
        else:
            assert isinstance(self.doors, SimDoors)
            self.doors.take(door)

    def mark(self) -> int:
        return len(self.bus.received) if self.bus is not None else len(self.doors_pulses())

    def commanded_ns(self, mark: int) -> int | None:
        """When the first open command after `mark` reached the lock (monotonic ns), if it did."""
        if self.bus is not None:
            for i in range(mark, len(self.bus.received)):
                frame = self.bus.received[i]
                if len(frame) == 5 and frame[2] == 0x31:
                    return self.bus.received_ns[i]
            return None
        pulses = self.doors_pulses()
        return round(pulses[mark][0] * 1e9) if len(pulses) > mark else None

    def where(self, door: int) -> tuple[int, int]:
        return list(BOARDS)[door // 16], door % 16

    def doors_pulses(self) -> list[tuple[float, int]]:
        assert isinstance(self.doors, SimDoors)
        return self.doors.pulses


def answered(store: Store) -> str:
    return str(store.scalar("SELECT state FROM door_commands ORDER BY id DESC LIMIT 1"))


def is_issued(store: Store, i: int) -> bool:
    return bool(
        store.scalar("SELECT state FROM parcels WHERE barcode = ?", (f"{order(i)}-0001-1",)) == "issued"
    )


async def until(check: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT_S
    while (value := check()) is None or value is False:
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench: {what} did not happen within {WAIT_S} s")
        await asyncio.sleep(0.0005)
    return value


async def measure(runtime: Runtime, ctl: DoorController, locker: Locker, opens: int) -> list[int]:
    store = runtime.engine.store
    task = asyncio.create_task(ctl.run())
    samples: list[int] = []
    try:
        for i in range(opens):
            door = stock(store, i)
            locker.load(door)
            mark = locker.mark()
            start = time.monotonic_ns()
            result = runtime.process(KIOSK, code(i), keyed=True)
            if result.feedback.level is Level.ERROR:
                raise RuntimeError(f"bench: code {i} refused: {result.feedback.msg.key}")
            samples.append(
                await until(lambda m=mark: locker.commanded_ns(m), f"door {door} commanded") - start
            )
            await until(lambda: answered(store) == "opened", f"door {door} opened")
            locker.take(door)
            await until(lambda n=i: is_issued(store, n) and runtime.open_kiosks() == [], f"order {i} issued")
    finally:
        task.cancel()
    issued = store.scalar("SELECT count(*) FROM parcels WHERE state = 'issued'")
    if issued != opens:
        raise RuntimeError(f"bench: {issued} of {opens} orders issued")
    return samples


def run(opens: int = 300, backend: str = "kerong") -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="pvz-kiosk-doors-") as tmp:
        store, engine = build(Path(tmp) / "pvz.db", opens)
        bus = FakeLockBus(BOARDS) if backend == "kerong" else None
        doors: Doors
        if bus is not None:
            doors = KerongDoors(
                port=bus.path, boards=[Board.of(a, m, infrared=True) for a, m in BOARDS.items()]
            )
        else:
            doors = SimDoors(DOORS, clock=time.monotonic)
        config = DoorsSection(backend="kerong" if bus else "sim", count=DOORS)
        runtime = Runtime(engine, stations=[StationIO(KIOSK, screen=SimScreen())], rack=SimCellLights())
        ctl = DoorController(store, doors, config=config, device_id=DEVICE, now=lambda: datetime.now(UTC))
        runtime.attach_doors(ctl)
        try:
            runtime.start()
            samples = asyncio.run(measure(runtime, ctl, Locker(doors, bus), opens))
        finally:
            doors.close()
            if bus is not None:
                bus.close()
            store.close()
    return {
        "backend": backend,
        "doors": DOORS,
        "poll_s": config.poll_s,
        "code_to_open_frame" if bus else "code_to_pulse": stats(samples),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.kiosk_doors", description=__doc__)
    parser.add_argument("--opens", type=int, default=300, help="timed openings (default 300)")
    parser.add_argument("--backend", choices=["kerong", "sim"], default="kerong")
    parser.add_argument("--out", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    result = run(args.opens, args.backend)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
