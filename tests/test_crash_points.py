"""A real daemon killed at every named crash point, and at random moments, keeps every promise.

Each run is a real `pvz -v run` fed scan by scan on its stdin scanner (tests/support/day.py),
a real Mosquitto and a real `pvz-central hub`; after every restart and at the end of the day
tests/support/campaign.py checks: integrity, no answered scan lost, the store's invariants,
no parcel issued or swept twice, no receipt printed twice unless marked as a copy, and the
hub holding every event exactly once. `./dev reliability` runs the long version.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from device import crash_points
from tests.support.broker import free_port
from tests.support.campaign import AIMED, aimed, random_kills
from tests.support.day import ROOT, Day, build_template

RANDOM_KILLS = 30


def supplies_for(kills: int) -> int:
    """Enough supplies that the day never runs out of codes (about 50 codes each)."""
    return 10 * kills + 80


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("day") / "template.db", supplies_for(RANDOM_KILLS))


# Points the counter's day never passes, each killed at by a test of its own.
OWN_TESTS = {"door_sent": "tests/test_door_crash.py"}


def test_every_crash_point_has_an_aimed_kill() -> None:
    assert set(AIMED) | set(OWN_TESTS) == set(crash_points.POINTS)
    assert not set(AIMED) & set(OWN_TESTS)
    for path in OWN_TESTS.values():
        assert (ROOT / path).exists(), path


@pytest.mark.parametrize("point", sorted(AIMED))
def test_a_daemon_killed_at_a_crash_point_loses_and_doubles_nothing(
    template: Path, tmp_path: Path, point: str
) -> None:
    counts = aimed(tmp_path, template, point)
    assert counts.kills + counts.hub_kills == 1, counts


def test_a_daemon_killed_at_random_moments_loses_and_doubles_nothing(template: Path, tmp_path: Path) -> None:
    counts = random_kills(tmp_path, template, RANDOM_KILLS, seed=13)
    assert counts.kills == RANDOM_KILLS and counts.scans > RANDOM_KILLS, counts


def test_a_misspelt_crash_point_is_refused() -> None:
    assert crash_points.parse("scan_tx:3, sweep") == {"scan_tx": 3, "sweep": 1}
    for bad in ("scan_txx:1", "scan_tx:0", "scan_tx:x"):
        with pytest.raises(ValueError):
            crash_points.parse(bad)


def test_an_armed_point_kills_the_process_at_its_count_th_pass() -> None:
    code = "from device import crash_points as c\nfor i in range(5):\n    print(i, flush=True)\n    c.reached('sweep')\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PVZ_CRASH": "sweep:3"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout.split()) == (-signal.SIGKILL, ["0", "1", "2"])
    env["PVZ_CRASH"] = ""
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout.split()) == (0, ["0", "1", "2", "3", "4"])


def test_the_checks_catch_an_answered_scan_that_was_lost(template: Path, tmp_path: Path) -> None:
    """The campaign's check is not vacuous: a store missing the last answered scan fails it."""
    day = Day(tmp_path, template, free_port())  # no broker: the uplink just keeps trying
    try:
        assert day.start()
        assert day.run(10)
        day.kill()
        conn = sqlite3.connect(day.db)
        conn.execute("DELETE FROM journal WHERE seq = (SELECT max(seq) FROM journal)")
        conn.commit()
        conn.close()
        assert day.start()
        with pytest.raises(AssertionError, match="was lost"):
            day.recover()
    finally:
        day.close()
