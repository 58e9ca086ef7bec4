"""What holds between any two scans of a counter's cycle, checked after a process was killed."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from typing import Any, Protocol

from device.store.db import Store
from tests.support.factory import dump


class Readable(Protocol):
    """A store as the checks read it: a Store, or a read-only connection beside a running daemon."""

    @property
    def conn(self) -> sqlite3.Connection: ...

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any: ...


def digest(store: Store) -> str:
    """A fingerprint of every row of every table: equal digests mean equal stores."""
    return hashlib.sha256(repr(dump(store)).encode()).hexdigest()[:20]


def check_invariants(store: Readable, *, printer: bool = False) -> None:
    """What holds between any two scans of the worker's cycle; a half-applied scan breaks one."""
    conn = store.conn
    assert store.scalar("PRAGMA integrity_check") == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    # every parcel is where its latest event says
    latest: dict[str, sqlite3.Row] = {}
    for ev in conn.execute(
        "SELECT parcel, kind, to_state, cell FROM journal "
        "WHERE parcel IS NOT NULL AND to_state IS NOT NULL ORDER BY seq"
    ):
        latest[ev["parcel"]] = ev
    parcels = conn.execute(
        "SELECT p.barcode, p.state, p.cell_id, c.address FROM parcels p LEFT JOIN cells c ON c.id = p.cell_id"
    ).fetchall()
    for p in parcels:
        ev = latest.get(p["barcode"])
        if ev is not None:
            assert ev["to_state"] == p["state"], (p["barcode"], ev["kind"], ev["to_state"], p["state"])
            if p["state"] == "stored":
                assert ev["cell"] == p["address"], (p["barcode"], ev["cell"], p["address"])
        else:
            assert p["state"] == "expected", p["barcode"]
        if p["state"] == "stored":
            assert p["cell_id"] is not None, p["barcode"]
        elif p["state"] != "to_return":  # overdue parcels wait in their cell to be picked
            assert p["cell_id"] is None, p["barcode"]

    # no cell holds more than it can
    for cell in conn.execute(
        "SELECT c.address, c.capacity, count(p.id) AS n FROM cells c "
        "LEFT JOIN parcels p ON p.cell_id = c.id GROUP BY c.id"
    ):
        assert cell["n"] <= cell["capacity"], tuple(cell)

    # sessions decode, their lights name real cells, claims belong to open sessions, and what
    # a session holds agrees with the rows it refers to
    addresses = {r[0] for r in conn.execute("SELECT address FROM cells")}
    where = {p["barcode"]: (p["state"], p["address"]) for p in parcels}
    stations = set()
    accepting = set()
    for s in conn.execute("SELECT station, workflow, state, data, lights FROM sessions"):
        stations.add(s["station"])
        data = json.loads(s["data"])
        lights = json.loads(s["lights"])
        assert isinstance(data, dict) and isinstance(lights, dict) and set(lights) <= addresses
        assert s["workflow"] in {"acceptance", "placement", "issue"}
        if s["workflow"] == "acceptance":
            accepting.add(data["supply"])
        elif s["workflow"] == "placement" and s["state"] == "wait_cell":
            parcel_state, cell = where[data["parcel"]]
            if data["move"]:
                assert (parcel_state, lights) == ("stored", {cell: "current"}), (data, lights)
            else:
                assert parcel_state == "accepted", data
        elif s["workflow"] == "issue" and s["state"] != "find":
            for barcode in data["parcels"]:
                assert where[barcode][0] == "stored", (barcode, data)
            lit = {where[b][1] for b in data["parcels"] if b not in data["taken"]}
            assert lights == dict.fromkeys(lit, "take"), (data, lights)
    claimed = {r[0] for r in conn.execute("SELECT DISTINCT station FROM claims")}
    assert claimed <= stations
    # in this cycle a supply is being accepted exactly while an acceptance session is open for it
    assert accepting == {r[0] for r in conn.execute("SELECT id FROM supplies WHERE status = 'accepting'")}
    # a parcel goes missing only when its supply is closed
    assert (
        store.scalar(
            "SELECT count(*) FROM parcels p JOIN supplies s ON s.id = p.supply_id "
            "WHERE p.state = 'missing' AND s.status != 'closed'"
        )
        == 0
    )

    # every print job is a whole JSON document
    for job in conn.execute("SELECT id, kind, document, state FROM print_jobs"):
        doc = json.loads(job["document"])
        assert isinstance(doc, dict) and doc, job["id"]
        # without a printer nothing leaves the queue; with one, a job may be cut off mid-print
        assert job["state"] in (("queued", "printing", "printed") if printer else ("queued",)), job["id"]

    # counts of events agree with the rows they changed
    issued_events = store.scalar("SELECT count(*) FROM journal WHERE kind = 'issued'")
    assert issued_events == store.scalar("SELECT count(*) FROM parcels WHERE state = 'issued'")
    completed = store.scalar("SELECT count(*) FROM journal WHERE kind = 'issue_completed'")
    # every issued parcel was taken in a completed issue of its order, and only those
    taken = sorted(
        (barcode, summary["order"])
        for (raw,) in conn.execute("SELECT data FROM journal WHERE kind = 'issue_completed'")
        for summary in [json.loads(raw)]
        for barcode in summary["taken"]
    )
    issued = sorted(
        (r[0], json.loads(r[1])["order"])
        for r in conn.execute("SELECT parcel, data FROM journal WHERE kind = 'issued'")
    )
    assert taken == issued
    receipts = store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'receipt'")
    assert completed == receipts
    closed = store.scalar("SELECT count(*) FROM journal WHERE kind = 'supply_closed'")
    assert closed == store.scalar("SELECT count(*) FROM supplies WHERE status = 'closed'")
    assert closed == store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'acceptance_act'")
    assert store.scalar("SELECT count(*) FROM supplies WHERE status = 'closed' AND closed_at IS NULL") == 0
    accepted_packages: dict[str, int] = defaultdict(int)
    for ev in conn.execute("SELECT data FROM journal WHERE kind = 'package_accepted'"):
        accepted_packages[json.loads(ev[0])["package"]] += 1
    packages = {r[0]: r[1] for r in conn.execute("SELECT barcode, state FROM packages")}
    assert {b for b, s in packages.items() if s == "accepted"} == set(accepted_packages)
    assert all(n == 1 for n in accepted_packages.values())
