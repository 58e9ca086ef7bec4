"""Build the bench store: plan orders, fill the rack, generate every row, load them in one transaction."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.orders import SIZE_WEIGHTS, Order, plan_orders
from bench.rack import SIZES, Filler, occupied_cells, rack, rack_size
from bench.rows import SUPPLY_SIZE, Rows
from bench.settings import DEVICE, BenchError
from device.store.db import SCHEMA_VERSION, Store

MIN_PARCELS = 1000


@dataclass(frozen=True, slots=True)
class IssueOrder:
    """A stored order that the counter hands out: what the customer says and what is taken."""

    id: str
    code: str
    parcels: tuple[str, ...]
    cod: bool
    age: bool


@dataclass(frozen=True, slots=True)
class ToPlace:
    """An accepted parcel; `order_cell` is where its order's other parcels already wait."""

    barcode: str
    order_cell: str | None


@dataclass
class Fixture:
    """The built store and the work the scan phase draws from."""

    path: Path
    open_supply: str
    expected: list[str]
    to_place: list[ToPlace]
    to_issue: list[IssueOrder]
    rows: dict[str, int]
    parcel_states: dict[str, int]
    cells: int
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Work:
    """What the scan phase consumes, drawn while the rows are generated."""

    expected: list[str] = field(default_factory=list)
    to_place: list[ToPlace] = field(default_factory=list)
    to_issue: list[IssueOrder] = field(default_factory=list)


def _generate(
    rows: Rows, orders: list[Order], issue: list[Order], late: list[Order], rng: random.Random
) -> _Work:
    """History supply by supply, then the latest (accepted, not placed), then the open supply."""
    work = _Work()
    for o in orders:
        rows.order(o)
    for o in orders:
        if o.kind in ("stored", "issued"):
            if rows.supply_full:
                rows.supply("closed")
            t = rows.t_supply + timedelta(minutes=30)
            barcodes = [rows.parcel(o, n, o.kind, t) for n in range(1, len(o.sizes) + 1)]
            if o.kind == "issued":
                rows.receipt(o, barcodes, t)
    rows.supply("closed")
    t = rows.t_supply + timedelta(minutes=30)
    for o in orders:
        if o.kind == "accepted":
            work.to_place += [
                ToPlace(rows.parcel(o, n, "accepted", t), None) for n in range(1, len(o.sizes) + 1)
            ]
    for o in late:  # one more parcel of an order that already waits in a cell
        assert o.cell is not None
        o.sizes.append(rng.choices(SIZES, weights=SIZE_WEIGHTS)[0])
        o.cods.append(o.cods[0])
        barcode = rows.parcel(o, len(o.sizes), "accepted", t)
        work.to_place.append(ToPlace(barcode, rows.addresses[o.cell]))
    rng.shuffle(work.to_place)
    rows.supply("open")
    for o in orders:
        if o.kind == "expected":
            work.expected += [
                rows.parcel(o, n, "expected", rows.t_supply) for n in range(1, len(o.sizes) + 1)
            ]
    rng.shuffle(work.expected)
    for o in issue:
        postings = tuple(f"{o.id}-{n:04d}-1" for n in range(1, len(o.sizes) + 1))
        work.to_issue.append(IssueOrder(o.id, o.code, postings, any(o.cods), o.age))
    return work


def _load(
    path: Path, rows: Rows, cells: list[tuple[Any, ...]], say: Callable[[str], None]
) -> dict[str, float]:
    """Schema through Store.open, then one bulk transaction, a foreign key check and a checkpoint."""
    t0 = time.perf_counter()
    with Store.open(path) as store:
        if store.version != SCHEMA_VERSION:
            raise BenchError(f"the store is at schema version {store.version}, not {SCHEMA_VERSION}")
        with store.transaction():
            store.set_meta("device_id", DEVICE)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size = -1000000")  # ~1 GB, for the bulk load only
        conn.execute("BEGIN IMMEDIATE")
        rows.insert(conn, cells, say)
        conn.execute("COMMIT")
        t1 = time.perf_counter()
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise BenchError(f"the fixture breaks {len(broken)} foreign keys, e.g. {tuple(broken[0])}")
        t2 = time.perf_counter()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    t3 = time.perf_counter()
    # Write the new file out now: its writeback would otherwise slow the fsyncs of the first scans.
    os.sync()
    return {
        "insert_commit_s": t1 - t0,
        "foreign_key_check_s": t2 - t1,
        "checkpoint_s": t3 - t2,
        "sync_s": time.perf_counter() - t3,
    }


def build_store(
    path: Path,
    parcels: int,
    need: int,
    rng: random.Random,
    progress: Callable[[str], None],
    *,
    expected: int = 0,
) -> Fixture:
    """A store of exactly `parcels` parcels, with `need` of each kind of work for the scan phase
    and at least `expected` parcels in the open supply (the acceptance throughput's supply)."""
    t_start = time.perf_counter()
    n_expected = max(min(SUPPLY_SIZE, parcels // 5), need, expected)
    n_place = max(need, min(400, parcels // 5))
    n_new = n_place // 2
    n_late = n_place - n_new
    if parcels - n_expected - n_place < 10 * need or parcels < MIN_PARCELS:
        raise BenchError(
            f"--parcels {parcels} is too small for {need} rounds of scans: use at least "
            f"{max(MIN_PARCELS, n_expected + n_place + 10 * need)} parcels"
        )
    orders, history = plan_orders(parcels, n_expected, n_new, n_late, rng)
    stored = [o for o in orders if o.kind == "stored"]
    n_cells = rack_size(sum(len(o.sizes) for o in stored))
    cells, ranks = rack(n_cells)
    filler = Filler(ranks, occupied_cells(n_cells), rng)
    for o in stored:
        o.cell = filler.take(max(SIZES.index(s) for s in o.sizes), len(o.sizes))
    rng.shuffle(stored)
    issue = stored[:need]
    late = stored[need : need + n_late]
    if len(late) < n_late:
        raise BenchError("not enough stored orders for the scan phase")
    progress(f"  {len(orders):,} orders, {n_cells:,} cells; generating rows")
    rows = Rows(rng, [str(c[1]) for c in cells])
    work = _generate(rows, orders, issue, late, rng)
    t_generated = time.perf_counter()
    progress(
        f"  inserting {len(rows.parcels):,} parcels and {len(rows.journal):,} journal rows in one transaction"
    )
    timings = _load(path, rows, cells, progress)
    if len(rows.parcels) != parcels or rows.states["stored"] + rows.states["issued"] != history:
        raise BenchError(f"built {len(rows.parcels)} parcels, {rows.states}; wanted {parcels}")
    return Fixture(
        path=path,
        open_supply=rows.supply_id,
        expected=work.expected,
        to_place=work.to_place,
        to_issue=work.to_issue,
        rows={
            "parcels": len(rows.parcels),
            "orders": len(rows.orders),
            "journal": len(rows.journal),
            "cells": len(cells),
            "supplies": len(rows.supplies),
            "packages": len(rows.packages),
            "print_jobs": len(rows.prints),
        },
        parcel_states=rows.states,
        cells=n_cells,
        timings={
            "generate_s": t_generated - t_start,
            **timings,
            "total_s": time.perf_counter() - t_start,
        },
    )
