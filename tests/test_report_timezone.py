"""Reports in the site's time zone, and a clock stepped back never gives a negative storage time.

A late evening at a Moscow pickup point whose journal is written in UTC (as the sync side and the
CLI write it): the events after 21:00 UTC belong to the next local day, shifts and printed times
read in Moscow time, and `pvz report` finds the zone in --tz, the config, or the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from device.cli.main import main
from device.config import load_config
from device.documents.registry import Documents
from device.reports.build import day_report, shift_report, shifts_on
from device.reports.text import shift_text, waits_line
from device.store.clock import TIMEZONE_KEY
from device.store.db import Store
from device.wiring import open_store
from tests.support.config import write_config
from tests.support.factory import CLERK, StepClock, new_engine, new_store, scan, standard_manifest
from tests.support.stock import stock
from workflows.inputs import Command

MSK = ZoneInfo("Europe/Moscow")
EVENING = datetime(2026, 11, 21, 20, 50, tzinfo=UTC)  # 23:50 in Moscow
D21, D22 = date(2026, 11, 21), date(2026, 11, 22)


@pytest.fixture
def late(tmp_path: Path) -> Iterator[Store]:
    """Stocked from 20:50 UTC (23:50 MSK) on, one second a scan; order 22222222 issued after midnight MSK.

    The engine writes UTC; its documents print Moscow time.
    """
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    clock = StepClock(EVENING)
    engine = new_engine(store, clock=clock, tz=MSK)
    stock(engine)
    clock.now = datetime(2026, 11, 21, 21, 15, tzinfo=UTC)  # 00:15 on the 22nd in Moscow
    scan(engine, "22222222*222222", keyed=True)
    scan(engine, "22222222-0001-1", "22222222-0002-1", Command.DONE)
    scan(engine, Command.SHIFT_CLOSE)
    yield store
    store.close()


def test_the_day_turns_at_local_midnight(late: Store) -> None:
    written = [r[0] for r in late.conn.execute("SELECT ts FROM journal WHERE kind = 'issued'")]
    assert written and all(ts.startswith("2026-11-21T21:15") for ts in written)  # in UTC, the 21st
    in_moscow = day_report(late, D22, MSK)
    assert [c["issued"] for c in in_moscow["clerks"]] == [2]
    assert [w["issued_at"][:16] for w in in_moscow["waits"]["parcels"]] == ["2026-11-22T00:15"] * 2
    assert day_report(late, D21, MSK)["clerks"][0]["issued"] == 0
    assert day_report(late, D21)["clerks"][0]["issued"] == 2  # without a zone: the date as written
    assert shifts_on(late, D22, MSK) == [1] and shifts_on(late, date(2026, 11, 23), MSK) == []


def test_shift_times_and_the_printed_shift_report_are_local(late: Store) -> None:
    rep = shift_report(late, 1, tz=MSK)
    assert rep["shift"]["opened_at"].startswith("2026-11-21T23:50") and rep["shift"]["opened_at"].endswith(
        "+03:00"
    )
    assert rep["shift"]["closed_at"] is not None and rep["shift"]["closed_at"].startswith("2026-11-22T00:15")
    text = shift_text(rep, "ru")
    assert "Открыта: 2026-11-21 23:50" in text and "Закрыта: 2026-11-22 00:15" in text
    printed = json.loads(late.scalar("SELECT document FROM print_jobs WHERE kind = 'shift_report'"))
    lines = [b.get("text", "") for b in printed["blocks"]]
    assert any(line.startswith("Дата: 2026-11-22 00:15") for line in lines)
    assert any(line.startswith("Открыта: 2026-11-21 23:50") for line in lines)


def test_receipts_and_acts_print_local_time(late: Store) -> None:
    for kind, minute in (("acceptance_act", "2026-11-21 23:50"), ("receipt", "2026-11-22 00:15")):
        doc = json.loads(late.scalar("SELECT document FROM print_jobs WHERE kind = ?", (kind,)))
        dates = [b["text"] for b in doc["blocks"] if b.get("text", "").startswith("Дата:")]
        assert dates == [f"Дата: {minute}"], kind


def test_pvz_report_finds_the_zone_in_tz_config_or_store(
    late: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "pvz.db")

    def issued_on(*args: str) -> list[int]:
        assert main(["report", "day", "--store", db, "--date", "2026-11-22", "--json", *args]) == 0
        return [c["issued"] for c in json.loads(capsys.readouterr().out)["clerks"]]

    assert issued_on() == []  # no zone known: the date as written, all on the 21st
    assert issued_on("--tz", "Europe/Moscow") == [2]
    with late.transaction():
        late.set_meta(TIMEZONE_KEY, "Europe/Moscow")  # as the daemon records it
    assert issued_on() == [2]
    assert issued_on("--tz", "UTC") == []
    assert main(["report", "day", "--store", db, "--tz", "Mars/Olympus"]) == 2
    assert "unknown time zone" in capsys.readouterr().err


def test_the_daemon_records_its_zone_in_the_store(tmp_path: Path) -> None:
    config_file = write_config(tmp_path, clerks={CLERK: "Анна С."})
    text = config_file.read_text(encoding="utf-8").replace(
        "[store]", 'timezone = "Asia/Yekaterinburg"\n[store]'
    )
    config_file.write_text(text, encoding="utf-8")
    store = open_store(load_config(config_file), config_file, owner=True)
    try:
        assert store.get_meta(TIMEZONE_KEY) == "Asia/Yekaterinburg"
    finally:
        store.close()


def test_a_clock_stepped_back_never_gives_a_negative_wait(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    clock = StepClock(datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    engine = new_engine(store, clock=clock)
    stock(engine)  # accepted around 12:00
    clock.now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)  # the Pi's clock is set back three hours
    scan(engine, "22222222*222222", keyed=True)
    scan(engine, "22222222-0001-1", "22222222-0002-1", Command.DONE)
    clock.now = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)  # and put right again
    scan(engine, "33333333*3333", keyed=True)
    scan(engine, "33333333-0001-1", Command.PAID, Command.DONE)
    waits = day_report(store, D21)["waits"]
    rows = {w["parcel"]: (w["seconds"], w["clock_back"]) for w in waits["parcels"]}
    assert rows["22222222-0001-1"] == (0, True) and rows["22222222-0002-1"] == (0, True)
    assert rows["33333333-0001-1"] == (7196, False)  # accepted 12:00:08, issued 14:00:04: forward
    assert all(w["seconds"] is not None and w["seconds"] >= 0 for w in waits["parcels"])
    assert (waits["count"], waits["clock_back"]) == (1, 2)
    assert (
        waits["mean_hours"] == waits["median_hours"] == waits["max_hours"]
    )  # the one wait the clock vouches for
    assert waits["mean_hours"] is not None and waits["mean_hours"] > 1.9
    line = waits_line(day_report(store, D21), "ru")
    assert line.endswith("Часы устройства переводились назад: 2 выдачи не учтены")
    docs = Documents(site="s", device_id="d", lang="ru", tz=MSK)
    assert docs.when("2026-11-21T21:15:00+00:00") == "2026-11-22 00:15"
    store.close()
