"""Random scans and commands across every workflow never break the store's invariants."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from device.store.db import Store
from tests.support.factory import CLERK, CLERK2, new_engine
from tests.support.stock import CELLS, half_day
from workflows.inputs import Command
from workflows.outcome import Level
from workflows.parcel import ParcelState

CODES = [
    "BOX00000001",
    "S1",
    *CELLS,
    "99999999-0001-1",
    "C-A-01-1",
    "C-A-01-2",
    "C-A-02-1",
    "C-A-02-2",
    "C-A-03-1",
    "C-B-01-1",
    "C-R-01-1",
    "11111111",
    "22222222",
    "33333333*3333",
    "44444444",
    "PVZQR:qr-token-22",
    "RR-1",
    "RBAG00000001",
    "R-22222222-0001-1",
    CLERK,
    CLERK2,
    *[c.barcode for c in Command],
]
inputs = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(CODES),
    st.sampled_from(CODES),
    st.text(max_size=20),
    st.binary(max_size=12),
)
steps = st.lists(st.tuples(inputs, st.sampled_from(["a", "b"])), min_size=1, max_size=30)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Half a day already done: stored parcels, one order issued, a return request waiting."""
    path = tmp_path_factory.mktemp("props") / "template.db"
    store, _ = half_day(path, signed_in=("s1", "a"))
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    yield path


def check(store: Store) -> None:
    q = store.conn.execute
    assert not q(
        "SELECT barcode FROM parcels WHERE cell_id IS NOT NULL AND state NOT IN ('stored', 'to_return')"
    ).fetchall()
    assert not q("SELECT barcode FROM parcels WHERE cell_id IS NULL AND state = 'stored'").fetchall()
    assert not q("SELECT address FROM cells WHERE occupied > capacity").fetchall()
    assert not q(
        "SELECT address FROM cells c WHERE occupied != (SELECT count(*) FROM parcels p WHERE p.cell_id = c.id)"
    ).fetchall()
    # the journal tells each parcel's story: its last state change is where it is now
    drift = q(
        "SELECT p.barcode, p.state, j.to_state FROM parcels p JOIN journal j ON j.seq = "
        "(SELECT max(seq) FROM journal WHERE parcel = p.barcode AND to_state IS NOT NULL) WHERE j.to_state != p.state"
    ).fetchall()
    assert not drift, [tuple(r) for r in drift]
    assert not q(
        "SELECT badge FROM shifts WHERE closed_at IS NULL GROUP BY badge HAVING count(*) > 1"
    ).fetchall()
    assert q("PRAGMA foreign_key_check").fetchall() == []


# 1000 random days in the default run; under `./dev reliability --fuzz` (the "fuzz" profile,
# loaded before this module) a quarter of that profile's count, each day costing a store copy.
DAYS = max(1000, settings().max_examples // 4)
STATES = tuple(state.value for state in ParcelState)
NEW_PARCEL_KINDS = ("surplus", "customer_return")  # the only events that add a parcel


def check_parcels(store: Store, parcels: int, since: int) -> None:
    """Each parcel is in exactly one known state and at most one cell, the cells' counts add up
    to the parcels in them, and no parcel appears or vanishes but by a surplus or a return."""
    q = store.conn.execute
    marks = ",".join("?" * len(STATES))
    assert not q(f"SELECT barcode FROM parcels WHERE state NOT IN ({marks})", STATES).fetchall()
    assert store.scalar("SELECT count(*) - count(DISTINCT barcode) FROM parcels") == 0
    assert store.scalar("SELECT coalesce(sum(occupied), 0) FROM cells") == store.scalar(
        "SELECT count(*) FROM parcels WHERE cell_id IS NOT NULL"
    )
    added = store.scalar(
        "SELECT count(*) FROM journal WHERE seq > ? AND kind IN (?, ?)", (since, *NEW_PARCEL_KINDS)
    )
    assert store.scalar("SELECT count(*) FROM parcels") == parcels + added


def failures(store: Store, station: str) -> int:
    row = store.conn.execute("SELECT failures FROM wrong_codes WHERE station = ?", (station,)).fetchone()
    return 0 if row is None else int(row[0])


@example(seq=[("000", "a"), ("000", "a")])  # wrong pickup codes at an idle station are counted
@settings(
    max_examples=DAYS, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(seq=steps)
def test_random_days_keep_every_invariant(
    template: Path, tmp_path_factory: pytest.TempPathFactory, seq: list[tuple[str | bytes, str]]
) -> None:
    path = tmp_path_factory.getbasetemp() / "props" / "run.db"
    path.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.copyfile(template, path)
    store = Store.open(path)
    try:
        engine = new_engine(store, signed_in=())
        parcels = store.scalar("SELECT count(*) FROM parcels")
        since = store.scalar("SELECT coalesce(max(seq), 0) FROM journal")
        for raw, station in seq:
            before = store.conn.total_changes
            counted = failures(store, station)
            last = store.scalar("SELECT coalesce(max(seq), 0) FROM journal")
            r = engine.handle(station, raw)
            if r.feedback.level is Level.ERROR and store.conn.total_changes != before:
                # A refusal changes nothing, but a wrong pickup code is counted against the
                # station (the limit on guessing codes) and journalled, with an alert at the pause.
                kinds = [k for (k,) in store.conn.execute("SELECT kind FROM journal WHERE seq > ?", (last,))]
                assert kinds and set(kinds) <= {"wrong_code", "alert"}, (raw, r.feedback.msg, kinds)
                assert failures(store, station) == counted + 1, (raw, r.feedback.msg)
                assert store.conn.total_changes - before == 1 + len(kinds)  # nothing else was written
            check(store)
            check_parcels(store, parcels, since)
    finally:
        store.close()
