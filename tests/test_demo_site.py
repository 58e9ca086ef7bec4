"""`pvz demo --site`: two counters and a kiosk on devices of their own at one site, through a site
broker bridged to central, the uplink cut and the main device restarted; its summary agrees with
the main device's store and the hub's."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from device.cli.main import main
from device.demo.site_kiosk import LOCKER, PREPAID, SHELF_CELL
from device.demo.site_setup import COUNTER_2, KIOSK, MAIN, REMOTES


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("site-demo")
    assert main(["demo", "--site", "--out", str(out), "--quiet", "--lang", "en"]) == 0
    return out, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def one(path: Path, sql: str) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def out_of(path: Path, sql: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {str(k): int(v) for k, v in conn.execute(sql)}
    finally:
        conn.close()


def test_the_site_object_counts_the_stations_work(day: tuple[Path, dict[str, Any]]) -> None:
    out, s = day
    site = s["site"]
    assert set(site) >= {
        "stations",
        "remote_inputs",
        "duplicates_suppressed",
        "p99_ms",
        "refused_while_main_down",
        "kiosk",
    }
    assert site["stations"] == len(REMOTES) == 3
    # Every input the stations' clerks and customers made, but those refused while the main device
    # was down, was decided once at the main device, and its answer kept there by the input's id.
    scanned = sum(st["scanned"] for st in site["per_station"].values())
    assert site["remote_inputs"] == one(out / "main" / "pvz.db", "SELECT count(*) FROM remote_inputs")
    assert site["remote_inputs"] == scanned - site["refused_while_main_down"]
    assert site["refused_while_main_down"] == len(REMOTES)  # one scan at each station while it restarted
    # The main device died right after committing one input: that input was answered once, from
    # its store, when it came back, and nothing else was sent twice.
    assert site["duplicates_suppressed"] == 1
    assert 0 < site["p99_ms"] < 30_000
    for st in site["per_station"].values():
        assert st["counters"]["given_up"] == 0 and st["counters"]["bad_replies"] == 0
    assert s["parcels"]["expected"] == 0  # the day's three supplies, accepted at two counters
    assert sorted(site["seen_at_central"]) == sorted([MAIN, *(r.device for r in REMOTES)])


def test_every_event_reached_the_hub_once_through_the_bridge(day: tuple[Path, dict[str, Any]]) -> None:
    out, s = day
    sync = s["sync"]
    assert sync["exactly_once"] is True
    journal = one(out / "main" / "pvz.db", "SELECT count(*) FROM journal")
    assert sync["journal_events"] == sync["hub_events"] == sync["hub_rows"] == journal == s["journal_events"]
    assert one(out / "hub.db", f"SELECT count(*) FROM events WHERE device = '{MAIN}'") == journal
    bridge = (out / "site" / "mosquitto.conf").read_text(encoding="utf-8")
    assert "connection pvz-msk-demo" in bridge  # the site broker ran the generated bridge


def test_the_kiosks_customers_collect_through_the_main_devices_doors(
    day: tuple[Path, dict[str, Any]],
) -> None:
    out, s = day
    db = out / "main" / "pvz.db"
    kiosk = s["site"]["kiosk"]
    station = KIOSK.station
    # Each prepaid customer's order was issued at the kiosk station, from a cell of the locker.
    issued = f"FROM journal j JOIN parcels p ON p.barcode = j.parcel WHERE j.station = '{station}' AND j.to_state = 'issued'"
    assert kiosk["orders_issued"] == one(db, f"SELECT count(DISTINCT p.order_id) {issued}") == PREPAID
    assert kiosk["parcels_issued"] == one(db, f"SELECT count(*) {issued}") == PREPAID
    zones = one(
        db,
        f"SELECT group_concat(DISTINCT c.zone) FROM cells c JOIN journal j ON j.cell = c.address AND j.station = '{station}' AND j.to_state = 'issued'",
    )
    assert zones == LOCKER
    # The main device's door controller opened one door for each, and each opened and was shut
    # empty by the simulated customer: no door jammed, failed or was interrupted.
    commands = out_of(
        db, f"SELECT state, count(*) FROM door_commands WHERE station = '{station}' GROUP BY state"
    )
    assert commands == {"opened": PREPAID} and kiosk["doors_opened"] == PREPAID
    events = out_of(
        db,
        f"SELECT json_extract(data, '$.event'), count(*) FROM journal WHERE station = '{station}' AND kind = 'door_report' GROUP BY 1",
    )
    assert events == {"opened": PREPAID, "closed_empty": PREPAID}
    # Each door's reports went to the kiosk station as news (a SiteReply with no input's id).
    news = s["site"]["per_station"][station]["counters"]["news"]
    assert kiosk["news"] == news >= 2 * PREPAID
    # The sim locker started as the store held it: no alert at either start of the main device.
    assert one(db, "SELECT count(*) FROM journal WHERE kind = 'alert'") == 0
    # The cash-on-delivery customer was sent to the counter, where counter-2's clerk issued the
    # parcel from its shelf and took the payment.
    assert kiosk["sent_to_counter"] == 1
    cod = (
        "SELECT j.station FROM journal j JOIN parcels p ON p.barcode = j.parcel "
        f"WHERE j.to_state = 'issued' AND j.cell = '{SHELF_CELL}' AND p.cod_kopecks > 0"
    )
    assert one(db, cod) == COUNTER_2.station
    assert s["sync"]["exactly_once"] is True
