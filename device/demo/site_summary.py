"""The site demo's summary.json: what the stations did, as their status says, and what the main
device's store and the hub hold at the end of the day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from device.demo.site_kiosk import kiosk_figures
from device.demo.site_setup import KIOSK, MAIN, REMOTES
from device.demo.site_watch import Watch, count


def summary(out: Path, watch: Watch, fed: dict[str, int], elapsed_s: float) -> dict[str, Any]:
    db, hub_db = out / "main" / "pvz.db", out / "hub.db"
    journal = count(db, "SELECT count(*) FROM journal")
    hub_rows = count(hub_db, f"SELECT count(*) FROM events WHERE device = '{MAIN}'")
    hub_ids = count(hub_db, f"SELECT count(DISTINCT event_id) FROM events WHERE device = '{MAIN}'")
    stations = {}
    for remote in REMOTES:
        figures = watch.station_site(remote)
        stations[remote.station] = {
            "device": remote.device,
            "kind": remote.kind,
            "scanned": fed[remote.station],
            "counters": figures.get("counters", {}),
            "latency_ms": figures.get("latency_ms", {}),
        }
    counters = [s["counters"] for s in stations.values()]
    return {
        "site": {
            "stations": len(stations),
            "remote_inputs": count(db, "SELECT count(*) FROM remote_inputs"),
            "duplicates_suppressed": sum(c.get("duplicates", 0) for c in counters),
            "p99_ms": max(float(s["latency_ms"].get("p99", 0.0)) for s in stations.values()),
            "refused_while_main_down": sum(c.get("refused_while_main_down", 0) for c in counters),
            "main_restarts": 1,
            "kiosk": kiosk_figures(db, KIOSK.station, news=watch.counters(KIOSK).get("news", 0)),
            "per_station": stations,
        },
        "journal_events": journal,
        "parcels": {
            state: count(db, f"SELECT count(*) FROM parcels WHERE state = '{state}'")
            for state in ("expected", "accepted", "missing")
        },
        "sync": {
            "journal_events": journal,
            "hub_events": hub_ids,
            "hub_rows": hub_rows,
            "exactly_once": journal == hub_ids == hub_rows,
        },
        "elapsed_s": round(elapsed_s, 1),
    }
