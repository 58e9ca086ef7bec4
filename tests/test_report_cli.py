"""`pvz report` as a user runs it, and the reports over the whole demo day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from device.cli.main import build_parser, main
from device.demo.day import run_demo
from device.reports.build import day_report, parcel_history, shift_report, shifts_on
from device.store.db import Store
from tests.support.report_day import D21, build_day


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    store, _, _ = build_day(tmp_path / "pvz.db")
    store.close()
    yield tmp_path / "pvz.db"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_has_one_short_line_for_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    [line] = [ln for ln in build_parser().format_help().splitlines() if ln.split()[:1] == ["report"]]
    assert len(line.split(maxsplit=1)[1]) < 55 and "report" in line.split(maxsplit=1)[1]


def test_day_json_is_the_day_report(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "day", "--store", str(db), "--date", "2026-11-21", "--json")
    assert code == 0
    with Store.open(db) as store:
        assert json.loads(out) == day_report(store, D21)


def test_day_text_is_russian_by_default_and_english_on_request(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "day", "--store", str(db), "--date", "2026-11-21")
    assert code == 0
    for heading in ("Отчёт за день 2026-11-21", "Поставки", "Сотрудники", "Наложенный платёж", "Отказы (1)"):
        assert heading in out, heading
    assert "Получено 1\u00a0234,50 ₽, заказов: 1" in out
    assert "Выдано 2: среднее 4,83 ч, медиана 4,83 ч, максимум 5,83 ч" in out
    code, out, _ = run(capsys, "day", "--store", str(db), "--date", "2026-11-21", "--lang", "en")
    assert code == 0 and "Day report 2026-11-21" in out and "Taken RUB 1,234.50, orders: 1" in out


def test_shift_reports_of_a_date_and_by_id(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "shift", "--store", str(db), "--date", "2026-11-21", "--json")
    assert code == 0 and [r["shift"]["id"] for r in json.loads(out)] == [1, 2]
    code, out, _ = run(capsys, "shift", "--id", "1", "--store", str(db), "--json")
    with Store.open(db) as store:
        assert code == 0 and json.loads(out) == shift_report(store, 1)
    code, out, _ = run(capsys, "shift", "--id", "1", "--store", str(db))
    assert "Отчёт по смене № 1" in out and "Сотрудник: Анна С. (BADGE-0001)" in out
    code, out, _ = run(capsys, "shift", "--store", str(db), "--date", "2026-11-01")
    assert code == 0 and "Смен за 2026-11-01 нет" in out
    assert run(capsys, "shift", "--id", "7", "--store", str(db))[0] == 2


def test_parcel_history_text_and_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "parcel", "22222222-0002-1", "--store", str(db))
    assert code == 0 and "История отправления 22222222-0002-1" in out and "к возврату" in out
    assert "Поставка S1 (Test Carrier), накладная версии 1" in out and "Олег В." in out
    code, out, _ = run(capsys, "parcel", "22222222", "--store", str(db), "--json")
    assert code == 0 and json.loads(out)["by"] == "order" and len(json.loads(out)["parcels"]) == 2


def test_errors_exit_with_2_and_a_message(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "parcel", "NOPE-0000", "--store", str(db))
    assert code == 2 and "no parcel or order 'NOPE-0000'" in err
    assert run(capsys, "parcel", "--store", str(db))[0] == 2
    assert run(capsys, "export", "--store", str(db))[0] == 2
    code, _, err = run(capsys, "day", "--store", str(tmp_path / "none.db"))
    assert code == 2 and "no store" in err and not (tmp_path / "none.db").exists()


def test_export_writes_the_csv_files(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "csv"
    code, out, _ = run(capsys, "export", "--csv", str(out_dir), "--store", str(db), "--date", "2026-11-21")
    assert code == 0 and "Записано файлов: 10" in out
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        f"{n}.csv"
        for n in (
            "states",
            "supplies",
            "clerks",
            "stations",
            "cod",
            "refusals",
            "returns",
            "waits",
            "journal",
            "parcels",
        )
    )
    code, out, _ = run(
        capsys, "export", "--csv", str(out_dir), "--store", str(db), "--date", "2026-11-22", "--json"
    )
    assert code == 0 and len(json.loads(out)) == 10
    assert (out_dir / "journal.csv").read_text(encoding="utf-8").count("\n") == 3  # header and two events


def test_every_demo_parcel_history_ends_in_its_state(tmp_path: Path) -> None:
    run_demo(tmp_path / "demo", seed=1, quiet=True)
    with Store.open(tmp_path / "demo" / "pvz.db") as store:
        parcels = store.conn.execute("SELECT barcode, state FROM parcels ORDER BY barcode").fetchall()
        with_events = 0
        for barcode, state in parcels:
            h = parcel_history(store, barcode)
            [p] = h["parcels"]
            assert p["state"] == state
            if p["events"]:
                with_events += 1
                assert p["events"][-1]["to_state"] == state, barcode
                # every event names its clerk, but the overnight deadline sweep is the device's own act
                assert all(e["clerk_name"] for e in p["events"] if e["kind"] != "deadline_passed"), barcode
        assert with_events == len(parcels)
        rep = day_report(store, D21)
        assert sum(rep["states"].values()) == len(parcels)
        assert rep["waits"]["count"] == rep["states"]["issued"] == len(rep["waits"]["parcels"])
        refused = store.scalar("SELECT count(*) FROM journal WHERE kind = 'refused'")
        assert rep["cod"]["orders"] >= 1 and len(rep["refusals"]) == refused >= 1
        today = store.scalar(
            "SELECT count(*) FROM parcels WHERE surplus = 0 AND supply_id IN "
            "(SELECT DISTINCT json_extract(data, '$.supply') FROM journal WHERE kind = 'accepted' AND ts LIKE '2026-11-21%')"
        )
        assert sum(s["expected"] for s in rep["supplies"]) == today
        # the morning and the evening shift of the demo day; last week's shift is not on it
        shifts = [shift_report(store, i)["shift"] for i in shifts_on(store, D21)]
        assert len(shifts) == 2 and len({s["badge"] for s in shifts}) == 2
