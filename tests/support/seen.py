"""Everything a person reads, collected: screens, feedback, printed documents, reports, the timeline.

`Seen` gathers texts as they come out of the runtime and the demo; `messy_day` drives one
station set through every workflow and most refusals on simulated drivers, in one language.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from device.engine import Engine, Result
from device.reports.build import day_report, parcel_history, shift_report
from device.reports.history import history_text
from device.reports.text import day_text, shift_text
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.lights.sim_lights import SimBuzzer, SimCellLights, SimScreen, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from tests.support.factory import CLERK, CLERK2, StepClock, new_engine, new_store, standard_manifest
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level

STATIONS = ("s1", "a", "b", "c")


@dataclass
class Seen:
    """Texts by where they were read; `feedback` keeps each scan's messages with their keys."""

    lang: str
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    feedback: list[tuple[str, str | None, Msg]] = field(default_factory=list)  # (station, workflow, msg)
    levels: list[tuple[str, str | None, Level, Msg]] = field(default_factory=list)  # each scan's main message

    def screen(self, frame: str) -> None:
        self.texts.append(("screen", frame))

    def said(self, text: str) -> None:
        self.texts.append(("timeline", text))

    def printed(self, kind: str, text: str) -> None:
        self.texts.append((f"printed {kind}", text))

    def report(self, name: str, text: str) -> None:
        self.texts.append((f"report {name}", text))

    def result(self, result: Result) -> None:
        workflow = None if result.session is None else result.session.workflow.name
        self.levels.append((result.station, workflow, result.feedback.level, result.feedback.msg))
        for msg in (result.feedback.msg, *result.feedback.details):
            self.feedback.append((result.station, workflow, msg))
            self.texts.append((f"feedback {msg.key}", msg.render(self.lang)))

    def lines(self) -> Iterator[tuple[str, str]]:
        """Every line of every text, with where it was read."""
        for where, text in self.texts:
            for line in text.splitlines():
                yield where, line


class Counter:
    """A runtime over one store with four stations, each with a screen; one printer for all."""

    def __init__(self, store: Store, engine: Engine, seen: Seen) -> None:
        self.store = store
        self.engine = engine
        self.seen = seen
        self.printer = SimPrinter(name="counter-printer")
        self.rack = SimCellLights()
        self.runtime = self.build()

    def build(self) -> Runtime:
        """A runtime as a (re)started daemon makes it: new drivers, the same store."""
        stations = [
            StationIO(
                name,
                printer=self.printer,
                status_light=SimStatusLight(),
                buzzer=SimBuzzer(),
                screen=SimScreen(echo=self.seen.screen),
            )
            for name in STATIONS
        ]
        return Runtime(
            self.engine, stations=stations, rack=self.rack, lang=self.seen.lang, on_result=self.seen.result
        )

    def scan(self, *codes: str | bytes | Command, station: str = "s1", keyed: bool = False) -> Result:
        result = None
        for code in codes:
            raw = code.barcode if isinstance(code, Command) else code
            result = self.runtime.process(station, raw, keyed=keyed)
        assert result is not None
        return result

    def print_now(self, kind: str, data: dict[str, str] | None = None) -> None:
        self.engine.queue_print("s1", kind, data)
        self.runtime.prints.drain()

    def collect_printed(self) -> None:
        for doc in self.printer.printed:
            self.seen.printed(doc.doc.kind, doc.text)


def messy_day(path: Path, lang: str, tz: tzinfo) -> Seen:
    """One store through acceptance, placement, issue, returns, deadlines, return to sender,
    inventory, shifts and a restart with sessions open, refusals on the way; then its reports."""
    seen = Seen(lang)
    store = new_store(path, standard_manifest())
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO return_requests (id, order_id, parcels, reason, received_at) "
            "VALUES ('RR-1', '22222222', '[\"22222222-0002-1\"]', 'не подошёл размер', '2026-11-21T10:00:00+00:00')"
        )
    engine = new_engine(store, lang, signed_in=STATIONS, tz=tz)
    day = Counter(store, engine, seen)
    try:
        day.runtime.start()
        _intake(day)
        _issue(day)
        _returns(day)
        engine.clock = StepClock(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))
        day.runtime.check_deadlines(show=True)
        _send_back(day)
        _count(day)
        _shifts(day)
        _restart(day)
        for kind in ("command_card", "cell_labels", "test_page"):
            day.print_now(kind)
        day.runtime.prints.drain()
        day.collect_printed()
        _reports(store, seen, tz)
    finally:
        store.close()
    return seen


def _intake(day: Counter) -> None:
    day.scan(b"", b"\xff\xfe\x00", "X" * 600, "AB\x07C", "PVZC-SELF-DESTRUCT")
    day.scan(Command.DAMAGED, Command.DONE, "NOBODY-KNOWS-THIS", "C-A-01-1")
    day.scan("BOX00000001", "BOX00000001", "11111111-0001-1", "22222222-0001-1", "22222222-0002-1")
    day.scan(Command.PAID, Command.START_ISSUE, CLERK2, "C-A-01-1")
    day.scan(Command.DAMAGED, "33333333-0001-1", "44444444-0001-1", Command.DONE)
    day.scan(Command.START_PLACEMENT, Command.PAID, "C-A-01-1")
    for parcel, cell in (
        ("11111111-0001-1", "C-A-01-1"),
        ("22222222-0001-1", "C-A-03-1"),
        ("22222222-0002-1", "C-A-03-1"),
        ("33333333-0001-1", "C-A-02-1"),
        ("44444444-0001-1", "C-A-01-2"),  # an L parcel into an S cell: refused
        ("44444444-0001-1", "C-B-01-1"),
    ):
        day.scan(parcel, cell)
    day.scan(Command.DONE)
    day.scan("11111111-0001-1", "C-A-03-1")  # idle: where a parcel and a cell are


def _issue(day: Counter) -> None:
    day.scan("22222222*222222", keyed=True)
    day.scan(Command.PAID, "11111111-0001-1", "C-A-01-1", "22222222-0001-1", "22222222-0002-1", Command.DONE)
    day.scan("44444444*4444", keyed=True)
    day.scan("44444444-0001-1", Command.ID_CHECKED, "44444444-0001-1", Command.DONE)
    day.scan("22222222-0001-1")  # idle: an issued parcel


def _returns(day: Counter) -> None:
    day.scan(Command.START_RETURN, "NOPE-00001234", "33333333-0001-1", "22222222-0001-1")
    day.scan(Command.PAID, "C-A-01-1", Command.CHECK_OK, Command.CHECK_FAIL)
    day.scan("C-A-01-2", Command.CANCEL, Command.DONE, "C-R-01-1")
    day.scan(Command.START_RETURN, "RR-1", Command.CHECK_OK, Command.CHECK_OK, Command.CHECK_OK, "C-R-01-1")
    day.scan(Command.START_RETURN, "RR-1", "22222222-0002-1", Command.CANCEL)
    day.scan(Command.START_RETURN, "44444444-0001-1", Command.CHECK_FAIL, Command.CANCEL)


def _send_back(day: Counter) -> None:
    day.scan(Command.START_RETURN_TO_SENDER, Command.PAID, "33333333-0001-1", "HELLO", Command.DONE)
    day.scan(Command.START_RETURN_TO_SENDER, "RBAG00012345", Command.DONE, "RBAG00099999")
    day.scan("33333333-0001-1", "33333333-0001-1", "22222222-0001-1", "NOBODY-KNOWS-THIS")
    day.scan("R-22222222-0001-1", Command.DONE)
    day.scan(Command.START_RETURN_TO_SENDER)  # what is left: the other return
    day.scan("RBAG00012345", "RBAG00055555", "R-22222222-0002-1", Command.CANCEL)


def _count(day: Counter) -> None:
    day.scan(Command.START_INVENTORY, Command.PAID, "11111111-0001-1")
    day.scan(Command.START_INVENTORY, station="a")
    day.scan("C-A-03-1", "22222222-0002-1", "XX-00001234", "XX-00001234", "C-R-01-1")
    day.scan("R-22222222-0002-1", "C-B-01-1", "C-A-02-1", Command.DONE)


def _shifts(day: Counter) -> None:
    day.scan(Command.SHIFT_CLOSE, Command.DONE)
    day.scan(Command.SHIFT_CLOSE, station="a")
    day.scan(Command.SHIFT_CLOSE, station="a")
    with day.store.transaction() as conn:
        conn.execute("UPDATE clerks SET active = 0 WHERE badge = ?", (CLERK2,))
    day.scan(CLERK2, CLERK, CLERK)


def _restart(day: Counter) -> None:
    """Sessions open at every station, then the daemon starts again: each screen says what goes on."""
    day.scan(CLERK, station="a")
    day.scan(Command.START_RETURN, "44444444-0001-1", Command.CHECK_OK, station="a")
    day.scan(Command.START_INVENTORY, "C-A-02-1", station="b")
    day.scan(Command.START_PLACEMENT, station="c")
    day.scan(Command.START_ISSUE, station="s1")
    day.runtime = day.build()
    day.runtime.start()
    for station in STATIONS:
        day.scan(Command.PAID, station=station)
        day.scan(Command.CANCEL, Command.CANCEL, Command.CANCEL, station=station)


def _reports(store: Store, seen: Seen, tz: tzinfo) -> None:
    lang = seen.lang
    for day in (datetime(2026, 11, 21, tzinfo=UTC).date(), datetime(2026, 11, 29, tzinfo=UTC).date()):
        seen.report(f"day {day}", day_text(day_report(store, day, tz), lang))
    for (shift,) in store.conn.execute("SELECT id FROM shifts ORDER BY id"):
        seen.report(f"shift {shift}", shift_text(shift_report(store, shift, tz=tz), lang))
    for (barcode,) in store.conn.execute("SELECT barcode FROM parcels ORDER BY barcode"):
        seen.report(f"history {barcode}", history_text(parcel_history(store, barcode, tz), lang))
    seen.report("history of an order", history_text(parcel_history(store, "22222222", tz), lang))
