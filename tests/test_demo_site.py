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
from device.demo.site_setup import MAIN, REMOTES


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


def test_the_site_object_counts_the_stations_work(day: tuple[Path, dict[str, Any]]) -> None:
    out, s = day
    site = s["site"]
    assert set(site) >= {
        "stations",
        "remote_inputs",
        "duplicates_suppressed",
        "p99_ms",
        "refused_while_main_down",
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
