"""`pvz demo --kiosk`: a kiosk's day runs, and its summary agrees with the store and the doors."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from device.cli.main import main
from device.demo.kiosk_data import POWER_CUT, make_kiosk_day
from device.demo.kiosk_site import KIOSK, RULES
from device.demo.stage import DEMO_DAY
from workflows.code_limit import kiosk_guesses

SEED = 3


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("kiosk-demo")
    assert main(["demo", "--kiosk", "--out", str(out), "--seed", str(SEED), "--quiet"]) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def one(db: sqlite3.Connection, sql: str, *params: object) -> Any:
    return db.execute(sql, params).fetchone()[0]


def test_the_kiosk_object_counts_what_the_day_promised(day: tuple[Path, dict[str, Any]]) -> None:
    _, s = day
    k = s["kiosk"]
    assert set(k) >= {
        "issued",
        "sent_to_counter",
        "jammed",
        "not_taken",
        "wrong_codes",
        "guesses_per_hour",
        "power_cuts",
    }
    assert (k["sent_to_counter"], k["jammed"], k["not_taken"], k["power_cuts"]) == (2, 1, 1, 1)
    assert k["guesses_per_hour"] == kiosk_guesses(3600, RULES)
    # the attacker typed for an hour: never more wrong codes were checked than the policy allows
    assert RULES.max_wrong_codes < k["wrong_codes"] <= kiosk_guesses(3600, RULES)
    assert k["codes_refused_while_locked"] > 0


def test_the_summary_agrees_with_the_store(day: tuple[Path, dict[str, Any]]) -> None:
    out, s = day
    db = sqlite3.connect(out / "pvz.db")
    issued_at_kiosk = one(db, "SELECT count(*) FROM journal WHERE station = ? AND to_state = 'issued'", KIOSK)
    assert s["kiosk"]["issued"] == issued_at_kiosk > 0
    # every parcel issued once, wherever
    twice = one(
        db,
        "SELECT count(*) FROM (SELECT parcel FROM journal WHERE to_state = 'issued' GROUP BY parcel HAVING count(*) > 1)",
    )
    assert twice == 0
    assert s["parcels"]["issued"] == one(db, "SELECT count(*) FROM parcels WHERE state = 'issued'")
    # the jammed and the not-taken orders' parcels are still in their doors
    assert one(db, "SELECT count(*) FROM door_commands WHERE state = 'jammed'") == 1
    assert s["parcels"]["stored"] == 2


def test_the_open_in_flight_at_the_power_cut_was_never_sent_again(day: tuple[Path, dict[str, Any]]) -> None:
    out, _ = day
    rng = random.Random(SEED)
    bytes(rng.getrandbits(8) for _ in range(32))  # the demo's key comes first from the seed
    order = make_kiosk_day(rng, day=DEMO_DAY).parts[POWER_CUT]
    db = sqlite3.connect(out / "pvz.db")
    states = [
        r[0]
        for r in db.execute(
            "SELECT state FROM door_commands WHERE order_id = ? AND purpose = 'issue'", (order.id,)
        )
    ]
    assert states == ["interrupted"]
    parcel = order.parcels[0].barcode
    assert one(db, "SELECT state FROM parcels WHERE barcode = ?", parcel) == "issued"
    # after the boot the doors agreed with the store: no alert but the ones the day caused
    alerts = [
        r[0] for r in db.execute("SELECT json_extract(data, '$.alert') FROM journal WHERE kind = 'alert'")
    ]
    assert "door_differs_at_start" not in alerts and "cell_differs_at_start" not in alerts
    assert alerts.count("door_jammed") == 1


def test_the_kiosk_day_reads_in_english_without_identifiers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--kiosk", "--out", str(tmp_path), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "Take your parcels from door" in text or "door" in text
    for word in ("ksk_", "kiosk_to_counter", "closed_full", 'jammed"', "door_report"):
        assert word not in text.split("\n{")[0]
