"""What a kiosk's customer reads: every feedback of a kiosk day, in both languages, holds no
identifier from the code (states, reasons, journal names, commands), as tests/test_no_identifiers.py
checks the counter's day."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.engine import Result
from tests.support import kiosk
from tests.support.kiosk import KIOSK, at_kiosk, door, kiosk_site, tick
from tests.support.seen import Seen
from tests.test_no_identifiers import code_names, found_leaks, stored_names
from workflows.inputs import Command, DoorEvent, DoorReport

E = DoorEvent


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_kiosk_day_shows_no_identifier(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "kiosk.db"
    store, engine, clock = kiosk_site(path)
    seen = Seen(lang)
    results: list[Result] = []
    codes = kiosk.CODES

    def say(*rs: Result) -> None:
        results.extend(rs)

    say(at_kiosk(engine, "hello", keyed=False), at_kiosk(engine, kiosk.LOCKED), at_kiosk(engine, "PVZQR:x"))
    say(
        at_kiosk(engine, "1"),
        at_kiosk(engine, "123456"),
        at_kiosk(engine, "1234567"),
        at_kiosk(engine, "1111"),
    )
    clock.tick(kiosk.RULES.lock_s)
    for order in (kiosk.COD, kiosk.ADULT, kiosk.DAMAGED, kiosk.SHARED_A):
        say(at_kiosk(engine, codes[order]))
    say(at_kiosk(engine, Command.START_ISSUE, keyed=False), at_kiosk(engine, "BADGE-0001", keyed=False))
    say(at_kiosk(engine, codes[kiosk.MIXED]), door(engine, 14, E.NOT_VERIFIED))
    say(at_kiosk(engine, Command.REOPEN, keyed=False), door(engine, 14, E.NOT_VERIFIED))
    say(at_kiosk(engine, Command.REOPEN, keyed=False), at_kiosk(engine, "50000002-0001-1", keyed=False))
    say(at_kiosk(engine, codes[kiosk.LOCKED]), at_kiosk(engine, "L-14", keyed=False))
    say(at_kiosk(engine, "50000001-0002-1", keyed=False), at_kiosk(engine, "50000001-0002-1", keyed=False))
    clock.tick(kiosk.RULES.idle_s)
    say(tick(engine))
    say(at_kiosk(engine, codes[kiosk.LOCKED]), door(engine, 15, E.OPENED), door(engine, 15, E.LEFT_OPEN))
    say(at_kiosk(engine, Command.DONE, keyed=False), door(engine, 15, E.CLOSED_FULL))
    say(at_kiosk(engine, codes[kiosk.TWO]), door(engine, 18, E.ALREADY_OPEN), door(engine, 18, E.CLOSED))
    say(at_kiosk(engine, codes[kiosk.LOCKED]), door(engine, 15, E.JAMMED))
    say(engine.handle_event(KIOSK, DoorReport(16, "L-16", E.OPENED_UNASKED)))
    for r in results:
        seen.result(r)
    store.close()
    keys = {msg.key for _, _, msg in seen.feedback}
    assert {"ksk_to_counter", "ksk_locked_now", "ksk_door_unverified_again", "ksk_done"} <= keys
    bad = found_leaks(seen, code_names() | stored_names(path))
    assert not bad, bad
