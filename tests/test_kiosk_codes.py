"""Wrong codes per kiosk: a run of them locks the keypad, each further lock longer; a right code ends
the run but not the level; quiet hours forget it. Counted per kiosk in the store, never per order,
never in clear. How many guesses an attacker gets is the policy's arithmetic, checked by driving one."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from device.engine import Engine, Result
from device.store.db import Store
from tests.support import kiosk
from tests.support.factory import T0, dump, new_engine
from tests.support.kiosk import COUNTER, KIOSK, RULES, Clock, at_kiosk, door, kiosk_site
from workflows.code_limit import kiosk_cycle, kiosk_guesses, kiosk_steady_rate
from workflows.inputs import Command, DoorEvent
from workflows.messages import Msg
from workflows.outcome import Level

WRONG = ["804215", "804216", "804217", "804218", "804219", "804220"]
HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def site(tmp_path: Path) -> tuple[Store, Engine, Clock]:
    return kiosk_site(tmp_path / "kiosk.db")


def lock_end(store: Store, station: str = KIOSK) -> datetime:
    row = store.conn.execute(
        "SELECT paused_at, pause_s FROM wrong_codes WHERE station = ?", (station,)
    ).fetchone()
    return datetime.fromisoformat(row[0]) + timedelta(seconds=row[1])


def lock_alerts(store: Store) -> list[tuple[str | None, int]]:
    rows = store.conn.execute("SELECT station, data FROM journal WHERE kind = 'alert' ORDER BY seq")
    return [(s, json.loads(d)["lock_s"]) for s, d in rows if json.loads(d)["alert"] == "wrong_codes"]


def minutes(n: int) -> Msg:
    return Msg("iss_minutes", {"count": n})


def test_three_wrong_codes_lock_the_keypad_for_five_minutes_and_each_further_lock_doubles(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    for left in (2, 1):
        r = at_kiosk(engine, WRONG[0])
        assert (r.feedback.msg.key, r.feedback.details) == (
            "ksk_wrong_code",
            (Msg("ksk_tries_left", {"count": left}),),
        )
    r = at_kiosk(engine, WRONG[1])
    assert r.feedback.msg == Msg("ksk_locked_now", {"wait": minutes(5)})
    assert r.feedback.details == (Msg("ksk_qr_still_works"),)
    # locked: the right code is not even checked; the QR code still works
    r = at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    assert (r.feedback.msg, r.session) == (Msg("ksk_locked", {"wait": minutes(5)}), None)
    r = at_kiosk(engine, "PVZQR:" + kiosk.QR[kiosk.LOCKED], keyed=False)
    assert r.session is not None
    r = door(engine, 15, DoorEvent.OPENED)
    r = door(engine, 15, DoorEvent.CLOSED_FULL)
    assert r.session is None
    clock.now = lock_end(store)
    at_kiosk(engine, WRONG[2], WRONG[3])
    r = at_kiosk(engine, WRONG[4])
    assert r.feedback.msg == Msg("ksk_locked_now", {"wait": minutes(10)})
    assert lock_alerts(store) == [(KIOSK, 300), (KIOSK, 600)]


def test_a_right_code_ends_the_run_but_not_the_lock_level(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, clock = site
    at_kiosk(engine, *WRONG[:3])  # lock 1: 5 minutes
    clock.now = lock_end(store)
    at_kiosk(engine, *WRONG[:2])
    r = at_kiosk(engine, kiosk.CODES[kiosk.SHELVED])  # the attacker's own real order
    assert r.session is not None
    at_kiosk(engine, Command.DONE, keyed=False)
    row = store.conn.execute("SELECT failures, locks FROM wrong_codes WHERE station = ?", (KIOSK,)).fetchone()
    assert tuple(row) == (0, 1)
    r = at_kiosk(engine, *WRONG[:3])
    assert r.feedback.msg == Msg("ksk_locked_now", {"wait": minutes(10)})  # not 5 again


def test_the_level_is_forgotten_after_quiet_hours_counted_from_the_end_of_the_lock(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    at_kiosk(engine, *WRONG[:3])
    clock.now = lock_end(store)
    at_kiosk(engine, *WRONG[:3])  # lock 2: 10 minutes
    end = lock_end(store)
    clock.now = end + timedelta(seconds=RULES.forget_after_s - 1)
    r = at_kiosk(engine, *WRONG[:3])
    assert r.feedback.msg == Msg("ksk_locked_now", {"wait": minutes(20)})
    clock.now = lock_end(store) + timedelta(seconds=RULES.forget_after_s)
    r = at_kiosk(engine, WRONG[0])
    assert r.feedback.details == (Msg("ksk_tries_left", {"count": 2}),)
    r = at_kiosk(engine, *WRONG[:2])
    assert r.feedback.msg == Msg("ksk_locked_now", {"wait": minutes(5)})


def test_the_lock_is_per_kiosk_survives_a_restart_and_never_locks_an_order(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    at_kiosk(engine, *(f"{kiosk.LOCKED}*{w}" for w in WRONG[:3]))
    restarted = new_engine(store, signed_in=(), policy=kiosk.POLICY, clock=clock)
    restarted.kinds.update({KIOSK: "kiosk", "k2": "kiosk"})
    r = restarted.handle(KIOSK, kiosk.CODES[kiosk.LOCKED], keyed=True)
    assert r.feedback.msg.key == "ksk_locked"
    r = restarted.handle("k2", kiosk.CODES[kiosk.LOCKED], keyed=True)  # the next kiosk opens the order
    assert r.session is not None and r.session.data.order == kiosk.LOCKED
    r = restarted.handle(COUNTER, kiosk.CODES[kiosk.SHELVED], keyed=True)  # and the counter
    assert r.feedback.level is Level.OK and r.feedback.msg.key == "iss_found"


def test_codes_are_never_kept_in_clear(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    at_kiosk(engine, *WRONG[:2], f"{kiosk.TWO}*{WRONG[5]}")
    at_kiosk(engine, kiosk.CODES[kiosk.SHELVED])
    text = json.dumps(dump(store), ensure_ascii=False, default=str)
    for code in (*WRONG, kiosk.CODES[kiosk.SHELVED]):
        assert code not in text


def attack(engine: Engine, store: Store, clock: Clock, seconds: int) -> list[datetime]:
    """An attacker at one kiosk: a new wrong code the moment the keypad takes one, for `seconds`."""
    guessed = []
    end = T0 + timedelta(seconds=seconds)
    n = 0
    while clock.now < end:
        n += 1
        r: Result = at_kiosk(engine, f"{900000 + n}")
        if r.feedback.msg.key == "ksk_locked":
            clock.now = lock_end(store)
            continue
        assert r.feedback.msg.key in ("ksk_wrong_code", "ksk_locked_now"), r.feedback.msg
        guessed.append(clock.now)
    return guessed


def test_guesses_an_attacker_gets_per_hour_per_kiosk(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, clock = site
    guessed = attack(engine, store, clock, 2 * DAY)
    first_hour = sum(1 for t in guessed if t < T0 + timedelta(seconds=HOUR))
    first_day = sum(1 for t in guessed if t < T0 + timedelta(seconds=DAY))
    second_day = len(guessed) - first_day
    assert first_hour == kiosk_guesses(HOUR, RULES) == 12  # runs of 3 at 0, 5, 15 and 35 minutes
    assert first_day == kiosk_guesses(DAY, RULES) == 27  # and at 75, 155, 315, 635, 1275 minutes
    # steady: every lock is at the 24-hour cap, so one run of 3 a day, 0.125 an hour
    assert second_day == kiosk_guesses(2 * DAY, RULES) - kiosk_guesses(DAY, RULES) == 3
    print(f"guesses per kiosk: first hour {first_hour}, first day {first_day}, then {second_day} a day")


def test_a_patient_attacker_who_waits_for_the_level_to_be_forgotten_gets_the_policys_steady_rate(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, clock = site
    rate, runs = kiosk_steady_rate(RULES)
    assert runs == 6 and round(rate, 3) == 0.615  # 18 guesses every 29 h 15 min
    guesses, seconds = kiosk_cycle(runs, RULES)
    n = 0
    start = clock.now
    for _ in range(3):  # three cycles: each starts from a forgotten level
        for run in range(runs):
            for _ in range(RULES.max_wrong_codes):
                n += 1
                r = at_kiosk(engine, f"{700000 + n}")
                assert r.feedback.msg.key in ("ksk_wrong_code", "ksk_locked_now")
            assert r.feedback.msg.key == "ksk_locked_now", run
            clock.now = lock_end(store)
        clock.now += timedelta(seconds=RULES.forget_after_s)
    assert n == 3 * guesses and (clock.now - start).total_seconds() == 3 * seconds
    print(f"patient attacker: {guesses} guesses every {seconds / 3600:.2f} h = {rate:.3f} an hour")
