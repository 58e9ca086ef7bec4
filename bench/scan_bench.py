"""Build a store of N parcels row by row, then time Engine.handle end to end per counter operation."""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from device.documents.registry import Documents
from device.engine import Engine, Result
from device.store.codes import code_hmac
from device.store.db import SCHEMA_VERSION, Store
from workflows.inputs import Command

DEVICE = "pvz-bench-0001"
KEY = hashlib.sha256(b"pvz-bench-site-key").digest()
DB_NAME = "pvz-bench.db"

# The rack: blocks of 10 columns x 5 levels; every cell holds up to CAPACITY parcels. The
# history fills the cells to about PER_CELL parcels (never above FILL_CAP, so late parcels
# of an order still fit next to it) and leaves the last EMPTY_SHARE of the rack empty for
# the suggestions of new orders.
MIN_CELLS = 2000
CAPACITY = 50
FILL_CAP = 45
PER_CELL = 30
EMPTY_SHARE = 0.15
COLUMNS, LEVELS = 10, 5

SIZES = ("S", "M", "L", "XL")
SIZE_WEIGHTS = (60, 29, 10, 1)
PARCELS_PER_ORDER = ((1, 2, 3), (65, 25, 10))
SUPPLY_SIZE = 1500  # parcels per historic supply, and at least this many in the open one
BOX_SIZE = 25  # parcels per transport box; one parcel in five travels loose
ISSUED_SHARE = 0.10  # of the history: issued already, the rest waits in the cells
COD_SHARE = 0.15
AGE_SHARE = 0.02
QR_EVERY = 3
CUSTOMERS = ("Иван П.", "Анна С.", "Мария К.", "Дмитрий В.", "Ольга Н.", "Сергей М.", "Елена Т.", "Павел Ж.")
CARRIERS = ("Ozon Логистика", "Ozon Экспресс", "Межрегиональный курьер")
T_HISTORY = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)

# Stations of the scan phase: one clerk accepts, one places, one serves the counter.
ACC, PLACE, COUNTER = "acceptance", "placement", "counter"
STATIONS = (ACC, PLACE, COUNTER)
WARMUP_ROUNDS = 10
MIN_SCANS_PER_ROUND = 7  # accept 1 + place 2 + find, take, done 3 + refusal 1

# (key, label, one-off): the rows of the result table, in order.
OPERATIONS: tuple[tuple[str, str, bool], ...] = (
    ("accept", "acceptance: expected → accepted", False),
    ("place_parcel_order_cell", "placement: parcel → suggestion (order's cell)", False),
    ("place_parcel_empty_cell", "placement: parcel → suggestion (empty cell)", False),
    ("place_cell", "placement: cell → stored", False),
    ("find_order_number", "issue: find by order number (keyed)", False),
    ("find_pickup_code", "issue: find by pickup code (HMAC)", False),
    ("id_checked", "issue: ID-CHECKED (18+)", False),
    ("take", "issue: take parcel", False),
    ("paid", "issue: PAID (cash on delivery)", False),
    ("done", "issue: DONE (receipt print job)", False),
    ("unknown", "refusal: unknown code", False),
    ("acc_open", "acceptance: open supply (one-off)", True),
    ("acc_close", "acceptance: DONE, closes supply (one-off)", True),
)


ONE_OFF = frozenset(key for key, _, one_off in OPERATIONS if one_off)


class BenchError(Exception):
    """The benchmark cannot run, or a scan did not do what the benchmark expected."""


@dataclass(frozen=True, slots=True)
class BenchConfig:
    parcels: int = 100_000
    scans: int = 2000
    db_dir: Path | None = None
    seed: int = 1


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
class _Order:
    id: str
    code: str
    qr: str | None
    customer: str
    sizes: list[str]
    cods: list[int]
    age: bool
    kind: str  # "stored", "issued", "accepted" or "expected"
    cell: int | None = None  # index into the rack while stored


# --------------------------------------------------------------------------- build


def _order_ids(rng: random.Random) -> Callable[[int], str]:
    """Distinct 8-digit order numbers in 10000000..89999999 (90… stays free for unknown codes)."""
    span, step, offset = 80_000_000, 1_000_003, rng.randrange(80_000_000)
    return lambda i: str(10_000_000 + (offset + i * step) % span)


def _pickup_codes(rng: random.Random, orders: int) -> Callable[[int], str]:
    """Distinct pickup codes: 6 digits as in the demo, 7 when there are too many orders for 6."""
    low, span = (100_000, 900_000) if orders <= 900_000 else (1_000_000, 9_000_000)
    if orders > span:
        raise BenchError(f"{orders} orders: more than {span} distinct pickup codes")
    step, offset = 7919, rng.randrange(span)  # 7919 is prime and divides neither span
    return lambda i: str(low + (offset + i * step) % span)


def _rack(n_cells: int) -> tuple[list[tuple[Any, ...]], list[int]]:
    """Rows of the `cells` table for a rack of n_cells main cells plus a returns shelf; size ranks."""
    rows: list[tuple[Any, ...]] = []
    ranks: list[int] = []
    for i in range(n_cells):
        block, rest = divmod(i, COLUMNS * LEVELS)
        column, level = divmod(rest, LEVELS)
        column, level = column + 1, level + 1
        # Bigger parcels go low: L on the bottom (one XL per block), M above, S at the top.
        size = ("XL" if column == COLUMNS else "L") if level == 1 else "M" if level <= 3 else "S"
        address = f"R{block + 1:04d}-{column:02d}-{level}"
        rows.append((i + 1, address, "C-" + address, size, CAPACITY, i, "main"))
        ranks.append(SIZES.index(size))
    rows.append((n_cells + 1, "RET-01", "C-RET-01", "XL", 1000, n_cells, "returns"))
    return rows, ranks


class _Filler:
    """Puts each stored order in one cell of the occupied part of the rack, at random, with room."""

    def __init__(self, ranks: list[int], occupied: int, rng: random.Random) -> None:
        self.rng = rng
        self.fill = [0] * len(ranks)
        self.ranks = ranks
        self.open: list[list[int]] = [[] for _ in SIZES]
        self.spare: list[list[int]] = [[] for _ in SIZES]
        for i, rank in enumerate(ranks):
            (self.open if i < occupied else self.spare)[rank].append(i)

    def take(self, rank: int, k: int) -> int:
        for pools in (self.open, self.spare):
            for r in range(rank, len(SIZES)):
                cell = self._probe(pools[r], k)
                if cell is not None:
                    self.fill[cell] += k
                    return cell
        raise BenchError("the rack is too small for the stored parcels")

    def _probe(self, pool: list[int], k: int) -> int | None:
        for _ in range(8):
            if not pool:
                return None
            j = self.rng.randrange(len(pool))
            cell = pool[j]
            if self.fill[cell] + k <= FILL_CAP:
                return cell
            if self.fill[cell] >= FILL_CAP:  # full: drop it from the pool
                pool[j] = pool[-1]
                pool.pop()
        return None


def _plan_orders(
    parcels: int, n_expected: int, n_new: int, n_late: int, rng: random.Random
) -> tuple[list[_Order], int]:
    """Orders of 1–3 parcels: history (stored or issued), accepted ones, then the open supply's."""
    history = parcels - n_expected - n_new - n_late
    ids = _order_ids(rng)
    codes = _pickup_codes(rng, parcels)
    orders: list[_Order] = []
    for kind, quota in (("history", history), ("accepted", n_new), ("expected", n_expected)):
        left = quota
        while left > 0:
            i = len(orders)
            k = min(left, rng.choices(*PARCELS_PER_ORDER)[0])
            left -= k
            cod = rng.random() < COD_SHARE
            qr = f"{rng.getrandbits(64):016x}" if i % QR_EVERY == 0 else None
            orders.append(
                _Order(
                    id=ids(i),
                    code=codes(i),
                    qr=qr,
                    customer=CUSTOMERS[i % len(CUSTOMERS)],
                    sizes=rng.choices(SIZES, weights=SIZE_WEIGHTS, k=k),
                    cods=[rng.randrange(299, 8999) * 100 if cod else 0 for _ in range(k)],
                    age=rng.random() < AGE_SHARE,
                    kind=kind if kind != "history" else "issued" if rng.random() < ISSUED_SHARE else "stored",
                )
            )
    return orders, history


def _ts(t: datetime) -> str:
    return t.isoformat(timespec="seconds")


def _event_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _receipt_json(order: _Order, barcodes: list[str], ts: str) -> str:
    """A printed receipt as the print queue keeps it (about the size of the real document)."""
    lines = ",".join(f'{{"t":"columns","left":"{b}","right":"0,00 ₽"}}' for b in barcodes)
    return (
        f'{{"kind":"receipt","title":"Чек выдачи заказа","blocks":[{{"t":"text","text":"Заказ {order.id}"}},'
        f'{{"t":"text","text":"Получатель: {order.customer}"}},{{"t":"text","text":"{ts}"}},{lines},'
        f'{{"t":"barcode","data":"{order.id}"}}]}}'
    )


class _Rows:
    """Every row of the fixture, in journal order: supplies, their boxes, parcels and events."""

    def __init__(self, rng: random.Random, addresses: list[str]) -> None:
        self.rng = rng
        self.addresses = addresses
        self.supplies: list[tuple[Any, ...]] = []
        self.packages: list[tuple[Any, ...]] = []
        self.orders: list[tuple[Any, ...]] = []
        self.parcels: list[tuple[Any, ...]] = []
        self.journal: list[tuple[Any, ...]] = []
        self.prints: list[tuple[Any, ...]] = []
        self.states = {"stored": 0, "issued": 0, "accepted": 0, "expected": 0}
        self.supply_id = ""
        self.t_supply = T_HISTORY
        self._in_supply = SUPPLY_SIZE
        self._box = ""
        self._in_box = BOX_SIZE

    @property
    def supply_full(self) -> bool:
        return self._in_supply >= SUPPLY_SIZE

    def order(self, o: _Order) -> None:
        qr = None if o.qr is None else code_hmac(KEY, o.qr)
        self.orders.append((o.id, o.customer, code_hmac(KEY, o.code), qr))

    def supply(self, status: str) -> None:
        n = len(self.supplies) + 1
        self.supply_id, self._in_supply, self._in_box = f"SUP-{n:06d}", 0, BOX_SIZE
        self.t_supply = T_HISTORY + timedelta(hours=2 * n)
        closed = None if status == "open" else _ts(self.t_supply + timedelta(hours=1))
        carrier = CARRIERS[n % len(CARRIERS)]
        self.supplies.append((self.supply_id, carrier, status, 1, _ts(self.t_supply), closed))
        data = f'{{"parcels": {SUPPLY_SIZE}, "supply": "{self.supply_id}", "version": 1}}'
        self._event(_ts(self.t_supply), "manifest_imported", data)

    def _package(self, state: str) -> str | None:
        if self.rng.random() < 0.2:
            return None
        if self._in_box >= BOX_SIZE:
            self._box, self._in_box = f"BOX{len(self.packages) + 1:08d}", 0
            self.packages.append((self._box, self.supply_id, "box", state))
        self._in_box += 1
        return self._box

    def _event(
        self,
        ts: str,
        kind: str,
        data: str,
        *,
        station: str | None = None,
        parcel: str | None = None,
        move: tuple[str, str, str | None] | None = None,
    ) -> None:
        src, dst, cell = (None, None, None) if move is None else move
        event = (_event_id(self.rng), DEVICE, ts, station, None, kind, parcel, src, dst, cell, data)
        self.journal.append(event)

    def parcel(self, o: _Order, posting: int, state: str, t: datetime) -> str:
        """One parcel row (posting 1-based) and the journal event that brought it to `state`."""
        barcode, ts = f"{o.id}-{posting:04d}-1", _ts(t)
        deadline = (t + timedelta(days=7)).date().isoformat()
        package = self._package("expected" if state == "expected" else "accepted")
        cell = o.cell if state == "stored" else None
        self.parcels.append(
            (barcode, o.id, self.supply_id, package, o.sizes[posting - 1], deadline, o.cods[posting - 1],
             int(o.age), state, None if cell is None else cell + 1, ts)
        )  # fmt: skip
        self._in_supply += 1
        self.states[state] += 1
        if state == "stored" and cell is not None:
            address = self.addresses[cell]
            data = f'{{"off_suggestion": false, "suggested": "{address}"}}'
            self._event(
                ts, "placed", data, station=PLACE, parcel=barcode, move=("accepted", "stored", address)
            )
        elif state == "issued":
            data = f'{{"order": "{o.id}"}}'
            self._event(ts, "issued", data, station=COUNTER, parcel=barcode, move=("stored", "issued", None))
        elif state == "accepted":
            data = f'{{"supply": "{self.supply_id}"}}'
            self._event(
                ts, "accepted", data, station=ACC, parcel=barcode, move=("expected", "accepted", None)
            )
        return barcode

    def receipt(self, o: _Order, barcodes: list[str], t: datetime) -> None:
        ts = _ts(t)
        self.prints.append((COUNTER, "receipt", _receipt_json(o, barcodes, ts), "printed", 1, ts, ts))

    def insert(self, conn: sqlite3.Connection, cells: list[tuple[Any, ...]]) -> None:
        """Every row in the caller's transaction, with the statements' column lists of the schema."""
        conn.executemany("INSERT INTO supplies VALUES (?, ?, ?, ?, ?, ?)", self.supplies)
        conn.executemany(
            "INSERT INTO packages (barcode, supply_id, kind, state) VALUES (?, ?, ?, ?)", self.packages
        )
        conn.executemany(
            "INSERT INTO orders (id, customer, pickup_code_hmac, qr_token_hmac) VALUES (?, ?, ?, ?)",
            self.orders,
        )
        conn.executemany(
            "INSERT INTO cells (id, address, label, size, capacity, channel, zone) VALUES (?, ?, ?, ?, ?, ?, ?)",
            cells,
        )
        conn.executemany(
            "INSERT INTO parcels (barcode, order_id, supply_id, package, size, deadline, cod_kopecks, "
            "age_restricted, state, cell_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.parcels,
        )
        conn.executemany(
            "INSERT INTO journal (event_id, device_id, ts, station, clerk, kind, parcel, from_state, "
            "to_state, cell, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.journal,
        )
        conn.executemany(
            "INSERT INTO print_jobs (station, kind, document, state, attempts, created_at, printed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            self.prints,
        )


@dataclass
class _Work:
    """What the scan phase consumes, drawn while the rows are generated."""

    expected: list[str] = field(default_factory=list)
    to_place: list[ToPlace] = field(default_factory=list)
    to_issue: list[IssueOrder] = field(default_factory=list)


def _generate(
    rows: _Rows, orders: list[_Order], issue: list[_Order], late: list[_Order], rng: random.Random
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


def _load(path: Path, rows: _Rows, cells: list[tuple[Any, ...]]) -> dict[str, float]:
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
        rows.insert(conn, cells)
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


BADGE = "BADGE-BENCH"


def sign_in(engine: Engine) -> None:
    """Only a signed-in clerk can scan: provision a badge and scan it at every station used."""
    with engine.store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO clerks (badge, name) VALUES (?, 'Bench')", (BADGE,))
    for station in sorted(STATIONS):
        result = engine.handle(station, BADGE)
        if result.feedback.msg.key not in ("signed_in", "already_signed_in"):
            raise RuntimeError(f"could not sign in at {station}: {result.feedback.msg.key}")


def build_store(
    path: Path, parcels: int, need: int, rng: random.Random, progress: Callable[[str], None]
) -> Fixture:
    """A store of exactly `parcels` parcels, with `need` of each kind of work for the scan phase."""
    t_start = time.perf_counter()
    n_expected = max(SUPPLY_SIZE, need)
    n_place = max(need, 400)
    n_new, n_late = n_place // 2, n_place - n_place // 2
    if parcels - n_expected - n_place < 10 * need or parcels < 10_000:
        raise BenchError(
            f"--parcels {parcels} is too small for {need} rounds of scans: use at least "
            f"{max(10_000, n_expected + n_place + 10 * need)} parcels"
        )
    orders, history = _plan_orders(parcels, n_expected, n_new, n_late, rng)
    stored = [o for o in orders if o.kind == "stored"]
    n_stored = sum(len(o.sizes) for o in stored)
    blocks = math.ceil(max(MIN_CELLS, n_stored / PER_CELL / (1 - EMPTY_SHARE)) / (COLUMNS * LEVELS))
    n_cells = blocks * COLUMNS * LEVELS
    cells, ranks = _rack(n_cells)
    filler = _Filler(ranks, round(n_cells * (1 - EMPTY_SHARE)), rng)
    for o in stored:
        o.cell = filler.take(max(SIZES.index(s) for s in o.sizes), len(o.sizes))
    rng.shuffle(stored)
    issue, late = stored[:need], stored[need : need + n_late]
    if len(late) < n_late:
        raise BenchError("not enough stored orders for the scan phase")
    progress(f"  {len(orders):,} orders, {n_cells:,} cells; generating rows")
    rows = _Rows(rng, [str(c[1]) for c in cells])
    work = _generate(rows, orders, issue, late, rng)
    t_generated = time.perf_counter()
    progress(
        f"  inserting {len(rows.parcels):,} parcels and {len(rows.journal):,} journal rows in one transaction"
    )
    timings = _load(path, rows, cells)
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


# --------------------------------------------------------------------------- scans


class _Scanner:
    """Feeds codes to the engine, times each handle() and checks that it did the expected thing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.samples: dict[str, list[int]] = {key: [] for key, _, _ in OPERATIONS}
        self.recording = False
        self.no_suggestion = 0

    def scan(
        self, station: str, raw: str, *, keyed: bool = False, expect: tuple[str, ...]
    ) -> tuple[Result, int]:
        t0 = time.perf_counter_ns()
        result = self.engine.handle(station, raw, keyed=keyed)
        elapsed = time.perf_counter_ns() - t0
        key = result.feedback.msg.key
        if key not in expect:
            raise BenchError(
                f"station {station}: scan {raw!r} gave {key} {dict(result.feedback.msg.params)}, "
                f"expected {' or '.join(expect)}"
            )
        return result, elapsed

    def record(self, op: str, elapsed: int, *, always: bool = False) -> None:
        if self.recording or always:
            self.samples[op].append(elapsed)

    def timed(
        self, op: str, station: str, raw: str, *, keyed: bool = False, expect: tuple[str, ...]
    ) -> Result:
        result, elapsed = self.scan(station, raw, keyed=keyed, expect=expect)
        self.record(op, elapsed)
        return result

    @property
    def total(self) -> int:
        return sum(len(v) for key, v in self.samples.items() if key not in ONE_OFF)


def _any_cell_with_room(store: Store, barcode: str) -> str:
    """Where a clerk puts a parcel when nothing is suggested: any fitting cell with room."""
    row = store.conn.execute(
        "SELECT c.label FROM cells c, parcels p WHERE p.barcode = ? AND c.zone = 'main' "
        "AND (CASE c.size WHEN 'S' THEN 1 WHEN 'M' THEN 2 WHEN 'L' THEN 3 ELSE 4 END) >= "
        "(CASE p.size WHEN 'S' THEN 1 WHEN 'M' THEN 2 WHEN 'L' THEN 3 ELSE 4 END) "
        "AND (SELECT count(*) FROM parcels q WHERE q.cell_id = c.id) < c.capacity ORDER BY c.address LIMIT 1",
        (barcode,),
    ).fetchone()
    if row is None:
        raise BenchError(f"no cell has room for {barcode}")
    return str(row[0])


def _round(s: _Scanner, fx: Fixture, n: int, rng: random.Random) -> None:
    """One round of counter work: accept a parcel, place one, hand out an order, refuse a code."""
    s.timed("accept", ACC, fx.expected[n], expect=("acc_parcel_accepted",))

    item = fx.to_place[n]
    result, elapsed = s.scan(PLACE, item.barcode, expect=("pl_suggest", "pl_no_suggestion"))
    assert result.session is not None
    suggested = result.session.data.get("suggested")
    same = item.order_cell is not None and suggested == item.order_cell
    s.record("place_parcel_order_cell" if same else "place_parcel_empty_cell", elapsed)
    if suggested is None:
        s.no_suggestion += 1
        label = _any_cell_with_room(s.engine.store, item.barcode)
        s.timed("place_cell", PLACE, label, expect=("pl_placed_elsewhere",))
    else:
        s.timed("place_cell", PLACE, f"C-{suggested}", expect=("pl_placed",))

    order = fx.to_issue[n]
    by_code = n % 2 == 1
    result = s.timed(
        "find_pickup_code" if by_code else "find_order_number",
        COUNTER,
        order.code if by_code else order.id,
        keyed=True,
        expect=("iss_found",),
    )
    assert result.session is not None
    if tuple(result.session.data["parcels"]) != order.parcels:
        raise BenchError(
            f"order {order.id}: found {result.session.data['parcels']}, expected {order.parcels}"
        )
    if order.age:
        s.timed("id_checked", COUNTER, Command.ID_CHECKED.barcode, expect=("iss_id_checked",))
    for barcode in order.parcels:
        s.timed("take", COUNTER, barcode, expect=("iss_taken", "iss_taken_all"))
    if order.cod:
        s.timed("paid", COUNTER, Command.PAID.barcode, expect=("iss_paid",))
    result = s.timed("done", COUNTER, Command.DONE.barcode, expect=("iss_done",))
    if len(result.jobs) != 1:
        raise BenchError(f"order {order.id}: DONE queued {len(result.jobs)} print jobs, expected 1")

    # A code nobody knows: a barcode-shaped one, or digits typed as a pickup code (HMAC lookup).
    if n % 2 == 0:
        unknown, keyed = f"{rng.randrange(90_000_000, 100_000_000)}-0001-1", False
    else:
        unknown, keyed = str(rng.randrange(100_000_000, 1_000_000_000)), True
    s.timed("unknown", COUNTER, unknown, keyed=keyed, expect=("unknown_code",))


def drive(engine: Engine, fx: Fixture, scans: int, rng: random.Random) -> tuple[_Scanner, float]:
    """Warm up, then run rounds until `scans` scans are timed; return the scanner and the wall time."""
    s = _Scanner(engine)
    s.scan(ACC, Command.START_ACCEPTANCE.barcode, expect=("acc_choose_supply",))
    _, elapsed = s.scan(ACC, fx.open_supply, expect=("acc_opened",))
    s.record("acc_open", elapsed, always=True)
    s.scan(PLACE, Command.START_PLACEMENT.barcode, expect=("pl_scan_parcel",))
    n = 0
    for n in range(WARMUP_ROUNDS):
        _round(s, fx, n, rng)
    s.recording = True
    t0 = time.perf_counter()
    while s.total < scans:
        n += 1
        if n >= min(len(fx.expected), len(fx.to_place), len(fx.to_issue)):
            raise BenchError("the fixture ran out of work before the scans were done")
        _round(s, fx, n, rng)
    wall = time.perf_counter() - t0
    s.recording = False
    _, elapsed = s.scan(ACC, Command.DONE.barcode, expect=("acc_closed",))
    s.record("acc_close", elapsed, always=True)
    s.scan(PLACE, Command.DONE.barcode, expect=("pl_ended",))
    return s, wall


# --------------------------------------------------------------------------- report


def _percentile(ordered: list[int], p: float) -> int:
    """Nearest-rank percentile of a sorted list."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _stats(samples: list[int]) -> dict[str, float | int]:
    ordered = sorted(samples)
    ms = 1e-6
    return {
        "count": len(ordered),
        "p50_ms": round(_percentile(ordered, 50) * ms, 3),
        "p90_ms": round(_percentile(ordered, 90) * ms, 3),
        "p99_ms": round(_percentile(ordered, 99) * ms, 3),
        "max_ms": round(ordered[-1] * ms, 3),
        "mean_ms": round(sum(ordered) / len(ordered) * ms, 3),
    }


def _filesystem(path: Path) -> str:
    """The file system type of the mount holding `path` (Linux), else "unknown"."""
    best, kind = "", "unknown"
    with contextlib.suppress(OSError):
        target = str(path.resolve())
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) < 3 or len(parts[1]) < len(best):
                continue
            if target == parts[1] or target.startswith(parts[1].rstrip("/") + "/"):
                best, kind = parts[1], parts[2]
    return kind


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "sqlite_version": sqlite3.sqlite_version,
    }


def fsync_probe(directory: Path, n: int = 200) -> dict[str, float | int]:
    """The disk's own cost of a commit: append 4 KiB to a file next to the store and fsync it."""
    path = directory / "fsync-probe.tmp"
    samples: list[int] = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        block = b"\0" * 4096
        for _ in range(n):
            t0 = time.perf_counter_ns()
            os.write(fd, block)
            os.fsync(fd)
            samples.append(time.perf_counter_ns() - t0)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return _stats(samples)


@contextlib.contextmanager
def _store_dir(db_dir: Path | None) -> Iterator[Path]:
    if db_dir is not None:
        db_dir.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".lock"):
            (db_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
        yield db_dir
        return
    with tempfile.TemporaryDirectory(prefix="pvz-bench-") as tmp:
        yield Path(tmp)


def run(config: BenchConfig, progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Build the store, run the scans, return the report (as written to JSON)."""
    rng = random.Random(config.seed)
    need = math.ceil(config.scans / MIN_SCANS_PER_ROUND) + WARMUP_ROUNDS + 2
    with _store_dir(config.db_dir) as directory:
        path = directory / DB_NAME
        progress(f"building a store of {config.parcels:,} parcels in {path}")
        fx = build_store(path, config.parcels, need, rng, progress)
        size = path.stat().st_size
        progress(
            f"  built in {fx.timings['total_s']:.1f} s, {size / 1e6:.0f} MB; timing {config.scans:,} scans"
        )
        disk = fsync_probe(directory)
        store = Store.open(path, owner=True)
        try:
            pragmas = {
                name: store.scalar(f"PRAGMA {name}")
                for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size", "page_size")
            }
            docs = Documents(site="bench-site", device_id=DEVICE, lang="ru")
            engine = Engine(store, device_id=DEVICE, pickup_key=KEY, docs=docs)
            sign_in(engine)
            scanner, wall = drive(engine, fx, config.scans, rng)
        finally:
            store.close()
        wal = path.with_name(DB_NAME + "-wal")
        files = {"db_bytes": size, "wal_bytes_after_scans": wal.stat().st_size if wal.exists() else 0}
        fs = _filesystem(directory)
    operations = {key: _stats(v) for key, v in scanner.samples.items() if v}
    timed = [x for key, v in scanner.samples.items() if key not in ONE_OFF for x in v]
    handle_s = sum(timed) / 1e9
    return {
        "benchmark": "pvz scan latency: Engine.handle end to end (decision + commit)",
        "machine": machine(),
        "config": {
            "parcels": config.parcels,
            "scans": config.scans,
            "seed": config.seed,
            "warmup_rounds": WARMUP_ROUNDS,
            "db": str(path) if config.db_dir is not None else "(temporary, deleted)",
            "filesystem": fs,
            "pragmas": pragmas,
        },
        "disk_fsync_4k": disk,
        "build": {
            "seconds": {k: round(v, 2) for k, v in fx.timings.items()},
            "rows": fx.rows,
            "parcel_states": fx.parcel_states,
            "cells_main": fx.cells,
            "cell_capacity": CAPACITY,
            **files,
        },
        "operations": operations,
        "labels": {key: label for key, label, _ in OPERATIONS},
        "overall": {
            "scans": len(timed),
            "handle_seconds": round(handle_s, 3),
            "scans_per_second": round(len(timed) / handle_s, 1),
            "wall_seconds": round(wall, 3),
            "wall_scans_per_second": round(len(timed) / wall, 1),
            "placements_without_suggestion": scanner.no_suggestion,
            **_stats(timed),
        },
    }


def _row(label: str, s: dict[str, Any]) -> str:
    cells = (f"{s[k]:>8.2f}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))
    return f"{label:<48} {s['count']:>6} {' '.join(cells)}"


def format_report(report: dict[str, Any]) -> str:
    """The readable table."""
    m, c, b, o = report["machine"], report["config"], report["build"], report["overall"]
    d = report["disk_fsync_4k"]
    sec, rows, st = b["seconds"], b["rows"], b["parcel_states"]
    out = [
        f"pvz scan benchmark: {c['parcels']:,} parcels, {o['scans']:,} timed scans (+{c['warmup_rounds']} warm-up rounds)",
        f"machine : {m['platform']}, {m['cpu_count']} CPUs, Python {m['python']}, SQLite {m['sqlite_version']}",
        f"store   : {c['filesystem']} file, journal_mode={c['pragmas']['journal_mode']}, "
        f"synchronous={c['pragmas']['synchronous']} (2 = FULL), cache_size={c['pragmas']['cache_size']}, "
        f"{b['db_bytes'] / 1e6:.0f} MB",
        f"disk    : fsync after a 4 KiB append p50 {d['p50_ms']:.2f} ms, p90 {d['p90_ms']:.2f} ms, "
        f"p99 {d['p99_ms']:.2f} ms, max {d['max_ms']:.2f} ms ({d['count']} samples; one per committed scan)",
        f"build   : {sec['total_s']:.1f} s (generate {sec['generate_s']:.1f}, insert+commit "
        f"{sec['insert_commit_s']:.1f}, FK check {sec['foreign_key_check_s']:.1f}, checkpoint {sec['checkpoint_s']:.1f}, sync {sec['sync_s']:.1f})",
        f"rows    : parcels {rows['parcels']:,} (stored {st['stored']:,}, issued {st['issued']:,}, accepted "
        f"{st['accepted']:,}, expected {st['expected']:,}), orders {rows['orders']:,}, journal {rows['journal']:,}, "
        f"cells {b['cells_main']:,} (capacity {b['cell_capacity']}) + returns shelf, print jobs {rows['print_jobs']:,}",
        "",
        f"{'operation':<48} {'count':>6} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}",
        "-" * 90,
    ]
    rule = "-" * 90
    regular = [(label, report["operations"].get(key)) for key, label, one_off in OPERATIONS if not one_off]
    once = [(label, report["operations"].get(key)) for key, label, one_off in OPERATIONS if one_off]
    out += [_row(label, s) for label, s in regular if s is not None]
    out += [rule, _row("all timed scans", o), rule]
    out += [_row(label, s) for label, s in once if s is not None]
    out.append(
        f"throughput: {o['scans_per_second']:,.0f} scans/s over the handle() time "
        f"({o['handle_seconds']:.2f} s), {o['wall_scans_per_second']:,.0f} scans/s wall clock "
        "(one-offs not included)"
    )
    if o["placements_without_suggestion"]:
        out.append(f"placements without a suggestion: {o['placements_without_suggestion']}")
    return "\n".join(out)
