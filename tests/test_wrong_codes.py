"""Wrong pickup codes are limited per station, with pauses that grow to a cap, kept in the store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from device.config import parse_config
from device.engine import Engine
from device.exc import ConfigError
from device.store.db import Store
from device.wiring import policy
from sync.outbox import Outbox
from tests.support.config import PICKUP_KEY
from tests.support.factory import CLERK, StepClock, new_engine, scan
from workflows.messages import Msg
from workflows.outcome import Level

WRONG = "iss_wrong_code"
PAUSED = "iss_codes_paused"
LOCKED = "iss_codes_locked"


def clock_of(engine: Engine) -> StepClock:
    assert isinstance(engine.clock, StepClock)
    return engine.clock


def pause_end(store: Store, station: str = "s1") -> datetime:
    row = store.conn.execute(
        "SELECT paused_at, pause_s FROM wrong_codes WHERE station = ?", (station,)
    ).fetchone()
    return datetime.fromisoformat(row["paused_at"]) + timedelta(seconds=row["pause_s"])


def pauses(store: Store) -> list[int]:
    return [
        json.loads(r[0])["pause_s"]
        for r in store.conn.execute("SELECT data FROM journal WHERE kind = 'alert' ORDER BY seq")
    ]


def test_wrong_codes_pause_the_station_and_never_lock_the_customer_out(stocked: Engine, store: Store) -> None:
    for i in range(4):
        r = scan(stocked, f"22222222*99999{i}", keyed=True, station="a")
        assert (r.feedback.level, r.feedback.msg.key, r.session) == (Level.ERROR, WRONG, None)
        assert r.feedback.details == (Msg("iss_tries_left", {"count": 4 - i}),)
    r = scan(stocked, "22222222*999994", keyed=True, station="a")
    assert r.feedback.msg == Msg(
        PAUSED, {"code": "22222222*999994", "wait": Msg("iss_seconds", {"count": 30})}
    )
    assert r.feedback.details == (Msg("iss_qr_still_works"),)
    # the right code is not even checked while the station pauses ...
    r = scan(stocked, "22222222*222222", keyed=True, station="a")
    assert r.feedback.msg.key == LOCKED and r.session is None
    assert r.feedback.msg.params["wait"] == Msg("iss_seconds", {"count": 29})
    # ... but the customer is not locked out of the order: another counter opens it
    r = scan(stocked, "22222222*222222", keyed=True, station="b")
    assert r.feedback.msg.key == "iss_found"
    rows = store.conn.execute("SELECT station, failures, pause_s FROM wrong_codes").fetchall()
    assert [tuple(r) for r in rows] == [("a", 5, 30)]


def test_every_wrong_code_and_the_pause_are_journalled_and_the_pause_goes_up_as_an_alert(
    stocked: Engine, store: Store
) -> None:
    for i in range(5):
        scan(stocked, f"22222222*99999{i}", keyed=True, station="a")
    wrong = store.conn.execute(
        "SELECT station, clerk, data FROM journal WHERE kind = 'wrong_code' ORDER BY seq"
    )
    assert [(r[0], r[1], json.loads(r[2])) for r in wrong] == [
        ("a", CLERK, {"failures": n, "order": "22222222"}) for n in range(1, 6)
    ]
    alerts = [e for e in Outbox(store).batch(limit=1000) if e.kind == "alert"]
    assert [(e.station, e.clerk, e.data) for e in alerts] == [
        ("a", CLERK, {"alert": "wrong_codes", "failures": 5, "pause_s": 30})
    ]
    journal = " ".join(r[0] for r in store.conn.execute("SELECT data FROM journal"))
    assert "99999" not in journal, "a tried code is never written down"


def test_pauses_double_up_to_the_cap_and_the_wait_is_told_in_minutes(stocked: Engine, store: Store) -> None:
    clock = clock_of(stocked)
    for i in range(5):
        scan(stocked, f"{900000 + i}", keyed=True)
    for i in range(6):
        clock.now = pause_end(store) - timedelta(seconds=1)  # the scan's clock reading is the end
        assert scan(stocked, f"{900100 + i}", keyed=True).feedback.msg.key == PAUSED
    assert pauses(store) == [30, 60, 120, 240, 480, 900, 900]
    clock.now = pause_end(store) - timedelta(seconds=181)
    r = scan(stocked, "222222", keyed=True)
    assert r.feedback.msg.render("ru") == "Слишком много неверных кодов. Подождите 3 мин."
    assert r.feedback.msg.render("en") == "Too many wrong codes. Wait 3 min"


def test_a_right_code_or_the_qr_clears_the_run(stocked: Engine, store: Store) -> None:
    for i in range(4):
        scan(stocked, f"{900000 + i}", keyed=True)
    assert scan(stocked, "1111", keyed=True).feedback.msg.key == "iss_found"
    assert store.scalar("SELECT count(*) FROM wrong_codes") == 0
    scan(stocked, "PVZC-CANCEL")
    for i in range(4):
        r = scan(stocked, f"{900010 + i}", keyed=True)
    assert r.feedback.msg.key == WRONG and r.feedback.details == (Msg("iss_tries_left", {"count": 1}),)
    r = scan(stocked, f"{900020}", keyed=True)
    assert r.feedback.msg.key == PAUSED
    # the QR token cannot be guessed: it works during the pause, and clears it
    r = scan(stocked, "PVZQR:qr-token-22")
    assert r.feedback.msg.key == "iss_found" and r.session is not None
    assert store.scalar("SELECT count(*) FROM wrong_codes") == 0


def test_a_restart_does_not_reset_the_counter(tmp_path: Path, stocked: Engine, store: Store) -> None:
    for i in range(5):
        scan(stocked, f"{900000 + i}", keyed=True)
    assert store.path is not None
    again = Store.open(store.path)
    try:
        engine = new_engine(again, signed_in=(), clock=StepClock(clock_of(stocked).now))
        r = scan(engine, "222222", keyed=True)
        assert r.feedback.msg.key == LOCKED
        clock_of(engine).now = pause_end(again)
        assert scan(engine, "222222", keyed=True).feedback.msg.key == "iss_found"
    finally:
        again.close()


def test_an_attacker_at_one_station_gets_12_guesses_in_the_first_hour_and_4_each_hour_after(
    stocked: Engine, store: Store
) -> None:
    """The figure: default config (5 free, then 30 s doubling to 15 min), an attacker who types a
    new code the moment each pause ends. Codes the station refuses unchecked are not guesses."""
    clock = clock_of(stocked)
    start = clock.now
    guessed: list[datetime] = []
    n = 0
    while clock.now < start + timedelta(hours=2):
        r = scan(stocked, f"{500000 + n}", keyed=True)
        n += 1
        if r.feedback.msg.key == LOCKED:
            clock.now = pause_end(store) - timedelta(seconds=1)
            continue
        assert r.feedback.msg.key in (WRONG, PAUSED)
        guessed.append(clock.now)
    first = [t for t in guessed if t <= start + timedelta(hours=1)]
    second = [t for t in guessed if start + timedelta(hours=1) < t <= start + timedelta(hours=2)]
    assert (len(first), len(second)) == (12, 4)


def test_the_limits_come_from_config(stocked: Engine, store: Store) -> None:
    text = _config("[issue]\nmax_wrong_codes = 3\npause_s = 10\nmax_pause_s = 20\n")
    stocked.policy = policy(parse_config(text, source="t"))
    for i in range(3):
        r = scan(stocked, f"{900000 + i}", keyed=True)
    assert r.feedback.msg.params["wait"] == Msg("iss_seconds", {"count": 10})
    for i in range(2):
        clock_of(stocked).now = pause_end(store) - timedelta(seconds=1)
        scan(stocked, f"{900010 + i}", keyed=True)
    assert pauses(store) == [10, 20, 20]


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ("[issue]\npause_s = 0\n", "$.issue.pause_s"),
        ("[issue]\npause_s = 60\nmax_pause_s = 30\n", "$.issue.max_pause_s"),
    ],
)
def test_limits_that_make_no_sense_are_refused_by_name(extra: str, path: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_config(extra), source="t")
    assert err.value.path == path


def _config(extra: str) -> str:
    return (
        f'[device]\nid = "pvz-test-0001"\nsite = "test-site"\n[security]\npickup_key = "{PICKUP_KEY}"\n'
        f'[[stations]]\nname = "s1"\nscanners = [{{ backend = "stdin" }}]\n{extra}'
    )
