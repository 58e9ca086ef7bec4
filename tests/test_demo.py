"""`pvz demo`: a whole day runs, and its summary agrees with what the store holds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from device.cli.main import main
from workflows.parcel import ParcelState


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--out", str(out), "--seed", "7", "--quiet"]) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def q(db: sqlite3.Connection, sql: str) -> Any:
    return db.execute(sql).fetchone()[0]


def test_summary_has_the_promised_shape(demo: tuple[Path, dict[str, Any]]) -> None:
    _, s = demo
    for key in (
        "parcels",
        "surplus",
        "damaged",
        "supplies",
        "orders",
        "issues",
        "refused_parcels",
        "receipts",
    ):
        assert key in s
    assert set(s["parcels"]) == {st.value for st in ParcelState}


def test_summary_agrees_with_the_store(demo: tuple[Path, dict[str, Any]]) -> None:
    out, s = demo
    db = sqlite3.connect(out / "pvz.db")
    for st in ParcelState:
        assert s["parcels"][st.value] == q(db, f"SELECT count(*) FROM parcels WHERE state = '{st.value}'")
    assert s["surplus"] == q(db, "SELECT count(*) FROM parcels WHERE surplus")
    assert s["damaged"] == q(db, "SELECT count(*) FROM parcels WHERE damaged")
    assert s["supplies"] == q(db, "SELECT count(*) FROM supplies")
    assert s["orders"] == q(db, "SELECT count(*) FROM orders")
    completed = [
        json.loads(r[0]) for r in db.execute("SELECT data FROM journal WHERE kind = 'issue_completed'")
    ]
    assert s["issues"] == len(completed)
    assert s["refused_parcels"] == sum(len(c["refused"]) for c in completed)
    assert s["refused_parcels"] == q(
        db, "SELECT count(*) FROM parcels WHERE return_reason = 'refused_by_customer'"
    )
    assert s["parcels"]["issued"] == sum(len(c["taken"]) for c in completed)
    receipts = sorted((out / "receipts").glob("*-receipt.bin"))
    assert (
        s["receipts"] == len(receipts) == len(list((out / "receipts").glob("*-receipt.txt"))) == s["issues"]
    )


def test_the_day_is_as_big_and_varied_as_promised(demo: tuple[Path, dict[str, Any]]) -> None:
    out, s = demo
    db = sqlite3.connect(out / "pvz.db")
    assert s["supplies"] >= 3 and s["orders"] >= 40
    assert sum(s["parcels"].values()) >= 60
    assert s["surplus"] >= 1 and s["damaged"] >= 1 and s["parcels"]["missing"] >= 1
    assert q(db, "SELECT count(DISTINCT cell) FROM journal WHERE kind = 'placed'") >= 30
    assert s["issues"] >= 25
    completed = [
        json.loads(r[0]) for r in db.execute("SELECT data FROM journal WHERE kind = 'issue_completed'")
    ]
    assert any(c["refused"] and c["taken"] for c in completed), "a partial refusal"
    assert any(c["cod_kopecks"] > 0 for c in completed), "a cash-on-delivery order"
    assert q(db, "SELECT count(*) FROM parcels WHERE age_restricted AND state = 'issued'") >= 1
    assert q(db, "SELECT count(*) FROM journal WHERE kind = 'moved'") >= 1
    assert 'off_suggestion": true' in " ".join(
        r[0] for r in db.execute("SELECT data FROM journal WHERE kind = 'placed'")
    )
    assert q(db, "SELECT count(*) FROM print_jobs WHERE state = 'queued'") == 0
    assert q(db, "SELECT count(*) FROM sessions") == 0, "the day ends with every workflow closed"


def test_receipts_hold_escpos_bytes_with_russian_text(demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    receipt = sorted((out / "receipts").glob("*-receipt.bin"))[0]
    data = receipt.read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1dV" in data  # reset … cut
    assert "Чек выдачи заказа".encode("cp866") in data
    text = receipt.with_suffix(".txt").read_text(encoding="utf-8")
    assert "Чек выдачи заказа" in text


def test_same_seed_same_day_and_english_receipts(tmp_path: Path, demo: tuple[Path, dict[str, Any]]) -> None:
    _, s = demo
    assert main(["demo", "--out", str(tmp_path), "--seed", "7", "--quiet", "--lang", "en"]) == 0
    again = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert again == s
    text = sorted((tmp_path / "receipts").glob("*-receipt.txt"))[0].read_text(encoding="utf-8")
    assert "Order issue receipt" in text


def test_the_timeline_is_printed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--out", str(tmp_path), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "Приёмка поставки" in out and "Выдача клиентам" in out
    assert "✗" in out and "✓" in out  # refusals and successes both appear
    assert '"issues"' in out


def test_the_rest_of_the_lifecycle_is_in_the_day_and_agrees_with_the_store(
    demo: tuple[Path, dict[str, Any]],
) -> None:
    out, s = demo
    db = sqlite3.connect(out / "pvz.db")
    assert s["customer_returns"] == q(db, "SELECT count(*) FROM parcels WHERE kind = 'customer_return'") >= 1
    assert s["expired"] == q(db, "SELECT count(*) FROM journal WHERE kind = 'deadline_passed'") >= 1
    assert (
        s["returned_to_sender"]
        == q(db, "SELECT count(*) FROM journal WHERE kind = 'returned'")
        >= s["expired"]
    )
    report = json.loads(q(db, "SELECT data FROM inventory_reports ORDER BY id DESC LIMIT 1"))
    assert s["inventory"] == {k: len(report[k]) for k in ("found", "misplaced", "missing", "unknown")}
    assert s["inventory"]["misplaced"] == 1 and s["inventory"]["missing"] == 1
    corrected = q(db, "SELECT count(*) FROM journal WHERE kind = 'inventory_corrected'")
    assert corrected == 1
    assert s["shifts"] == q(db, "SELECT count(*) FROM shifts") >= 2
    assert q(db, "SELECT count(*) FROM shifts WHERE closed_at IS NULL") == 0
    assert s["clerks"] == 2
    # two clerks each worked a shift on the demo day, and both shift reports printed
    day_shifts = q(db, "SELECT count(DISTINCT badge) FROM shifts WHERE opened_at LIKE '2026-11-21%'")
    assert day_shifts == 2
    assert q(db, "SELECT count(*) FROM print_jobs WHERE kind = 'shift_report' AND state = 'printed'") >= 2
    assert (
        q(
            db,
            "SELECT count(*) FROM journal WHERE clerk IS NULL AND kind NOT IN ('manifest_imported', 'dropoff_imported', 'ticket_resolved', 'deadline_passed')",
        )
        == 0
    )
    for kind in ("return_label", "pick_list", "handover_act", "inventory_report"):
        assert list((out / "receipts").glob(f"*-{kind}.txt")), kind


def test_the_outbound_side_of_the_day_agrees_with_the_store(demo: tuple[Path, dict[str, Any]]) -> None:
    """A seller brings three of four shipments, one of two sends is refused for its weight, and the
    evening's courier takes everything that leaves."""
    out, s = demo
    db = sqlite3.connect(out / "pvz.db")
    assert (s["dropoffs"], s["dropoffs_missing"], s["sends"]) == (3, 1, 1)
    assert q(db, "SELECT count(*) FROM print_jobs WHERE kind = 'dropoff_act'") == 2
    assert q(db, "SELECT count(*) FROM print_jobs WHERE kind IN ('send_label', 'send_receipt')") == 2
    assert q(db, "SELECT count(*) FROM parcels WHERE state = 'outbound'") == 0  # all went with the courier
    assert s["handed_over"] == q(db, "SELECT count(*) FROM parcels WHERE state IN ('returned', 'dispatched')")
    assert q(db, "SELECT count(*) FROM parcels WHERE state = 'dispatched'") == 4
    assert q(db, "SELECT count(*) FROM journal WHERE kind = 'courier_collected'") == 1
    assert s["tickets"]["opened"] == q(db, "SELECT count(*) FROM tickets") >= 3
    assert s["tickets"]["resolved"] == 1
    (kind, resolution) = db.execute(
        "SELECT kind, resolution FROM tickets WHERE state = 'resolved'"
    ).fetchone()
    assert kind == "unknown_barcode" and resolution  # support's answer, through the real inbox
    assert q(db, "SELECT count(*) FROM print_jobs WHERE kind = 'ticket_label'") >= 1  # the label to stick on
    assert q(db, "SELECT count(*) FROM journal WHERE kind = 'ticket_resolved'") == 1
