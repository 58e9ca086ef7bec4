"""The scan phase: sign in, then rounds of counter work through Engine.handle, each scan timed and checked."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bench.settings import ACC, COUNTER, PLACE, STATIONS, BenchError
from bench.store_build import Fixture
from device.engine import Engine, Result
from device.store.db import Store
from workflows.inputs import Command

WARMUP_ROUNDS = 10
MIN_SCANS_PER_ROUND = 7  # accept 1 + place 2 + find, take, done 3 + refusal 1

# (key, label, one-off): the rows of the result table, in order.
OPERATIONS: tuple[tuple[str, str, bool], ...] = (
    ("accept", "acceptance: expected → accepted", False),
    ("place_parcel_order_cell", "placement: parcel → suggestion (order's cell)", False),
    ("place_parcel_empty_cell", "placement: parcel → suggestion (empty cell)", False),
    ("place_cell", "placement: cell → stored", False),
    ("find_issue_code", "issue: find by order*code (keyed)", False),
    ("find_pickup_code", "issue: find by pickup code (HMAC)", False),
    ("id_checked", "issue: ID-CHECKED (18+)", False),
    ("take", "issue: take parcel", False),
    ("paid", "issue: PAID-CASH (cash on delivery)", False),
    ("done", "issue: DONE (receipt print job)", False),
    ("unknown", "refusal: unknown code", False),
    ("acc_open", "acceptance: open supply (one-off)", True),
    ("acc_close", "acceptance: DONE, closes supply (one-off)", True),
)
ONE_OFF = frozenset(key for key, _, one_off in OPERATIONS if one_off)

BADGE = "BADGE-BENCH"

Handle = Callable[[str, str, bool], Result]


def sign_in(engine: Engine) -> None:
    """Only a signed-in clerk can scan: provision a badge and scan it at every station used."""
    with engine.store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO clerks (badge, name) VALUES (?, 'Bench')", (BADGE,))
    for station in sorted(STATIONS):
        result = engine.handle(station, BADGE)
        if result.feedback.msg.key not in ("signed_in", "already_signed_in"):
            raise RuntimeError(f"could not sign in at {station}: {result.feedback.msg.key}")


class ScanTimer:
    """Feeds codes to the engine, times each handle() and checks that it did the expected thing."""

    def __init__(self, engine: Engine, handle: Handle | None = None) -> None:
        self.engine = engine
        # Engine.handle by default; the suite passes Runtime.process (feedback and watchers too).
        self.handle: Handle = handle or (lambda station, raw, keyed: engine.handle(station, raw, keyed=keyed))
        self.samples: dict[str, list[int]] = {key: [] for key, _, _ in OPERATIONS}
        self.recording = False
        self.no_suggestion = 0

    def scan(
        self, station: str, raw: str, *, keyed: bool = False, expect: tuple[str, ...]
    ) -> tuple[Result, int]:
        t0 = time.perf_counter_ns()
        result = self.handle(station, raw, keyed)
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


def _round(s: ScanTimer, fx: Fixture, n: int, rng: random.Random) -> None:
    """One round of counter work: accept a parcel, place one, hand out an order, refuse a code."""
    s.timed("accept", ACC, fx.expected[n], expect=("acc_parcel_accepted",))

    item = fx.to_place[n]
    result, elapsed = s.scan(PLACE, item.barcode, expect=("pl_suggest", "pl_no_suggestion"))
    assert result.session is not None
    suggested = result.session.data.suggested
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
        "find_pickup_code" if by_code else "find_issue_code",
        COUNTER,
        order.code if by_code else f"{order.id}*{order.code}",
        keyed=True,
        expect=("iss_found",),
    )
    assert result.session is not None
    if tuple(result.session.data.parcels) != order.parcels:
        raise BenchError(f"order {order.id}: found {result.session.data.parcels}, expected {order.parcels}")
    if order.age:
        s.timed("id_checked", COUNTER, Command.ID_CHECKED.barcode, expect=("iss_id_checked",))
    for barcode in order.parcels:
        s.timed("take", COUNTER, barcode, expect=("iss_taken", "iss_taken_all", "iss_taken_all_pay"))
    if order.cod:
        s.timed("paid", COUNTER, Command.PAID_CASH.barcode, expect=("iss_paid_done",))
    result = s.timed("done", COUNTER, Command.DONE.barcode, expect=("iss_done", "iss_done_paid"))
    if len(result.jobs) != 1:
        raise BenchError(f"order {order.id}: DONE queued {len(result.jobs)} print jobs, expected 1")

    # A code nobody knows: a barcode-shaped one, or digits typed as a pickup code (HMAC lookup).
    keyed = n % 2 == 1
    if keyed:
        unknown = str(rng.randrange(100_000_000, 1_000_000_000))
    else:
        unknown = f"{rng.randrange(90_000_000, 100_000_000)}-0001-1"
    # Digits typed are a wrong pickup code (counted; the next round's right code clears it).
    s.timed("unknown", COUNTER, unknown, keyed=keyed, expect=("unknown_code", "iss_wrong_code"))


def drive(
    engine: Engine, fx: Fixture, scans: int, rng: random.Random, handle: Handle | None = None
) -> tuple[ScanTimer, float]:
    """Warm up, then run rounds until `scans` scans are timed; return the timer and the wall time."""
    s = ScanTimer(engine, handle)
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
    # The supply still has parcels nobody scanned: DONE asks, DONE again closes it.
    s.scan(ACC, Command.DONE.barcode, expect=("acc_confirm_close",))
    _, elapsed = s.scan(ACC, Command.DONE.barcode, expect=("acc_closed",))
    s.record("acc_close", elapsed, always=True)
    s.scan(PLACE, Command.DONE.barcode, expect=("pl_ended",))
    return s, wall
