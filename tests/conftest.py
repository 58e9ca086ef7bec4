"""Fixtures: a real SQLite store in a temporary directory, with a rack and a manifest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.broker import Broker
from tests.support.factory import load, new_engine, new_store, standard_manifest


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = new_store(tmp_path / "pvz.db")
    load(s, standard_manifest())
    yield s
    s.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    return new_engine(store)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A real Mosquitto on a free port with its own config (plain, anonymous, persistent)."""
    from tests.support.broker import running_broker

    with running_broker(tmp_path / "broker") as b:
        yield b
