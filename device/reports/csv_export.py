"""Writing a report as CSV files, one per section, that a Russian-locale Excel opens as they are:
UTF-8 with a BOM, `;` between fields, a decimal comma, money in roubles ("6183,50")."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from device.reports.types import Sections
from device.store.journal import Data, Event

CLERK_COLUMNS = (
    "badge",
    "name",
    "accepted",
    "placed",
    "issued",
    "refused",
    "customer_returns",
    "returned",
    "inventory",
    "events",
)
STATION_COLUMNS = (
    "station",
    "accepted",
    "placed",
    "issued",
    "refused",
    "customer_returns",
    "returned",
    "cod_rub",
    "events",
)
SUPPLY_COLUMNS = ("supply", "carrier", "expected", "accepted", "missing", "surplus", "damaged")
COD_COLUMNS = ("ts", "order", "amount_rub", "payment", "clerk", "station")
REF_COLUMNS = ("ts", "parcel", "order", "clerk", "station")
WAIT_COLUMNS = ("parcel", "order", "accepted_at", "issued_at", "seconds", "hours", "clock_back")
JOURNAL_COLUMNS = (
    "seq",
    "event_id",
    "device_id",
    "ts",
    "station",
    "clerk",
    "kind",
    "parcel",
    "from_state",
    "to_state",
    "cell",
    "data",
)
PARCEL_COLUMNS = (
    "barcode",
    "kind",
    "order_id",
    "supply_id",
    "state",
    "cell",
    "size",
    "cod_rub",
    "surplus",
    "damaged",
    "return_reason",
    "issued_at",
    "updated_at",
)


DELIMITER = ";"  # what Excel expects where the decimal separator is a comma


class Roubles(int):
    """An amount in kopecks that a file shows in roubles."""


def roubles(kopecks: int) -> str:
    """123450 → "1234,50": the amount in roubles with a decimal comma (the sign kept)."""
    sign = "-" if kopecks < 0 else ""
    whole, part = divmod(abs(kopecks), 100)
    return f"{sign}{whole},{part:02d}"


def cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, Roubles):
        return roubles(value)
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return value


def _money(row: Mapping[str, object] | sqlite3.Row, source: str) -> object:
    value = row[source]
    return None if value is None else Roubles(int(str(value)))


def _pick(row: Mapping[str, object], columns: Sequence[str]) -> list[object]:
    money = {"amount_rub": "kopecks", "cod_rub": "cod_kopecks"}
    return [_money(row, money[c]) if c in money else row[c] for c in columns]


def _write(path: Path, header: Sequence[str], body: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=DELIMITER)
        out.writerow(header)
        for row in body:
            out.writerow([cell(v) for v in row])
    return path


def write_csv(
    out_dir: Path, report: Sections, events: Sequence[Event[Data]], parcels: Sequence[sqlite3.Row]
) -> list[Path]:
    """Write states, supplies, clerks, stations, cod, refusals, returns, waits, journal and parcels; return paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    returns = [("customer", r) for r in report["returns"]["customer"]]
    returns += [("to_sender", r) for r in report["returns"]["to_sender"]]
    return [
        _write(out_dir / "states.csv", ("state", "count"), report["states"].items()),
        _write(
            out_dir / "supplies.csv",
            SUPPLY_COLUMNS,
            (_pick(s, SUPPLY_COLUMNS) for s in report["supplies"]),
        ),
        _write(
            out_dir / "clerks.csv",
            CLERK_COLUMNS,
            (_pick(k, CLERK_COLUMNS) for k in report["clerks"]),
        ),
        _write(
            out_dir / "stations.csv",
            STATION_COLUMNS,
            (_pick(k, STATION_COLUMNS) for k in report["stations"]),
        ),
        _write(
            out_dir / "cod.csv",
            COD_COLUMNS,
            (_pick(i, COD_COLUMNS) for i in report["cod"]["items"]),
        ),
        _write(
            out_dir / "refusals.csv",
            REF_COLUMNS,
            (_pick(r, REF_COLUMNS) for r in report["refusals"]),
        ),
        _write(
            out_dir / "returns.csv",
            ("type", *REF_COLUMNS),
            ([kind, *_pick(r, REF_COLUMNS)] for kind, r in returns),
        ),
        _write(
            out_dir / "waits.csv",
            WAIT_COLUMNS,
            (_pick(w, WAIT_COLUMNS) for w in report["waits"]["parcels"]),
        ),
        _write(
            out_dir / "journal.csv",
            JOURNAL_COLUMNS,
            (
                [
                    *(getattr(e, c) for c in JOURNAL_COLUMNS[:-1]),
                    json.dumps(e.data, ensure_ascii=False, sort_keys=True),
                ]
                for e in events
            ),
        ),
        _write(
            out_dir / "parcels.csv",
            PARCEL_COLUMNS,
            ([_money(r, "cod_kopecks") if c == "cod_rub" else r[c] for c in PARCEL_COLUMNS] for r in parcels),
        ),
    ]
