"""The demo's stage: its clock, its site and stations, and the Day the scenes play on."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from device.engine import Result
from device.runtime import Runtime
from drivers.base import Pattern
from drivers.lights.sim_lights import SimCellLights
from workflows.identify import masked
from workflows.inputs import Command
from workflows.messages import Msg, Param
from workflows.outcome import Level

MSK = timezone(timedelta(hours=3))
COUNTER = "counter-1"  # the front counter
BACK = "counter-2"  # the back room, where supplies are accepted and placed
MARK = {Level.OK: "✓", Level.INFO: "·", Level.WARN: "!", Level.ERROR: "✗"}
DEVICE_ID = "pvz-demo-0001"
SITE = "msk-demo"
DEMO_DAY = date(2026, 11, 21)


class DemoClock:
    """Simulated wall time: each scan takes a few seconds of a clerk's day."""

    def __init__(self, start: datetime, rng: random.Random) -> None:
        self.now = start
        self.rng = rng

    def __call__(self) -> datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    def pause(self, low: float = 2, high: float = 12) -> None:
        self.now += timedelta(seconds=self.rng.uniform(low, high))

    def jump_to(self, hour: int, minute: int = 0) -> None:
        self.now = max(self.now, self.now.replace(hour=hour, minute=minute, second=0))


@dataclass
class Day:
    """The running demo: the runtime, the rack, the clock, the people."""

    runtime: Runtime
    rack: SimCellLights
    clock: DemoClock
    rng: random.Random
    lang: str
    quiet: bool
    echo: Callable[[str], None] | None = None  # sees each line of the timeline, quiet or not
    on_result: Callable[[Result], None] | None = None  # sees each scan's result, quiet or not

    def say(self, key: str, **params: Param) -> None:
        text = Msg(key, params).render(self.lang)
        if self.echo is not None:
            self.echo(text)
        if not self.quiet:
            print(f"\n── {self.clock.now:%H:%M} {text} ──")

    def scan(self, station: str, code: str | bytes | Command, *, keyed: bool = False) -> Result:
        self.clock.pause()
        raw = code.barcode if isinstance(code, Command) else code
        return self.runtime.process(station, raw, keyed=keyed)

    def show(self, result: Result) -> None:
        if self.on_result is not None:
            self.on_result(result)
        if self.quiet:
            return
        fb = result.feedback
        code = masked(result.label)  # a customer's code is theirs: the timeline hides it as the log does
        code = code if len(code) <= 24 else code[:21] + "…"
        print(
            f"{self.clock.now:%H:%M:%S} {result.station:<9} ▸ {code:<24} {MARK[fb.level]} {fb.msg.render(self.lang)}"
        )
        for detail in fb.details:
            print(f"{'':<45}{detail.render(self.lang)}")

    def lit_labels(self, pattern: Pattern) -> list[str]:
        """What a clerk sees: the labels of the cells lit in a pattern."""
        channels = [c for c, p in self.rack.lit().items() if p is pattern]
        if not channels:
            return []
        conn = self.runtime.engine.store.conn
        marks = ",".join("?" * len(channels))
        return [r[0] for r in conn.execute(f"SELECT label FROM cells WHERE channel IN ({marks})", channels)]
