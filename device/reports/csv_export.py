"""Writing a day report as CSV files, UTF-8 with a header row, one file per section."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from device.reports.types import DayReport
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
SUPPLY_COLUMNS = ("supply", "carrier", "expected", "accepted", "missing", "surplus", "damaged")
COD_COLUMNS = ("ts", "order", "kopecks", "payment", "clerk", "station")
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
    "cod_kopecks",
    "surplus",
    "damaged",
    "return_reason",
    "issued_at",
    "updated_at",
)


def _pick(row: Mapping[str, object], columns: Sequence[str]) -> list[object]:
    return [row[c] for c in columns]


def _write(path: Path, header: Sequence[str], body: Iterable[Sequence[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        for row in body:
            out.writerow(["" if v is None else v for v in row])
    return path


def write_csv(
    out_dir: Path, report: DayReport, events: Sequence[Event[Data]], parcels: Sequence[sqlite3.Row]
) -> list[Path]:
    """Write states, supplies, clerks, cod, refusals, returns, waits, journal and parcels; return paths."""
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
        _write(out_dir / "parcels.csv", PARCEL_COLUMNS, ([r[c] for c in PARCEL_COLUMNS] for r in parcels)),
    ]
