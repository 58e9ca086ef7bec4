"""The owner's statistics over a known week: parcels in and out by channel, issues per clerk,
refusals by reason, exceptions by kind, money; the PNG chart and the workbook's sheets."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PIL import Image

from device.cli.main import main
from device.reports.build import day_report, period_report
from device.reports.chart import DPI, HEIGHT_IN, WIDTH_IN
from device.reports.stats import CHANNELS
from device.reports.types import Stats
from device.store.db import Store
from tests.support.factory import CLERK, CLERK2
from tests.support.report_day import D21
from tests.support.report_week import build_week

MONDAY, SUNDAY = date(2026, 11, 16), date(2026, 11, 22)
MSK = ZoneInfo("Europe/Moscow")
WEEK_CHANNELS = {
    "orders": (5, 4),  # accepted on the 21st; issued on the 20th (card), the 21st (two), the 22nd
    "customer_returns": (1, 0),
    "dropoffs": (3, 2),  # the one taken back out of the bag does not arrive again
    "sends": (2, 1),
    "to_sender": (0, 1),  # the parcel refused on the 21st, returned on the 22nd
}
# The written tickets, and those the real engine opened for the days of report_day: the surplus
# at acceptance, the parcel marked damaged, the one refused at issue.
WEEK_TICKETS = {
    "unknown_barcode": (2, 1, 1),
    "damaged": (2, 0, 2),
    "refused": (1, 0, 1),
    "not_found": (0, 0, 0),
    "door": (0, 1, 0),  # opened the Sunday before, resolved on the 19th
    "hardware": (0, 0, 0),
    "note": (1, 0, 1),  # 22:30 UTC on the 22nd
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    store, _, _ = build_week(tmp_path / "pvz.db")
    store.close()
    yield tmp_path / "pvz.db"


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["report", *args])
    return code, capsys.readouterr().out


def by_channel(s: Stats) -> dict[str, tuple[int, int]]:
    return {c["channel"]: (c["parcels_in"], c["parcels_out"]) for c in s["channels"]}


def by_kind(s: Stats) -> dict[str, tuple[int, int, int]]:
    return {k["kind"]: (k["opened"], k["resolved"], k["open_now"]) for k in s["tickets"]}


def test_a_week_counts_every_channel_clerk_reason_kind_and_the_money(db: Path) -> None:
    with Store.open(db) as store:
        s = period_report(store, MONDAY, SUNDAY)["stats"]
    assert by_channel(s) == WEEK_CHANNELS
    assert s["issues"] == [
        {"badge": CLERK, "name": "Анна С.", "orders": 2, "parcels": 2},
        {"badge": CLERK2, "name": "Олег В.", "orders": 2, "parcels": 2},
    ]
    assert s["refusals"] == [
        {"reason": "refused_by_customer", "count": 1},
        {"reason": "return_check_failed", "count": 1},
    ]
    assert by_kind(s) == WEEK_TICKETS
    assert (s["cash_kopecks"], s["card_kopecks"]) == (123450, 50000)
    days = {d["date"]: d for d in s["days"]}
    assert list(days) == [f"2026-11-{n}" for n in range(16, 23)]
    assert days["2026-11-17"]["parcels_in"]["dropoffs"] == 3
    assert (days["2026-11-19"]["parcels_out"]["dropoffs"], days["2026-11-19"]["parcels_out"]["sends"]) == (
        2,
        1,
    )
    assert days["2026-11-19"]["parcels_in"] == dict.fromkeys(CHANNELS, 0)
    assert (days["2026-11-20"]["card_kopecks"], days["2026-11-21"]["cash_kopecks"]) == (50000, 123450)
    assert days["2026-11-22"]["parcels_out"] == {**dict.fromkeys(CHANNELS, 0), "orders": 1, "to_sender": 1}


def test_the_week_in_moscow_takes_the_late_dropoff_and_leaves_the_late_ticket(db: Path) -> None:
    with Store.open(db) as store:
        s = period_report(store, MONDAY, SUNDAY, MSK)["stats"]
    assert by_channel(s) == {**WEEK_CHANNELS, "dropoffs": (4, 2)}
    assert by_kind(s) == {**WEEK_TICKETS, "note": (0, 0, 1)}
    assert s["days"][0]["parcels_in"]["dropoffs"] == 1


def test_a_month_and_a_day(db: Path) -> None:
    with Store.open(db) as store:
        month = period_report(store, date(2026, 11, 1), date(2026, 11, 30))["stats"]
        day = day_report(store, D21)["stats"]
    # The card order came on the 10th, the late drop-off on the 15th.
    assert by_channel(month) == {**WEEK_CHANNELS, "orders": (6, 4), "dropoffs": (4, 2)}
    assert by_kind(month)["door"] == (1, 1, 0)
    assert len(month["days"]) == 30
    assert by_channel(day) == {**dict.fromkeys(CHANNELS, (0, 0)), "orders": (5, 2)}
    assert by_kind(day)["damaged"] == (2, 0, 2)  # the written one and the engine's own (report_day marks one)
    assert [i["badge"] for i in day["issues"]] == [CLERK]
    assert (day["cash_kopecks"], day["card_kopecks"]) == (123450, 0)


def test_a_clerk_filter_narrows_the_tickets_too(db: Path) -> None:
    with Store.open(db) as store:
        s = period_report(store, MONDAY, SUNDAY, clerk=CLERK2)["stats"]
    assert by_channel(s) == {**dict.fromkeys(CHANNELS, (0, 0)), "orders": (0, 2)}
    assert all(k["opened"] == 0 for k in s["tickets"])


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "ru",
            [
                "Отправления по каналам",
                "сдача продавцов      3          2",
                "отказ клиента",
                "картой 500,00 ₽",
            ],
        ),
        (
            "en",
            [
                "Parcels by channel",
                "seller drop-offs   3   2",
                "refused by the customer",
                "by card RUB 500.00",
            ],
        ),
    ],
)
def test_the_week_report_names_channels_reasons_and_kinds_in_words(
    db: Path, capsys: pytest.CaptureFixture[str], lang: str, words: list[str]
) -> None:
    code, out = report(
        capsys, "week", "--date", "2026-11-21", "--tz", "UTC", "--store", str(db), "--lang", lang
    )
    assert code == 0
    flat = " ".join(out.split())
    for w in words:
        assert " ".join(w.split()) in flat, w
    figures = out[out.index(words[0]) :]
    for name in (*CHANNELS, *WEEK_TICKETS, "return_check_failed", "refused_by_customer"):
        assert "_" not in name or name not in figures
    if lang == "ru":
        assert not re.search("[A-Za-z]", figures)


@pytest.mark.parametrize(
    ("period", "lang", "written"),
    [
        (("week", "--date", "2026-11-21"), "en", "Chart written"),
        (("month", "--month", "2026-11"), "ru", "График сохранён"),
    ],
)
def test_the_chart_is_a_png_of_the_expected_size(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    period: tuple[str, ...],
    lang: str,
    written: str,
) -> None:
    png = tmp_path / "charts" / f"{period[0]}.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out = report(capsys, *period, "--chart", str(png), "--store", str(db), "--lang", lang)
    assert code == 0
    assert not [w for w in caught if "Glyph" in str(w.message)]  # every letter has its glyph
    assert f"{written}: {png}" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as image:
        image.verify()
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH_IN * DPI, HEIGHT_IN * DPI)
        # Drawn, not blank: the bars give the picture many colours.
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or []) > 10


def test_the_workbook_has_a_sheet_per_statistic_and_the_chart(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path, png = tmp_path / "week.xlsx", tmp_path / "week.png"
    code, _ = report(
        capsys,
        "export",
        "--week",
        "2026-11-21",
        "--xlsx",
        str(book_path),
        "--chart",
        str(png),
        "--store",
        str(db),
        "--lang",
        "en",
    )
    assert code == 0 and png.exists()
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames[-6:] == ["channels", "issues", "refusal_reasons", "tickets", "days", "chart"]
    assert list(book["channels"].iter_rows(values_only=True)) == [
        ("Channel", "In", "Out"),
        ("customer orders", 5, 4),
        ("customer returns", 1, 0),
        ("seller drop-offs", 3, 2),
        ("customer sends", 2, 1),
        ("returns to sender", 0, 1),
    ]
    assert list(book["issues"].iter_rows(values_only=True))[1:] == [
        (CLERK, "Анна С.", 2, 2),
        (CLERK2, "Олег В.", 2, 2),
    ]
    assert list(book["refusal_reasons"].iter_rows(values_only=True))[1:] == [
        ("refused by the customer", 1),
        ("customer return failed its check", 1),
    ]
    tickets = list(book["tickets"].iter_rows(values_only=True))
    assert tickets[0] == ("Kind", "Opened", "Resolved", "Open now")
    assert tickets[1] == ("unknown barcode at acceptance", 2, 1, 1)
    assert len(tickets) == 1 + len(WEEK_TICKETS)
    days = book["days"]
    assert days["B1"].value == "customer orders" and days["F1"].value == "seller drop-offs"
    assert [c.value for c in days[2]][:3] == ["Date", "In", "Out"]
    friday = [c.value for c in days[7]]
    assert friday[0] == datetime(2026, 11, 20) and days["A7"].is_date
    assert friday[1:5] == [0, 1, 1, 0]  # orders in/out, customer returns in/out
    assert friday[-2:] == [0, 500.0]
    with zipfile.ZipFile(book_path) as parts:
        media = [n for n in parts.namelist() if n.startswith("xl/media/")]
        assert media == ["xl/media/image1.png"]  # the chart, embedded
        with Image.open(io.BytesIO(parts.read(media[0]))) as image:
            assert image.size == (WIDTH_IN * DPI, HEIGHT_IN * DPI)
