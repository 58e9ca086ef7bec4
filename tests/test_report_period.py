"""Reports over a period, of one clerk or one station, and the Excel workbook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from device.cli.main import main
from device.reports.build import day_report, period_report
from device.reports.period import month, week
from device.store.db import Store
from tests.support.factory import CLERK, CLERK2
from tests.support.report_day import ANNA, COD, D21, D22, REFUSALS, build_day

ISSUE_22 = "11111111-0001-1"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    store, _, _ = build_day(tmp_path / "pvz.db")
    store.close()
    yield tmp_path / "pvz.db"


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["report", *args])
    return code, capsys.readouterr().out


def test_week_is_monday_to_sunday_and_month_is_first_to_last() -> None:
    assert week(D21) == (date(2026, 11, 16), date(2026, 11, 22))  # the 21st is a Saturday
    assert month(date(2026, 2, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month(date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))


def test_two_days_add_up_the_first_day_and_the_issue_of_the_second(db: Path) -> None:
    with Store.open(db) as store:
        both = period_report(store, D21, D22)
        one = period_report(store, D21, D21)
        first_day = day_report(store, D21)
    assert (both["date_from"], both["date_to"]) == ("2026-11-21", "2026-11-22")
    assert {k: v for k, v in one.items() if k in first_day} == {
        k: v for k, v in first_day.items() if k != "date"
    }
    assert both["events"] == first_day["events"] + 2  # issued and issue_completed on the 22nd
    [anna, oleg] = both["clerks"]
    assert anna == ANNA
    assert (oleg["badge"], oleg["placed"], oleg["issued"], oleg["events"]) == (CLERK2, 4, 1, 9)
    assert [w["parcel"] for w in both["waits"]["parcels"]][-1] == ISSUE_22
    assert both["waits"]["count"] == 3 and both["waits"]["max_hours"] == 24.83
    assert both["cod"] == COD and both["refusals"] == REFUSALS


def test_station_rows_count_each_stations_work(db: Path) -> None:
    with Store.open(db) as store:
        rep = period_report(store, D21, D22)
    assert rep["stations"] == [
        {
            "station": "a",
            "accepted": 5,
            "placed": 0,
            "issued": 2,
            "refused": 1,
            "customer_returns": 0,
            "returned": 0,
            "cod_kopecks": 123450,
            "events": 19,
        },
        {
            "station": "b",
            "accepted": 0,
            "placed": 4,
            "issued": 1,
            "refused": 0,
            "customer_returns": 0,
            "returned": 0,
            "cod_kopecks": 0,
            "events": 9,
        },
    ]


def test_a_clerk_filter_keeps_only_that_clerks_work(db: Path) -> None:
    with Store.open(db) as store:
        rep = period_report(store, D21, D22, clerk=CLERK2)
    assert rep["clerk"] == CLERK2 and [c["badge"] for c in rep["clerks"]] == [CLERK2]
    assert [s["station"] for s in rep["stations"]] == ["b"]
    assert rep["cod"]["orders"] == 0 and rep["refusals"] == [] and rep["supplies"] == []
    assert [w["parcel"] for w in rep["waits"]["parcels"]] == [ISSUE_22]
    assert rep["states"]["issued"] == 3  # the shelves are the whole store's, whoever is asked about


def test_a_station_filter_keeps_only_that_stations_work(db: Path) -> None:
    with Store.open(db) as store:
        rep = period_report(store, D21, D22, station="a")
    assert [c["badge"] for c in rep["clerks"]] == [CLERK] and rep["events"] == 19
    assert rep["cod"]["total_kopecks"] == 123450 and len(rep["refusals"]) == 1


def test_cli_periods_week_month_and_from_to(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ("--store", str(db), "--json")
    code, out = report(capsys, "period", "--from", "2026-11-21", "--to", "2026-11-22", *store)
    assert code == 0
    with Store.open(db) as s:
        assert json.loads(out) == period_report(s, D21, D22)
    code, out = report(capsys, "day", "--week", "2026-11-19", *store)
    assert code == 0 and (json.loads(out)["date_from"], json.loads(out)["date_to"]) == (
        "2026-11-16",
        "2026-11-22",
    )
    assert json.loads(out)["events"] == 29  # 27 on the 21st, 2 on the 22nd
    code, out = report(capsys, "period", "--month", "2026-11", *store)
    assert code == 0 and (json.loads(out)["date_from"], json.loads(out)["date_to"]) == (
        "2026-11-01",
        "2026-11-30",
    )
    code, out = report(capsys, "period", "--month", "--date", "2026-12-03", *store)
    assert code == 0 and json.loads(out)["date_from"] == "2026-12-01" and json.loads(out)["events"] == 0
    code, out = report(capsys, "day", "--date", "2026-11-22", "--station", "b", *store)
    assert code == 0 and json.loads(out)["station"] == "b" and json.loads(out)["events"] == 2


def test_cli_refuses_a_period_backwards_or_two_periods_at_once(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "period", "--from", "2026-11-22", "--to", "2026-11-21", "--store", str(db)])
    assert code != 0 and "--to 2026-11-21 is before --from 2026-11-22" in capsys.readouterr().err
    code = main(["report", "period", "--week", "--month", "--store", str(db)])
    assert code != 0 and "one of --from/--to, --week, --month" in capsys.readouterr().err


def test_period_text_names_the_dates_the_filter_and_the_stations(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = report(
        capsys, "period", "--from", "2026-11-21", "--to", "2026-11-22", "--clerk", CLERK2, "--store", str(db)
    )
    assert code == 0
    assert out.splitlines()[:2] == [
        "Отчёт за период 2026-11-21 — 2026-11-22",
        f"Только сотрудник: Олег В. ({CLERK2})",
    ]
    assert "Посты" in out


def test_xlsx_has_a_sheet_per_section_with_typed_values(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "week.xlsx"
    code, _ = report(
        capsys, "export", "--week", "2026-11-21", "--xlsx", str(out), "--store", str(db), "--lang", "en"
    )
    assert code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [
        "report",
        "states",
        "supplies",
        "clerks",
        "stations",
        "cod",
        "refusals",
        "returns",
        "waits",
        "channels",
        "issues",
        "refusal_reasons",
        "tickets",
        "days",
    ]
    head = book["report"]
    assert head["B2"].value == datetime(2026, 11, 16) and head["B3"].value == datetime(2026, 11, 22)
    assert head["B2"].is_date and (head["A2"].value, head["A3"].value) == ("From", "To")
    stations = list(book["stations"].iter_rows(values_only=True))
    assert stations[0] == (
        "Station",
        "Accepted",
        "Placed",
        "Issued",
        "Refused",
        "Customer returns",
        "Returned to sender",
        "Cash on delivery",
        "Events",
    )
    assert stations[1] == ("a", 5, 0, 2, 1, 0, 0, 1234.5, 19)
    assert book["stations"]["H2"].number_format == '#,##0.00\\ "₽"'
    cod = book["cod"]
    assert [c.value for c in cod[2]] == [
        datetime(2026, 11, 21, 13, 0, 3),
        "33333333",
        1234.5,
        "cash",
        CLERK,
        "a",
    ]
    assert cod["A2"].is_date and cod["C2"].number_format == '#,##0.00\\ "₽"'
    waits = list(book["waits"].iter_rows(values_only=True))
    assert waits[0] == ("Parcel", "Order", "Accepted at", "Issued at", "Hours")
    assert [w[4] for w in waits[1:]] == [3.83, 5.83, 24.83]
    assert isinstance(waits[1][2], datetime)
    states = {row[0]: row[1] for row in book["states"].iter_rows(min_row=2, values_only=True)}
    assert states["issued"] == 3 and states["missing"] == 1
    clerks = list(book["clerks"].iter_rows(min_row=2, values_only=True))
    assert [(c[0], c[4]) for c in clerks] == [(CLERK, 2), (CLERK2, 1)]


def test_csv_export_takes_the_period_and_the_filter(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "csv"
    code, _ = report(
        capsys,
        "export",
        "--from",
        "2026-11-21",
        "--to",
        "2026-11-22",
        "--station",
        "b",
        "--csv",
        str(out),
        "--store",
        str(db),
    )
    assert code == 0
    lines = (out / "stations.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "station;accepted;placed;issued;refused;customer_returns;returned;cod_rub;events",
        "b;0;4;1;0;0;0;0,00;9",
    ]
    assert len((out / "journal.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + 9
