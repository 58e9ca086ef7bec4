"""A clock that was never set: no deadline sweep until it is plausible, then the sweep runs; the
journal keeps its order by sequence meanwhile."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

import device.runtime_watches
from device.engine import Engine
from device.intake.deadlines import last_sweep
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from device.store.journal import Stamp, append, read_events
from device.wall_clock import ClockTrust, build_floor, journal_floor
from drivers.lights.sim_lights import SimCellLights, SimScreen, SimStatusLight
from drivers.scanner.sim_input import ScriptSource
from tests.support.factory import CLERK2, DEVICE, StepClock, new_store, state
from tests.support.stock import OVERDUE

AHEAD = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # the newest journal entry: after the clock below
UNSET = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # TODAY of the deadline day: OVERDUE is overdue


def newest_entry_at(store: Store, moment: datetime) -> None:
    with store.transaction() as conn:
        append(conn, Stamp(DEVICE, moment.isoformat()), "device_started")


def counter(engine: Engine, trust: ClockTrust) -> tuple[Runtime, SimScreen, SimStatusLight]:
    screen, light = SimScreen(), SimStatusLight()
    station = StationIO("s1", status_light=light, screen=screen, sources=[ScriptSource(name="s1/scanner")])
    return (
        Runtime(engine, stations=[station], rack=SimCellLights(), lang="en", clock_trust=trust),
        screen,
        light,
    )


def test_no_sweep_while_the_clock_is_behind_the_journal_and_the_sweep_runs_once_it_passes(
    deadline_day: tuple[Store, Engine], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store, engine = deadline_day
    newest_entry_at(store, AHEAD)
    clock = StepClock(UNSET)
    engine.clock = clock
    trust = ClockTrust({"the newest journal entry": journal_floor(store)}, synced_flag=None)
    runtime, screen, light = counter(engine, trust)
    monkeypatch.setattr(device.runtime_watches, "SWEEP_CHECK_S", 0.01)
    with caplog.at_level(logging.WARNING, logger="pvz.clock"):
        runtime.start()
    assert last_sweep(store) is None and [state(store, b)[0] for b in OVERDUE] == ["accepted", "stored"]
    assert runtime.status()["clock"]["trusted"] is False
    # the clerk sees the pick list as it is, with no date-bound line and no alarm
    assert (screen.title, screen.lines) == ("Nothing is due back to the sender", [])
    assert light.history == []
    assert [r.name for r in caplog.records] == ["pvz.clock"]  # the log says why, once
    before = store.scalar("SELECT max(seq) FROM journal")
    runtime.process("s1", CLERK2)  # a scan while the clock is wrong: journalled in order
    events = read_events(store.conn, "seq > ?", (before,))
    assert events and events[0].when < AHEAD and events[0].seq == before + 1

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(runtime.run(stop=stop))
        await asyncio.sleep(0.05)  # checks while the clock is still behind: nothing moves
        assert last_sweep(store) is None
        clock.now = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # NTP set it
        async with asyncio.timeout(30):
            while last_sweep(store) is None:
                await asyncio.sleep(0.01)
        stop.set()
        await running

    asyncio.run(main())
    assert last_sweep(store) == datetime(2026, 12, 2).date()
    assert [state(store, b)[0] for b in OVERDUE] == ["to_return", "to_return"]
    assert runtime.status()["clock"]["trusted"] is True
    assert screen.title == "Due back to the sender: 4 parcels"


def test_a_synchronised_clock_is_believed_even_behind_a_journal_written_by_a_clock_that_ran_ahead(
    deadline_day: tuple[Store, Engine], tmp_path: Path
) -> None:
    store, engine = deadline_day
    newest_entry_at(store, AHEAD)
    engine.clock = StepClock(UNSET)
    flag = tmp_path / "synchronized"
    trust = ClockTrust({"the newest journal entry": journal_floor(store)}, synced_flag=flag)
    runtime, _, _ = counter(engine, trust)
    assert runtime.check_deadlines() == []
    flag.touch()  # systemd-timesyncd's mark of a clock set by NTP in this boot
    assert runtime.check_deadlines() == OVERDUE


def test_a_clock_before_the_installed_build_is_not_believed(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db")
    assert journal_floor(store) is None
    trust = ClockTrust.for_store(store)
    built = build_floor()
    assert trust.floors == {"the installed build": built}
    assert not trust.check(datetime(1970, 1, 1, tzinfo=UTC))
    assert trust.check(built) and trust.check(datetime.now(UTC))
    store.close()


def test_the_journal_floor_is_the_latest_time_among_the_newest_entries_whatever_their_zone(
    tmp_path: Path,
) -> None:
    store = new_store(tmp_path / "pvz.db")
    newest_entry_at(store, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    with store.transaction() as conn:  # written later by sequence, under a clock that went back
        append(conn, Stamp(DEVICE, "2026-12-01T13:30:00+03:00"), "device_started")
        append(conn, Stamp(DEVICE, "1970-01-01T00:00:10+00:00"), "device_started")
    assert journal_floor(store) == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    store.close()
