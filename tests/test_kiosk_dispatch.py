"""A station's kind comes from config (`[[stations]] kind`, else the device's role) and the kiosk's
rules from [kiosk] and [doors]: the engine the daemon builds dispatches each station by its kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from device.config import parse_config
from device.exc import ConfigError
from device.wiring import policy, station_kinds
from tests.support import kiosk
from tests.support.config import PICKUP_KEY
from tests.support.factory import new_engine
from tests.support.kiosk import KIOSK, at_kiosk, kiosk_site
from workflows.context import KioskRules


def _config(role: str, extra: str = "") -> str:
    return (
        f'[device]\nid = "pvz-test-0001"\nsite = "test-site"\nrole = "{role}"\n'
        f'[security]\npickup_key = "{PICKUP_KEY}"\n'
        '[[stations]]\nname = "front"\nscanners = [{ backend = "stdin" }]\n'
        '[[stations]]\nname = "desk"\nkind = "counter"\nscanners = [{ backend = "stdin" }]\n'
        '[[stations]]\nname = "wall"\nkind = "kiosk"\nscanners = [{ backend = "stdin" }]\n'
        f"{extra}"
    )


@pytest.mark.parametrize(("role", "front"), [("counter", "counter"), ("kiosk", "kiosk"), ("hub", "counter")])
def test_a_stations_kind_is_its_own_else_the_devices_role(role: str, front: str) -> None:
    config = parse_config(_config(role), source="t")
    assert station_kinds(config) == {"front": front, "desk": "counter", "wall": "kiosk"}


def test_the_kiosk_rules_come_from_kiosk_and_doors() -> None:
    extra = (
        "[kiosk]\nmax_wrong_codes = 4\nlock_s = 60\nmax_lock_s = 600\nforget_after_h = 2.5\nidle_s = 45\n"
        '[doors]\nzone = "boxes"\ncommand_expiry_s = 7.5\n'
    )
    rules = policy(parse_config(_config("kiosk", extra), source="t")).kiosk
    assert rules == KioskRules(
        max_wrong_codes=4,
        lock_s=60,
        max_lock_s=600,
        forget_after_s=9000,
        idle_s=45.0,
        doors_zone="boxes",
        door_expiry_s=7.5,
    )


def test_a_lock_cap_shorter_than_the_lock_is_refused_by_name() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(_config("kiosk", "[kiosk]\nlock_s = 600\nmax_lock_s = 60\n"), source="t")
    assert err.value.path == "$.kiosk.max_lock_s"


def test_the_same_code_is_a_kiosk_collection_at_a_kiosk_and_an_issue_at_a_counter(tmp_path: Path) -> None:
    store, engine, clock = kiosk_site(tmp_path / "kiosk.db")
    code = kiosk.CODES[kiosk.SHELVED]
    assert at_kiosk(engine, code).feedback.msg.key == "ksk_found"
    other = new_engine(store, signed_in=(), policy=kiosk.POLICY, clock=clock)  # every station a counter
    r = other.handle("s9", code, keyed=True)
    assert r.feedback.msg.key == "sign_in_first"
    other.default_kind = "kiosk"  # a kiosk device: every station not named is a kiosk
    assert other.kind(KIOSK) == other.kind("s9") == "kiosk"
    r = other.handle("s9", code, keyed=True)
    assert r.feedback.msg.key == "ksk_order_busy"  # k1 holds the order: the kiosk s9 may not open it
