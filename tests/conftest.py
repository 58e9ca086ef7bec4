"""Fixtures: a real SQLite store in a temporary directory with a rack and a manifest; stocked; a broker."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from central.hub_store import HubStore, open_store
from central.hub_store_pg import PgHubStore
from central.store_api import CentralStore
from device.engine import Engine
from device.store.db import Store
from tests.support import postgres as pgsupport
from tests.support.broker import Broker
from tests.support.factory import new_engine, new_store, standard_manifest
from tests.support.stock import deadline_day as build_deadline_day
from tests.support.stock import stock

# `./dev reliability --fuzz`: every Hypothesis test without its own count runs this many cases.
FUZZ_EXAMPLES = 12_000
settings.register_profile(
    "fuzz", max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = new_store(tmp_path / "pvz.db", standard_manifest())
    yield s
    s.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    return new_engine(store)


@pytest.fixture
def stocked(engine: Engine) -> Engine:
    """The engine after stock(): every parcel of the standard manifest stored in its cell of CELLS."""
    stock(engine)
    return engine


@pytest.fixture
def deadline_day(tmp_path: Path) -> Iterator[tuple[Store, Engine]]:
    """tests.support.stock.deadline_day: parcels in every state that matters to deadlines, on TODAY."""
    store, engine = build_deadline_day(tmp_path / "pvz.db")
    yield store, engine
    store.close()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A real Mosquitto on a free port with its own config (plain, anonymous, persistent)."""
    from tests.support.broker import running_broker

    with running_broker(tmp_path / "broker") as b:
        yield b


@pytest.fixture(scope="module")
def pg() -> Iterator[pgsupport.Postgres]:
    """A real PostgreSQL (Debian's, its own initdb on a free port) for one test module's hub stores;
    stopped after the module. `./dev test` installs postgresql-15 when it is missing; a bare pytest
    on a machine without it skips."""
    if not pgsupport.available():
        pytest.skip("Debian's postgresql-15 is not installed")
    with pgsupport.postgres() as cluster:
        yield cluster


_hub_dbs = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CentralStore]:
    """The hub's central store, once as an SQLite file and once in the module's PostgreSQL: a test
    that takes it runs on both."""
    if request.param == "sqlite":
        db: str | Path = tmp_path / "hub.db"
    else:
        db = request.getfixturevalue("pg").createdb(f"either{next(_hub_dbs)}")
    found = open_store(db)
    assert isinstance(found, HubStore if request.param == "sqlite" else PgHubStore)
    yield found
    found.close()
