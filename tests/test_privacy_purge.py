"""The purge of customer data: by the daily check and by `pvz privacy purge`, counted in the site's days.

One day at a Moscow point, through the real engine and runtime (receipts printed on the sim printer):
late on 1 November order 22222222 takes one of its two parcels (the other stays in its cell) and
order 33333333 refuses its parcel, which goes back to the sender the same evening; half an hour
after midnight, on 2 November at the site but still 1 November in UTC, order 11111111 is issued.
Order 44444444 is never collected.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from device.cli.main import main
from device.engine import Engine
from device.intake.manifest import decode_manifest, import_manifest
from device.privacy.purge import DAY_KEY, EVENT, purge, purge_due
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.codes import code_hmac
from device.store.db import Store
from device.store.journal import Stamp
from drivers.lights.sim_lights import SimCellLights
from drivers.printer.sim_printer import SimPrinter
from tests.support.factory import DEVICE, KEY, T0, StepClock, dump, new_engine, new_store, standard_manifest
from tests.support.stock import stock
from workflows.inputs import Command

MSK = timezone(timedelta(hours=3))
LATE = datetime(2026, 11, 1, 23, 20, tzinfo=MSK)
AFTER_MIDNIGHT = datetime(2026, 11, 2, 0, 30, tzinfo=MSK)  # 1 November, 21:30 in UTC
DAYS = 30
ORDERS = ("11111111", "22222222", "33333333", "44444444")
NAMES = {"11111111": "Игорь Ступин", "33333333": "Олеся Круглова"}  # the others: "Иван П."


def at(day: int, month: int = 12, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=MSK)


class Point:
    """The store, engine and runtime of the day described above."""

    def __init__(self, path: Path) -> None:
        self.store = new_store(path)
        data = standard_manifest().to_json()
        for order in data["orders"]:
            order["customer"] = NAMES.get(order["id"], order["customer"])
        import_manifest(self.store, decode_manifest(json.dumps(data).encode()), now=T0.isoformat())
        self.clock = StepClock(LATE)
        self.engine: Engine = new_engine(self.store, clock=self.clock)
        self.runtime = Runtime(
            self.engine,
            stations=[StationIO("s1", printer=SimPrinter())],
            rack=SimCellLights(),
            purge_after_days=DAYS,
        )
        stock(self.engine)
        self.scan("22222222*222222", "22222222-0001-1", Command.DONE, Command.DONE)
        self.scan("33333333*3333", Command.REFUSE_ITEM, "33333333-0001-1", Command.DONE)
        self.scan(Command.START_RETURN_TO_SENDER, "RBAG00012345", "33333333-0001-1", Command.DONE)
        self.clock.now = AFTER_MIDNIGHT
        self.scan("11111111*1111", "11111111-0001-1", Command.DONE)

    def scan(self, *codes: str | Command) -> None:
        for code in codes:
            raw = code.barcode if isinstance(code, Command) else code
            self.runtime.process("s1", raw, keyed=isinstance(code, str) and "*" in code)

    def order(self, order: str) -> dict[str, object]:
        row = self.store.conn.execute("SELECT * FROM orders WHERE id = ?", (order,)).fetchone()
        return dict(row)

    def purged(self) -> set[str]:
        return {r[0] for r in self.store.conn.execute("SELECT id FROM orders WHERE purged_at IS NOT NULL")}

    def events(self) -> list[dict[str, object]]:
        rows = self.store.conn.execute("SELECT data FROM journal WHERE kind = ? ORDER BY seq", (EVENT,))
        return [json.loads(r[0]) for r in rows]


@pytest.fixture
def point(tmp_path: Path) -> Point:
    p = Point(tmp_path / "pvz.db")
    states = dict(p.store.conn.execute("SELECT barcode, state FROM parcels").fetchall())
    assert states == {
        "11111111-0001-1": "issued",
        "22222222-0001-1": "issued",
        "22222222-0002-1": "stored",
        "33333333-0001-1": "returned",
        "44444444-0001-1": "stored",
    }
    assert p.store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'receipt' AND state = 'printed'") == 3
    return p


def sweep_on(p: Point, moment: datetime) -> None:
    """The daemon's daily check (deadlines, then the purge) with the site's clock at `moment`."""
    p.clock.now = moment
    p.runtime.check_deadlines()


def test_the_daily_check_purges_in_the_sites_days_and_only_whole_orders(point: Point) -> None:
    sweep_on(point, at(1, hour=23))
    assert point.purged() == set(), "returned on 1 November: kept through 1 December"
    sweep_on(point, at(2, hour=0) + timedelta(minutes=10))
    # Returned on 1 November at the site: gone. Issued at 00:30 on 2 November at the site (still
    # 1 November in UTC): kept a day more. One parcel of 22222222 still stored: kept.
    assert point.purged() == {"33333333"}
    sweep_on(point, at(3, hour=0) + timedelta(minutes=10))
    assert point.purged() == {"33333333", "11111111"}
    for order in ("22222222", "44444444"):
        kept = point.order(order)
        assert kept["customer"] == "Иван П." and kept["pickup_code_hmac"] is not None
    gone = point.order("11111111")
    assert gone["customer"] == "" and gone["phone_tail"] is None
    assert gone["pickup_code_hmac"] is None and gone["qr_token_hmac"] is None
    assert gone["prev_pickup_code_hmac"] is None and gone["purged_at"] is not None
    assert point.events() == [
        {"orders": 1, "receipts": 2, "kept_from": "2026-11-02"},
        {"orders": 1, "receipts": 1, "kept_from": "2026-11-03"},
    ]


def test_the_daily_check_purges_once_a_day_and_a_purged_code_opens_nothing(point: Point) -> None:
    sweep_on(point, at(3))
    assert not purge_due(point.store, at(3).date())
    assert point.store.get_meta(DAY_KEY) == "2026-12-03"
    before = dump(point.store)
    sweep_on(point, at(3, hour=18))
    assert dump(point.store) == before
    # The order's code no longer finds it: there is nothing left to compare it with.
    result = point.engine.handle("s1", "11111111*1111", keyed=True)
    assert result.feedback.msg.key != "iss_found"
    assert point.store.scalar("SELECT purged_at FROM orders WHERE id = '11111111'") is not None


def test_printed_receipts_of_that_age_keep_only_their_title(point: Point) -> None:
    sweep_on(point, at(2))
    docs = [
        json.loads(r[0])
        for r in point.store.conn.execute(
            "SELECT document FROM print_jobs WHERE kind = 'receipt' ORDER BY id"
        )
    ]
    blank = [d for d in docs if len(d["blocks"]) == 1]
    assert len(blank) == 2  # the two printed on 1 November
    assert all("Иван" not in json.dumps(d, ensure_ascii=False) for d in blank)
    assert all(d["title"] for d in blank)
    assert "Игорь С." in json.dumps(docs[-1], ensure_ascii=False)  # 2 November's stays whole


def test_the_journal_records_counts_and_names_no_one(point: Point) -> None:
    sweep_on(point, at(3))
    rows = point.store.conn.execute(
        "SELECT station, clerk, parcel, data FROM journal WHERE kind = ?", (EVENT,)
    )
    for station, clerk, parcel, data in rows:
        assert (station, clerk, parcel) == (None, None, None)
        assert set(json.loads(data)) == {"orders", "receipts", "kept_from"}
        for order in ORDERS:
            assert order not in data


def test_a_purge_with_nothing_to_erase_writes_nothing(point: Point) -> None:
    before = dump(point.store)
    result = purge(point.store, now=at(1), days=DAYS, stamp=_stamp(at(1)))
    assert (result.orders, result.receipts) == (0, 0)
    assert dump(point.store) == before


def test_no_purge_without_the_privacy_setting(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    engine = new_engine(store, clock=StepClock(LATE))
    stock(engine)
    runtime = Runtime(engine, stations=[StationIO("s1")], rack=SimCellLights())
    runtime.check_deadlines()
    assert store.get_meta(DAY_KEY) is None


def _stamp(moment: datetime) -> Stamp:
    return Stamp(DEVICE, moment.isoformat(timespec="seconds"))


def cli(store: Path, *args: str) -> int:
    return main(["privacy", "purge", "--store", str(store), "--tz", "Europe/Moscow", *args])


def test_cli_dry_run_counts_and_changes_nothing(
    point: Point, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    point.store.close()
    db = tmp_path / "pvz.db"
    with Store.open(db) as s:
        before = dump(s)
    assert cli(db, "--today", "2026-12-03", "--dry-run", "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "orders": 2,
        "receipts": 3,
        "kept_from": "2026-11-03",
        "dry_run": True,
    }
    with Store.open(db) as s:
        assert dump(s) == before
    assert cli(db, "--today", "2026-12-03", "--dry-run", "--lang", "en") == 0
    out = capsys.readouterr().out
    assert "2 orders" in out and "without --dry-run" in out


def test_cli_purges_with_the_days_asked_for_and_says_so(
    point: Point, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    point.store.close()
    db = tmp_path / "pvz.db"
    assert cli(db, "--today", "2026-11-05", "--days", "3", "--json") == 0
    assert json.loads(capsys.readouterr().out)["orders"] == 1  # 1 November's; 2 November's kept
    assert cli(db, "--today", "2026-11-05", "--days", "2") == 0
    assert "1 заказ," in capsys.readouterr().out
    with Store.open(db) as s:
        purged = {r[0] for r in s.conn.execute("SELECT id FROM orders WHERE purged_at IS NOT NULL")}
        assert purged == {"11111111", "33333333"}
        assert s.scalar("SELECT count(*) FROM journal WHERE kind = ?", (EVENT,)) == 2
    # Erased from the files, not only from the rows: secure_delete overwrote the old text.
    files = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith("pvz.db"))
    for gone in ("Игорь С.", "Олеся К.", code_hmac(KEY, "1111"), code_hmac(KEY, "3333")):
        assert gone.encode() not in files, gone
    assert "Иван П.".encode() in files and code_hmac(KEY, "4444").encode() in files


def test_cli_refuses_without_a_zone_or_with_bad_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pvz.db"
    new_store(db, standard_manifest()).close()
    assert main(["privacy", "purge", "--store", str(db)]) == 2
    assert "--tz" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["privacy", "purge", "--store", str(db), "--tz", "UTC", "--days", "-1"])


def test_on_the_daemons_loop_inputs_waiting_go_before_the_purge(point: Point) -> None:
    """Today's deadline sweep done, the purge still due: the loop's check lets waiting inputs go
    first, and nothing is purged while they wait."""
    seen: list[set[str]] = []

    def busy() -> bool:
        seen.append(point.purged())
        return len(seen) < 3  # two checks find inputs waiting, then the queue is empty

    watch = point.runtime.deadlines
    watch.purge_after_days = None
    sweep_on(point, at(3))  # the deadline sweep alone
    watch.purge_after_days = DAYS
    watch.busy = busy
    asyncio.run(watch.sweep())
    assert seen == [set(), set(), set()]
    assert point.purged() == {"11111111", "33333333"}


def test_the_daemon_purges_after_the_days_its_config_says(tmp_path: Path) -> None:
    from device.config import load_config
    from device.wiring import build_runtime, open_store
    from tests.support.config import write_config

    days = {"": 30, "[privacy]\npurge_after_days = 7\n": 7}
    for extra, expected in days.items():
        config_file = write_config(tmp_path / str(expected), extra=extra)
        config = load_config(config_file)
        store = open_store(config, config_file, owner=True)
        try:
            assert build_runtime(config, config_file, store).deadlines.purge_after_days == expected
        finally:
            store.close()


def test_an_order_whose_last_parcel_went_missing_is_purged_from_that_day(point: Point) -> None:
    """44444444's parcel is not found by a count on 1 November: nothing of the order is on its way
    any more, so its customer's data goes after the same N days as an issued order's."""
    with point.store.transaction() as conn:
        conn.execute(
            "UPDATE parcels SET state = 'missing', cell_id = NULL, updated_at = ? WHERE barcode = ?",
            ("2026-11-01T09:00:00+00:00", "44444444-0001-1"),
        )
    sweep_on(point, at(1, hour=23))
    assert "44444444" not in point.purged()
    sweep_on(point, at(2, hour=0) + timedelta(minutes=10))
    assert "44444444" in point.purged() and point.order("44444444")["pickup_code_hmac"] is None
