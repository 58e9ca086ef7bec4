"""Wrong pickup codes, limited per station: a pause after too many in a row, doubling to a cap.

Per station and never per order: a per-order limit would let a stranger lock a customer out
of their own order. The counter lives in the store (`wrong_codes`), so a restart keeps it.
At a counter a right code clears it. At a kiosk nobody watches the keypad, so a right code
ends only the run: the lock level stays until quiet hours pass, or an attacker holding one
real order could clear the level with it between runs of guesses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.context import KioskRules, Policy
from workflows.views import WrongCodesView

_MAX_DOUBLINGS = 30  # far beyond any cap; keeps the arithmetic small for an endless attack


def pause_left(seen: WrongCodesView, now: datetime) -> int:
    """Whole seconds the station still refuses codes; 0 when it takes them.

    A clock stepped back to before the pause began cannot say how much of it is left: the
    pause is taken as over, and the run of failures stays, so the next wrong code pauses again
    for longer.
    """
    if seen.paused_at is None or seen.pause_s <= 0 or now < seen.paused_at:
        return 0
    left = (seen.paused_at + timedelta(seconds=seen.pause_s) - now).total_seconds()
    return max(0, math.ceil(left))


def pause_after(failures: int, policy: Policy) -> int:
    """The pause a run of `failures` wrong codes earns: none below the limit, then 30 s, 60 s, … to the cap."""
    over = failures - policy.max_wrong_codes
    if over < 0:
        return 0
    pause: int = policy.pause_s << min(over, _MAX_DOUBLINGS)
    return min(pause, policy.max_pause_s)


def tries_left(failures: int, policy: Policy) -> int:
    """Wrong codes the station still takes before its first pause."""
    return max(0, policy.max_wrong_codes - failures)


@dataclass(frozen=True, slots=True)
class KioskCount:
    """A kiosk's run of wrong codes toward the next lock and how many locks it has had."""

    failures: int = 0
    locks: int = 0


def kiosk_count(seen: WrongCodesView, now: datetime, rules: KioskRules) -> KioskCount:
    """The kiosk's count as it stands now: forgotten after `forget_after_s` quiet seconds.

    Quiet counts from the last wrong code or the end of the last lock, whichever is later, so
    that sitting out a long lock does not also forget the level it earned.
    """
    if seen.last_at is None:
        return KioskCount(seen.failures, seen.locks)
    quiet_from = seen.last_at
    if seen.paused_at is not None:
        quiet_from = max(quiet_from, seen.paused_at + timedelta(seconds=seen.pause_s))
    if (now - quiet_from).total_seconds() >= rules.forget_after_s:
        return KioskCount()
    return KioskCount(seen.failures, seen.locks)


def kiosk_lock(locks: int, rules: KioskRules) -> int:
    """How long the kiosk's next lock lasts after `locks` locks: lock_s, doubling, to the cap."""
    lock: int = rules.lock_s << min(locks, _MAX_DOUBLINGS)
    return min(lock, rules.max_lock_s)


def kiosk_wrong(count: KioskCount, rules: KioskRules) -> tuple[KioskCount, int]:
    """One more wrong code: the new count and the lock it starts now (0: none). A lock ends the run."""
    failures = count.failures + 1
    if failures < rules.max_wrong_codes:
        return KioskCount(failures, count.locks), 0
    return KioskCount(0, count.locks + 1), kiosk_lock(count.locks, rules)


def kiosk_tries_left(count: KioskCount, rules: KioskRules) -> int:
    return max(0, rules.max_wrong_codes - count.failures)


def kiosk_guesses(seconds: float, rules: KioskRules) -> int:
    """The most wrong codes one kiosk takes within `seconds` from a fresh start: an attacker who
    types each run the moment the keypad unlocks (the run typed at once, in no time)."""
    guesses = 0
    t = 0.0
    locks = 0
    while t < seconds:
        guesses += rules.max_wrong_codes
        t += kiosk_lock(locks, rules)
        locks += 1
    return guesses


def kiosk_cycle(runs: int, rules: KioskRules) -> tuple[int, int]:
    """A patient attacker's cycle: `runs` runs typed the moment the keypad unlocks, then the last
    lock and the quiet hours sat out so that the level is forgotten. (guesses, seconds) per cycle."""
    locked = sum(kiosk_lock(i, rules) for i in range(runs))
    return runs * rules.max_wrong_codes, locked + rules.forget_after_s


def kiosk_steady_rate(rules: KioskRules) -> tuple[float, int]:
    """The most guesses an hour one kiosk gives over the long run, and the runs per cycle that get
    them (0: typing on at the capped lock beats waiting for the level to be forgotten)."""
    best = (rules.max_wrong_codes * 3600 / rules.max_lock_s, 0)
    for runs in range(1, _MAX_DOUBLINGS + 1):
        guesses, seconds = kiosk_cycle(runs, rules)
        best = max(best, (guesses * 3600 / seconds, runs))
    return best
