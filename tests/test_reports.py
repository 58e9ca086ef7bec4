"""Reports over a day driven through the real engine: day, shift, parcel history, CSV, printout."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from device.documents.registry import Documents
from device.reports.build import (
    ReportError,
    day_report,
    export_csv,
    parcel_history,
    shift_report,
    shifts_on,
)
from device.reports.csv_export import roubles
from device.reports.types import History
from device.store.db import Store
from device.store.journal import Data, Event, Stamp, append
from drivers.document import Document
from drivers.printer.text_render import render_text
from tests.support.factory import CLERK, CLERK2, DEVICE, T0
from tests.support.report_day import (
    ANNA,
    COD,
    D21,
    D22,
    OLEG_21,
    REFUSALS,
    S1,
    STATES,
    SURPLUS,
    WAITS,
    build_day,
)


@pytest.fixture
def day(tmp_path: Path) -> Iterator[Store]:
    store, _, _ = build_day(tmp_path / "pvz.db")
    yield store
    store.close()


def test_day_report_counts_the_day_exactly(day: Store) -> None:
    rep = day_report(day, D21)
    assert rep["date"] == "2026-11-21"
    assert rep["states"] == STATES
    assert rep["supplies"] == [S1]
    assert rep["clerks"] == [ANNA, OLEG_21]
    assert rep["cod"] == COD
    assert rep["refusals"] == REFUSALS
    assert rep["returns"] == {"customer": [], "to_sender": []}
    assert rep["waits"] == WAITS
    assert rep["events"] == 27  # placement_ended among them
    assert json.loads(json.dumps(rep)) == rep


def test_the_next_day_holds_only_its_own_events(day: Store) -> None:
    rep = day_report(day, D22)
    assert rep["events"] == 2 and rep["supplies"] == [] and rep["cod"]["orders"] == 0
    assert [(c["badge"], c["issued"], c["events"]) for c in rep["clerks"]] == [(CLERK2, 1, 2)]
    wait = rep["waits"]["parcels"]
    assert [(w["parcel"], w["seconds"], w["hours"]) for w in wait] == [("11111111-0001-1", 89400, 24.83)]
    assert rep["waits"]["count"] == 1 and rep["waits"]["max_hours"] == 24.83
    assert day_report(day, date(2026, 11, 20))["events"] == 0


def test_a_time_zone_moves_events_across_midnight(day: Store) -> None:
    with day.transaction() as conn:
        append(
            conn, Stamp(DEVICE, "2026-11-21T22:30:00+00:00", "b", CLERK2), "bag_opened", data={"bag": "B1"}
        )
    msk = timezone(timedelta(hours=3))
    assert day_report(day, D21)["events"] == 28  # the date as written
    assert day_report(day, D21, msk)["events"] == 27  # 01:30 on the 22nd in Moscow
    assert day_report(day, D22, msk)["events"] == 3


def test_unknown_and_new_kinds_are_counted_generically(day: Store) -> None:
    with day.transaction() as conn:
        stamp = Stamp(DEVICE, "2026-11-21T16:00:00+00:00", "b", CLERK2)
        append(
            conn,
            stamp,
            "customer_return",
            parcel="77777777-0001-R",
            to_state="accepted",
            data={"order": "77777777"},
        )
        append(conn, stamp, "returned", parcel="22222222-0002-1", from_state="returning", to_state="returned")
        append(conn, stamp, "inventory_found", parcel=SURPLUS, from_state="missing", to_state="stored")
        append(conn, stamp, "inventory_report", data={"found": 1})
        append(conn, stamp, "something_new", data={"x": 1})
    rep = day_report(day, D21)
    oleg = rep["clerks"][1]
    assert (oleg["customer_returns"], oleg["returned"], oleg["inventory"], oleg["events"]) == (1, 1, 1, 12)
    assert oleg["kinds"]["something_new"] == 1 and oleg["kinds"]["inventory_report"] == 1
    ref = {"ts": "2026-11-21T16:00:00+00:00", "clerk": CLERK2, "station": "b"}
    assert rep["returns"] == {
        "customer": [{**ref, "parcel": "77777777-0001-R", "order": "77777777"}],
        "to_sender": [{**ref, "parcel": "22222222-0002-1", "order": "22222222"}],
    }


def test_shift_report_is_restricted_to_the_clerk_and_the_shift(day: Store) -> None:
    assert shifts_on(day, D21) == [1, 2]
    assert shifts_on(day, D22) == [2]  # Oleg's shift is still open
    assert shifts_on(day, date(2026, 11, 20)) == []
    rep = shift_report(day, 1)
    assert rep["shift"] == {
        "id": 1,
        "badge": CLERK,
        "clerk": "Анна С.",
        "station": "a",
        "opened_at": "2026-11-21T09:00:00+00:00",
        "closed_at": "2026-11-21T18:00:00+00:00",
        "until": "2026-11-21T18:00:00+00:00",
    }
    assert rep["clerks"] == [ANNA]
    assert rep["supplies"] == [S1]
    assert (rep["cod"], rep["refusals"], rep["waits"], rep["events"]) == (COD, REFUSALS, WAITS, 19)
    assert rep["states"] == STATES


def test_an_open_shift_runs_until_now(day: Store) -> None:
    rep = shift_report(day, 2, now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    assert rep["shift"]["closed_at"] is None and rep["shift"]["until"] == "2026-11-22T12:00:00+00:00"
    [oleg] = rep["clerks"]
    assert (oleg["placed"], oleg["issued"], oleg["events"]) == (4, 1, 9)
    assert rep["waits"]["count"] == 1
    before = shift_report(day, 2, now=datetime(2026, 11, 21, 23, 0, tzinfo=UTC))
    assert before["clerks"][0]["issued"] == 0
    with pytest.raises(ReportError, match="no shift 9"):
        shift_report(day, 9)


def _events(h: History) -> list[tuple[object, ...]]:
    [parcel] = h["parcels"]
    return [
        (
            e["ts"][11:19],
            e["kind"],
            e["from_state"],
            e["to_state"],
            e["clerk"],
            e["clerk_name"],
            e["station"],
            e["cell"],
        )
        for e in parcel["events"]
    ]


def test_parcel_history_lists_every_event_with_clerk_and_station(day: Store) -> None:
    h = parcel_history(day, "11111111-0001-1")
    assert h["by"] == "parcel" and h["code"] == "11111111-0001-1"
    [p] = h["parcels"]
    assert (p["barcode"], p["kind"], p["order"], p["state"], p["cell"]) == (
        "11111111-0001-1",
        "delivery",
        "11111111",
        "issued",
        None,
    )
    assert p["origin"] == {
        "supply": "S1",
        "carrier": "Test Carrier",
        "version": 1,
        "imported_at": T0.isoformat(),
        "manifest_event_ts": T0.isoformat(),
        "manifest_parcels": 5,
    }
    assert _events(h) == [
        ("09:10:02", "accepted", "expected", "accepted", CLERK, "Анна С.", "a", None),
        ("09:10:02", "damaged", "accepted", "accepted", CLERK, "Анна С.", "a", None),
        ("10:00:02", "placed", "accepted", "stored", CLERK2, "Олег В.", "b", "A-01-1"),
        ("10:00:02", "issued", "stored", "issued", CLERK2, "Олег В.", "b", "A-01-1"),
    ]
    assert p["events"][-1]["ts"].startswith("2026-11-22") and p["events"][-1]["data"]["order"] == "11111111"
    assert [e["seq"] for e in p["events"]] == sorted(e["seq"] for e in p["events"])


def test_parcel_history_of_an_order_covers_each_parcel(day: Store) -> None:
    h = parcel_history(day, "22222222")
    assert h["by"] == "order"
    assert [(p["barcode"], p["state"], p["cell"]) for p in h["parcels"]] == [
        ("22222222-0001-1", "issued", None),
        ("22222222-0002-1", "to_return", "A-03-1"),
    ]
    refused = h["parcels"][1]["events"]
    assert [(e["kind"], e["clerk"], e["station"], e["cell"]) for e in refused] == [
        ("accepted", CLERK, "a", None),
        ("placed", CLERK2, "b", "A-03-1"),
        ("refused", CLERK, "a", "A-03-1"),
    ]
    assert refused[-1]["data"] == {"order": "22222222", "reason": "refused_by_customer"}
    surplus = parcel_history(day, SURPLUS)["parcels"][0]
    assert surplus["origin"] is not None and surplus["origin"]["supply"] == "S1"
    assert [e["kind"] for e in surplus["events"]] == ["surplus"]


def test_an_unknown_code_is_a_report_error(day: Store) -> None:
    with pytest.raises(ReportError, match="no parcel or order 'NOPE-0000'") as exc:
        parcel_history(day, "NOPE-0000")
    assert isinstance(exc.value, LookupError)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_export_csv_writes_every_section(day: Store, tmp_path: Path) -> None:
    paths = export_csv(day, tmp_path / "csv", D21)
    names = [
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
    ]
    assert [p.name for p in paths] == [f"{n}.csv" for n in names]
    t = {p.stem: _read(p) for p in paths}
    assert {r["state"]: int(r["count"]) for r in t["states"]} == STATES
    assert t["supplies"] == [{k: str(v) for k, v in S1.items()}]
    assert [(r["badge"], r["name"], r["accepted"], r["placed"], r["events"]) for r in t["clerks"]] == [
        (CLERK, "Анна С.", "5", "0", "19"),
        (CLERK2, "Олег В.", "0", "4", "7"),
    ]
    assert t["cod"] == [
        {
            "ts": "2026-11-21T13:00:03+00:00",
            "order": "33333333",
            "amount_rub": "1234,50",
            "payment": "cash",
            "clerk": CLERK,
            "station": "a",
        }
    ]
    assert t["refusals"] == [{k: str(v) for k, v in REFUSALS[0].items()}]
    assert t["returns"] == []
    assert [
        (r["parcel"], r["accepted_at"], r["issued_at"], r["seconds"], r["hours"]) for r in t["waits"]
    ] == [
        ("33333333-0001-1", "2026-11-21T09:10:05+00:00", "2026-11-21T13:00:03+00:00", "13798", "3,83"),
        ("22222222-0001-1", "2026-11-21T09:10:03+00:00", "2026-11-21T15:00:04+00:00", "21001", "5,83"),
    ]
    # The day's work: the tickets' own events are the exception queue's (pvz tickets ls).
    tickets = {r[0] for r in day.conn.execute("SELECT seq FROM journal WHERE kind LIKE 'ticket_%'")}
    assert [int(r["seq"]) for r in t["journal"]] == [n for n in range(1, 31) if n not in tickets]
    assert json.loads(t["journal"][0]["data"]) == {"parcels": 5, "supply": "S1", "version": 1}
    assert {r["barcode"]: (r["state"], r["cell"]) for r in t["parcels"]} == {
        "11111111-0001-1": ("issued", ""),
        "22222222-0001-1": ("issued", ""),
        "22222222-0002-1": ("to_return", "A-03-1"),
        "33333333-0001-1": ("issued", ""),
        "44444444-0001-1": ("missing", ""),
        SURPLUS: ("accepted", ""),
    }


def test_csv_bytes_open_in_a_russian_excel(day: Store, tmp_path: Path) -> None:
    """UTF-8 with a BOM (else Excel reads Cyrillic as cp1251), `;` fields, roubles with a comma."""
    paths = {p.stem: p for p in export_csv(day, tmp_path / "csv", D21)}
    cod = paths["cod"].read_bytes()
    assert cod.startswith(b"\xef\xbb\xbfts;order;amount_rub;payment;clerk;station\r\n")
    assert b";33333333;1234,50;cash;" in cod
    clerks = paths["clerks"].read_bytes()
    assert "Анна С.".encode() in clerks and b"," not in clerks.splitlines()[0]
    parcels = _read(paths["parcels"])
    assert {r["barcode"]: r["cod_rub"] for r in parcels if r["cod_rub"] != "0,00"} == {
        "33333333-0001-1": "1234,50"
    }


def test_roubles_are_written_with_a_decimal_comma() -> None:
    assert [roubles(k) for k in (618350, 5, 100, 0, -250)] == ["6183,50", "0,05", "1,00", "0,00", "-2,50"]


def test_closing_the_shift_printed_its_report(day: Store) -> None:
    stored = day.scalar("SELECT document FROM print_jobs WHERE kind = 'shift_report'")
    text = " ".join(render_text(Document.from_json(json.loads(stored))).split())
    for part in ("Отчёт по смене № 1", "Анна С.", "Пост: a", "Открыта: 2026-11-21 09:00:00"):
        assert part in text, part
    assert "Закрыта: 2026-11-21 18:00:00" in text and "Отказы (1)" in text
    assert "1 234,50 руб." in text and "22222222-0002-1" in text
    assert "среднее 4,83 ч, медиана 4,83 ч, максимум 5,83 ч" in text


def test_the_shift_report_document_in_english_for_an_open_shift(day: Store) -> None:
    docs = Documents(site="test-site", device_id=DEVICE, lang="en")
    stamp = Stamp(DEVICE, "2026-11-22T12:00:00+00:00", "b", CLERK2)
    doc = docs.build("shift_report", {"shift": 2}, day.conn, stamp)
    text = " ".join(render_text(doc).split())
    assert doc.kind == "shift_report" and doc.title == "Shift report #2"
    assert "Олег В." in text and "Shift still open, as of 2026-11-22 12:00:00" in text
    assert "Refusals (0)" in text and "Issued 1: mean 24.83 h" in text


def test_events_parse_their_time() -> None:
    e: Event[Data] = Event(
        seq=1, event_id="x", device_id=DEVICE, ts="2026-11-21T12:00:00+03:00", kind="k", data={}
    )
    assert e.when == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
