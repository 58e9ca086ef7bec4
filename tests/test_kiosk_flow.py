"""A customer at the kiosk: a code or QR finds the order, its doors are commanded and its shelf cells
lit, the doors' reports and the customer's scans issue it, and a receipt ends it. Refusals say what
to do instead, and nothing opens."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from device.engine import Engine
from device.intake.order_updates import CancelOrder, cancel_order
from device.store.db import Store
from device.store.journal import Stamp
from tests.support import kiosk
from tests.support.factory import CLERK, DEVICE, T0, state
from tests.support.kiosk import COUNTER, KIOSK, WHERE, Clock, at_kiosk, door, kiosk_site
from workflows.inputs import Command, DoorEvent
from workflows.kiosk_model import DoorStep, State
from workflows.messages import Msg
from workflows.outcome import Level, Light


@pytest.fixture
def site(tmp_path: Path) -> tuple[Store, Engine, Clock]:
    return kiosk_site(tmp_path / "kiosk.db")


def commands(store: Store) -> list[tuple[str, str, int, str, str, str]]:
    rows = store.conn.execute(
        "SELECT station, cell, door, order_id, purpose, expires_at FROM door_commands WHERE station = ? ORDER BY id",
        (KIOSK,),
    )
    return [tuple(r) for r in rows]


def journal(store: Store, kind: str) -> list[dict[str, object]]:
    rows = store.conn.execute(
        "SELECT data FROM journal WHERE kind = ? AND station = ? ORDER BY seq", (kind, KIOSK)
    )
    return [json.loads(r[0]) for r in rows]


def test_a_mixed_order_opens_its_door_lights_its_shelf_cell_and_is_issued_with_a_receipt(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    r = at_kiosk(engine, kiosk.CODES[kiosk.MIXED])
    assert r.feedback.level is Level.OK
    assert r.feedback.msg == Msg("ksk_found", {"customer": "Иван П.", "count": 2})
    assert r.feedback.details == (
        Msg("ksk_door_opening", {"door": "14"}),
        Msg("ksk_take_shelf", {"count": 1, "cell": "S-01"}),
    )
    assert r.session is not None and r.session.state is State.OPENING
    assert dict(r.session.lights) == {"S-01": Light.TAKE}
    assert [(d.cell, d.door, d.step) for d in r.session.data.doors] == [
        ("L-14", 14, DoorStep.COMMANDED),
        ("S-01", None, DoorStep.LIT),
    ]
    expires = (T0 + timedelta(seconds=kiosk.RULES.door_expiry_s)).isoformat()
    assert commands(store) == [(KIOSK, "L-14", 14, kiosk.MIXED, "issue", expires)]
    assert journal(store, "kiosk_released") == [
        {"order": kiosk.MIXED, "proof": "code", "doors": [14], "cells": ["S-01"]}
    ]

    r = door(engine, 14, DoorEvent.OPENED)
    assert r.feedback.msg == Msg("ksk_take_door", {"door": "14"})
    assert r.feedback.msg.render("en") == "Take your parcels from door 14, then close it"
    assert r.session is not None and r.session.state is State.TAKING

    r = at_kiosk(engine, "50000001-0002-1", keyed=False)
    assert r.feedback.msg == Msg("ksk_scanned", {"left": 1})
    assert state(store, "50000001-0002-1") == ("issued", None)
    assert r.session is not None and dict(r.session.lights) == {}

    r = door(engine, 14, DoorEvent.CLOSED_EMPTY)
    assert r.session is None and r.feedback.level is Level.OK
    assert r.feedback.msg == Msg("ksk_done", {"count": 2})
    assert state(store, "50000001-0001-1") == ("issued", None)
    assert len(r.jobs) == 1
    kind = store.conn.execute("SELECT kind FROM print_jobs WHERE id = ?", (r.jobs[0],)).fetchone()[0]
    assert kind == "receipt"
    issued = store.conn.execute(
        "SELECT clerk, data FROM journal WHERE kind = 'issued' AND station = ?", (KIOSK,)
    )
    assert [(c, json.loads(d)["proof"]) for c, d in issued] == [(None, "code"), (None, "code")]
    # every event of the kiosk names the station and no clerk
    clerks = {r[0] for r in store.conn.execute("SELECT clerk FROM journal WHERE station = ?", (KIOSK,))}
    assert clerks == {None}
    assert journal(store, "issue_completed")[0]["taken"] == ["50000001-0002-1", "50000001-0001-1"]


def test_a_qr_code_releases_the_order_and_is_not_counted(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    r = at_kiosk(engine, "PVZQR:nobody-has-this", keyed=False)
    assert r.feedback.msg.key == "ksk_qr_unknown" and r.session is None
    r = at_kiosk(engine, "PVZQR:" + kiosk.QR[kiosk.LOCKED], keyed=False)
    assert r.session is not None and r.session.data.proof == "qr"
    assert store.conn.execute("SELECT count(*) FROM wrong_codes").fetchone()[0] == 0


def test_a_dictated_order_and_code_releases_the_order(site: tuple[Store, Engine, Clock]) -> None:
    _, engine, _ = site
    r = at_kiosk(engine, f"{kiosk.LOCKED}*{kiosk.CODES[kiosk.LOCKED]}")
    assert r.session is not None and r.session.data.order == kiosk.LOCKED


def test_an_order_number_alone_shows_nothing_and_counts_as_a_guess(site: tuple[Store, Engine, Clock]) -> None:
    store, engine, _ = site
    r = at_kiosk(engine, kiosk.LOCKED)
    assert (r.feedback.level, r.feedback.msg.key, r.session) == (Level.ERROR, "ksk_number_not_enough", None)
    assert r.feedback.details == (Msg("ksk_tries_left", {"count": 2}),)
    assert commands(store) == []
    assert (
        store.conn.execute("SELECT failures FROM wrong_codes WHERE station = ?", (KIOSK,)).fetchone()[0] == 1
    )


@pytest.mark.parametrize("code", ["hello kiosk", "50000002-0001-1", "L-14", "14"])
def test_anything_else_says_what_to_do_and_is_not_counted(
    site: tuple[Store, Engine, Clock], code: str
) -> None:
    store, engine, _ = site
    r = at_kiosk(engine, code, keyed=False)
    assert r.feedback.msg.key == "ksk_unknown_code" and r.session is None
    assert "QR" in r.feedback.msg.render("en")
    assert store.conn.execute("SELECT count(*) FROM wrong_codes").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("order", "reasons", "details"),
    [
        (kiosk.COD, ["cash_on_delivery"], (Msg("ksk_why_cod", {"amount": 10_000}),)),
        (kiosk.ADULT, ["age_restricted"], (Msg("ksk_why_age"),)),
        (kiosk.DAMAGED, ["damaged"], (Msg("ksk_why_damaged"),)),
        (kiosk.SHARED_A, ["shared_door"], (Msg("ksk_why_shared"),)),
        (kiosk.SHARED_B, ["shared_door"], (Msg("ksk_why_shared"),)),
    ],
)
def test_an_order_the_kiosk_may_not_issue_goes_to_the_counter_and_nothing_opens(
    site: tuple[Store, Engine, Clock], order: str, reasons: list[str], details: tuple[Msg, ...]
) -> None:
    store, engine, _ = site
    before = {b: state(store, b) for b in WHERE}
    r = at_kiosk(engine, kiosk.CODES[order])
    assert (r.feedback.level, r.feedback.msg.key, r.session) == (Level.ERROR, "ksk_to_counter", None)
    assert r.feedback.details == details
    assert commands(store) == [] and {b: state(store, b) for b in WHERE} == before
    assert journal(store, "kiosk_to_counter") == [{"order": order, "proof": "code", "reasons": reasons}]
    assert "counter" in r.feedback.msg.render("en")


def test_a_cancelled_order_and_one_open_at_the_counter_are_refused_in_words(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    with store.transaction() as conn:
        cancel_order(conn, CancelOrder(kiosk.TWO), T0.isoformat(), Stamp(DEVICE, T0.isoformat()))
    r = at_kiosk(engine, kiosk.CODES[kiosk.TWO])
    assert (r.feedback.msg.key, r.session) == ("ksk_order_cancelled", None)
    r = engine.handle(COUNTER, kiosk.CODES[kiosk.LOCKED], keyed=True)
    assert r.session is not None and r.session.workflow.name == "issue"
    r = at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    assert (r.feedback.msg.key, r.session) == ("ksk_order_busy", None)
    assert commands(store) == []


def test_a_badge_or_a_counter_command_at_the_kiosk_sends_the_person_to_the_counter(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    r = at_kiosk(engine, CLERK, keyed=False)
    assert (r.feedback.level, r.feedback.msg.key) == (Level.ERROR, "ksk_staff_to_counter")
    assert (
        store.conn.execute("SELECT count(*) FROM station_clerks WHERE station = ?", (KIOSK,)).fetchone()[0]
        == 0
    )
    r = at_kiosk(engine, Command.START_ISSUE, keyed=False)
    assert r.feedback.msg == Msg("ksk_command_to_counter", {"command": Msg("cmd_START_ISSUE")})
    assert r.feedback.msg.render("en") == (
        "Start issue does not work here: this is a self-service kiosk, please go to the counter"
    )
    # during a collection too: the session stays the customer's
    at_kiosk(engine, kiosk.CODES[kiosk.SHELVED])
    r = at_kiosk(engine, CLERK, keyed=False)
    assert r.feedback.msg.key == "ksk_staff_to_counter" and r.session is not None


def test_a_shelf_order_is_issued_parcel_by_parcel_and_done_leaves_the_rest_the_customers(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    r = at_kiosk(engine, kiosk.CODES[kiosk.SHELVED])
    assert r.session is not None and r.session.state is State.TAKING and commands(store) == []
    r = at_kiosk(engine, "50000002-0001-1", keyed=False)
    assert r.feedback.msg.key == "ksk_not_yours"
    r = at_kiosk(engine, "50000009-0002-1", keyed=False)
    assert r.feedback.msg == Msg("ksk_scanned", {"left": 1})
    r = at_kiosk(engine, "50000009-0002-1", keyed=False)
    assert r.feedback.msg.key == "ksk_already_scanned"
    r = at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    assert r.feedback.msg.key == "ksk_busy"
    r = at_kiosk(engine, Command.DONE, keyed=False)
    assert r.session is None and r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("ksk_done", {"count": 1})
    assert r.feedback.details == (Msg("ksk_left", {"left": 1}),)
    assert state(store, "50000009-0001-1") == ("stored", "S-01")
    assert state(store, "50000009-0002-1") == ("issued", None)
    # the rest is still the customer's: the same code opens it again
    r = at_kiosk(engine, kiosk.CODES[kiosk.SHELVED])
    assert r.session is not None and r.session.data.parcels == ("50000009-0001-1",)


def test_kiosk_words_exist_in_both_languages_and_name_the_door_by_its_label(
    site: tuple[Store, Engine, Clock],
) -> None:
    _, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    r = door(engine, 15, DoorEvent.OPENED)
    assert r.feedback.msg.render("ru") == "Заберите отправления из дверцы 15 и закройте её"
    assert r.feedback.msg.render("en") == "Take your parcels from door 15, then close it"


def test_the_code_of_an_order_already_collected_is_no_guess_and_opens_nothing(
    site: tuple[Store, Engine, Clock],
) -> None:
    store, engine, _ = site
    at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    door(engine, 15, DoorEvent.OPENED)
    door(engine, 15, DoorEvent.CLOSED_EMPTY)
    r = at_kiosk(engine, kiosk.CODES[kiosk.LOCKED])
    assert (r.feedback.msg.key, r.session) == ("ksk_nothing_here", None)
    assert store.conn.execute("SELECT count(*) FROM wrong_codes").fetchone()[0] == 0
    assert len(commands(store)) == 1
