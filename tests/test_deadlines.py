"""The deadline sweep: which parcels go back, their cells, the journal, the counts, the runtime's part."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

import device.deadline_watch
import device.runtime_watches
from device.engine import Engine
from device.intake import deadlines
from device.intake.deadlines import due_today, last_sweep, needs_sweep, request_sweep, sweep
from device.runtime import Runtime
from device.station_io import StationIO
from device.store import parcels
from device.store.db import Store
from drivers.base import Color, Pattern
from drivers.lights.sim_lights import SimCellLights, SimScreen, SimStatusLight
from drivers.scanner.sim_input import ScriptSource
from tests.support.factory import DEVICE, StepClock, dump, scan, state
from tests.support.stock import OVERDUE, TODAY, device_stamp
from workflows.inputs import Command
from workflows.machine import IllegalTransition, Transitions
from workflows.parcel import PARCEL, ParcelState


def test_sweep_moves_exactly_the_overdue_accepted_and_stored_parcels_and_keeps_their_cells(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    stamp = device_stamp()
    assert sweep(store, today=TODAY, stamp=stamp) == OVERDUE
    assert state(store, "22222222-0001-1") == ("to_return", None)
    assert state(store, "33333333-0001-1") == ("to_return", "A-02-1")  # still in its cell
    assert state(store, "11111111-0001-1") == ("issued", None)
    assert state(store, "55555555-0001-1") == ("expected", None)
    assert state(store, "22222222-0002-1") == ("stored", "A-03-1")  # its last day is today
    assert state(store, "44444444-0001-1") == ("stored", "B-01-1")
    reasons = store.conn.execute(
        "SELECT barcode, return_reason, updated_at FROM parcels WHERE state = 'to_return' ORDER BY barcode"
    ).fetchall()
    assert [tuple(r) for r in reasons] == [(b, "deadline", stamp.ts) for b in OVERDUE]
    assert store.scalar("SELECT occupied FROM cells WHERE address = 'A-02-1'") == 1
    events = store.conn.execute(
        "SELECT device_id, ts, station, clerk, parcel, from_state, to_state, cell, data FROM journal "
        "WHERE kind = 'deadline_passed' ORDER BY seq"
    ).fetchall()
    assert [tuple(e) for e in events] == [
        (
            DEVICE,
            stamp.ts,
            None,
            None,
            "22222222-0001-1",
            "accepted",
            "to_return",
            None,
            '{"deadline": "2026-11-20"}',
        ),
        (
            DEVICE,
            stamp.ts,
            None,
            None,
            "33333333-0001-1",
            "stored",
            "to_return",
            "A-02-1",
            '{"deadline": "2026-11-24"}',
        ),
    ]


def test_a_second_sweep_changes_nothing(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())
    before = dump(store)
    assert sweep(store, today=TODAY, stamp=device_stamp()) == []
    assert dump(store) == before


def test_a_later_day_sweeps_what_has_become_overdue(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())
    later = TODAY + timedelta(days=1)
    assert sweep(store, today=later, stamp=device_stamp(later)) == ["22222222-0002-1"]
    assert state(store, "22222222-0002-1") == ("to_return", "A-03-1")


def test_the_sweep_date_makes_the_next_check_cheap(deadline_day: tuple[Store, Engine]) -> None:
    store, _ = deadline_day
    assert last_sweep(store) is None and needs_sweep(store, TODAY)
    sweep(store, today=TODAY, stamp=device_stamp())
    assert store.get_meta("deadline_sweep_date") == "2026-11-25"
    assert last_sweep(store) == TODAY and not needs_sweep(store, TODAY)
    assert needs_sweep(store, TODAY + timedelta(days=1))
    with store.transaction():
        request_sweep(store)
    assert needs_sweep(store, TODAY)
    with store.transaction():
        store.set_meta("deadline_sweep_date", "garbage")
    assert last_sweep(store) is None and needs_sweep(store, TODAY)


def test_due_today_counts_the_pick_list_and_the_last_day_of_storage(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    assert due_today(store, TODAY) == {"to_return": 0, "expiring_today": 1}
    sweep(store, today=TODAY, stamp=device_stamp())
    assert due_today(store, TODAY) == {"to_return": 2, "expiring_today": 1}
    assert due_today(store, TODAY + timedelta(days=3)) == {"to_return": 2, "expiring_today": 1}


def test_the_overdue_and_expiring_queries_use_the_partial_deadline_index(store: Store) -> None:
    for sql, params in (
        (deadlines._OVERDUE_SQL, ("2026-11-25", 10)),
        (deadlines._EXPIRING_SQL, ("2026-11-25",)),
    ):
        plan = " ".join(r["detail"] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, params))
        assert "USING INDEX parcels_deadline" in plan, plan
        # A batch reads its LIMIT rows in the index's order: no sort of the whole backlog.
        assert "TEMP B-TREE" not in plan, plan


def test_a_sweep_stopped_between_batches_resumes_where_it_stopped(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, _ = deadline_day
    batches = deadlines.sweep_batches(store, today=TODAY, stamp=device_stamp(), limit=1)
    first = next(batches)
    batches.close()  # the process died after the first batch's commit
    assert first == OVERDUE[:1] and last_sweep(store) is None and needs_sweep(store, TODAY)
    assert state(store, OVERDUE[0])[0] == "to_return" and state(store, OVERDUE[1])[0] != "to_return"
    assert sweep(store, today=TODAY, stamp=device_stamp(), limit=1) == OVERDUE[1:]
    assert last_sweep(store) == TODAY
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'deadline_passed'") == len(OVERDUE)


def test_a_move_the_lifecycle_forbids_rolls_the_whole_sweep_back(
    deadline_day: tuple[Store, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = deadline_day
    table = dict(PARCEL.table)
    table[ParcelState.STORED] = frozenset({ParcelState.ISSUED})
    monkeypatch.setattr(parcels, "PARCEL", Transitions[ParcelState]("parcel", table))
    before = dump(store)
    with pytest.raises(IllegalTransition, match="stored -> to_return"):
        sweep(store, today=TODAY, stamp=device_stamp())
    assert dump(store) == before  # the accepted parcel, allowed and first, was not swept either


def lights_and_screens(
    *names: str,
) -> tuple[list[StationIO], dict[str, SimStatusLight], dict[str, SimScreen]]:
    lights = {n: SimStatusLight() for n in names}
    screens = {n: SimScreen() for n in names}
    stations = [StationIO(n, status_light=lights[n], screen=screens[n]) for n in names]
    return stations, lights, screens


def test_start_sweeps_and_idle_stations_blink_amber_with_the_count(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, engine = deadline_day
    engine.clock = StepClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    scan(engine, Command.START_PLACEMENT, station="a")  # station a is busy
    stations, lights, screens = lights_and_screens("s1", "a", "b")
    Runtime(engine, stations=stations, rack=SimCellLights()).start()
    assert state(store, "33333333-0001-1") == ("to_return", "A-02-1")
    event = store.conn.execute(
        "SELECT station, clerk, ts FROM journal WHERE kind = 'deadline_passed'"
    ).fetchone()
    assert (event["station"], event["clerk"]) == (None, None) and event["ts"].startswith("2026-11-25T08:00")
    for name in ("s1", "b"):
        assert (lights[name].color, lights[name].pattern) == (Color.AMBER, Pattern.BLINK)
        assert screens[name].title == "К возврату отправителю: 2 отправления"
        assert screens[name].lines == [
            "Отсканируйте «Передача курьеру» на карте команд, когда приедет курьер",
            "Сегодня последний день хранения: 1 отправление",
        ]
    # the busy station keeps its session on screen: what goes on after the restart, not the pick list
    assert lights["a"].history == []
    assert [title for _, title, _ in screens["a"].history] == [
        "Пост a: работа продолжается после перезапуска"
    ]


def test_start_with_an_empty_pick_list_leaves_the_light_alone_and_speaks_english(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, engine = deadline_day
    engine.clock = StepClock(datetime(2026, 11, 20, 8, 0, tzinfo=UTC))
    stations, lights, screens = lights_and_screens("s1")
    Runtime(engine, stations=stations, rack=SimCellLights(), lang="en").start()
    assert store.scalar("SELECT count(*) FROM parcels WHERE state = 'to_return'") == 0
    assert lights["s1"].history == []
    assert (screens["s1"].title, screens["s1"].lines) == ("Nothing is due back to the sender", [])


def test_a_failing_sweep_is_logged_and_the_counter_goes_on(
    deadline_day: tuple[Store, Engine], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _, engine = deadline_day

    def broken(*args: object, **kwargs: object) -> list[str]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(device.deadline_watch, "sweep_batches", broken)
    rt = Runtime(engine, stations=[StationIO("s1")], rack=SimCellLights())
    rt.start()
    assert rt.check_deadlines() == []
    assert "deadline sweep" in caplog.text and "disk on fire" in caplog.text
    assert rt.process("s1", "44444444-0001-1").feedback.msg.key == "parcel_where"


def test_run_sweeps_again_when_the_date_changes(
    deadline_day: tuple[Store, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, engine = deadline_day
    clock = StepClock(datetime(2026, 11, 25, 23, 59, tzinfo=UTC))
    engine.clock = clock
    monkeypatch.setattr(device.runtime_watches, "SWEEP_CHECK_S", 0.01)
    source = ScriptSource(name="s1/scanner")
    stations, lights, screens = lights_and_screens("s1")
    stations[0].sources.append(source)
    rt = Runtime(engine, stations=stations, rack=SimCellLights(), lang="en")
    rt.start()
    assert screens["s1"].title == "Due back to the sender: 2 parcels"

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(rt.run(stop=stop))
        await asyncio.sleep(0.05)  # several checks on the same day: nothing more to do
        assert state(store, "22222222-0002-1") == ("stored", "A-03-1")
        clock.now = datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
        async with asyncio.timeout(30):
            while last_sweep(store) != clock.now.date():
                await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, timeout=30)

    asyncio.run(main())
    assert state(store, "22222222-0002-1") == ("to_return", "A-03-1")
    assert state(store, "44444444-0001-1") == ("to_return", "B-01-1")
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'deadline_passed'") == 4
    assert screens["s1"].title == "Due back to the sender: 4 parcels"
    assert (lights["s1"].color, lights["s1"].pattern) == (Color.AMBER, Pattern.BLINK)
    days = [
        json.loads(r[0])["deadline"]
        for r in store.conn.execute("SELECT data FROM journal WHERE kind = 'deadline_passed' ORDER BY seq")
    ]
    assert days == ["2026-11-20", "2026-11-24", "2026-11-25", "2026-11-28"]
