"""`pvz store migrate`: what the package's upgrade runs with the new release before switching to it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from device.cli.main import main
from device.store.db import SCHEMA_VERSION, Store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_older_store_is_brought_to_the_code_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pvz.db"
    Store.open(path, target=3).close()
    assert main(["store", "migrate", "--store", str(path)]) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["from"], done["to"], done["code_schema_version"]) == (3, SCHEMA_VERSION, SCHEMA_VERSION)
    with Store.open(path, migrate=False) as store:
        assert store.version == SCHEMA_VERSION


def test_a_missing_store_is_not_made(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    assert main(["store", "migrate", "--store", str(path)]) == 2
    assert not path.exists()


def test_a_store_a_daemon_owns_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    Store.open(path, target=3).close()
    with Store.open(path, owner=True, migrate=False):
        assert main(["store", "migrate", "--store", str(path)]) == 2
    with Store.open(path, migrate=False) as store:
        assert store.version == 3


def test_a_newer_store_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "pvz.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = digest(path)
    assert main(["store", "migrate", "--store", str(path)]) == 2
    assert digest(path) == before
