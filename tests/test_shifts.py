"""Clerks sign in with a badge; every event names clerk and station; shifts open and close."""

from __future__ import annotations

import pytest

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import CLERK, CLERK2, dump, new_engine, scan
from workflows.inputs import Command
from workflows.outcome import Level


@pytest.fixture
def bare(store: Store) -> tuple[Store, Engine]:
    """The standard store with nobody signed in."""
    return store, new_engine(store, signed_in=())


@pytest.mark.parametrize(
    "code",
    ["BOX00000001", "11111111-0001-1", "C-A-01-1", Command.START_ISSUE, Command.SHIFT_CLOSE, "BADGE-9999"],
)
def test_with_nobody_signed_in_only_a_badge_works(bare: tuple[Store, Engine], code: str | Command) -> None:
    store, engine = bare
    before = dump(store)
    r = scan(engine, code)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "sign_in_first"
    assert dump(store) == before


def test_sign_in_opens_a_shift_and_every_event_names_clerk_and_station(bare: tuple[Store, Engine]) -> None:
    store, engine = bare
    r = scan(engine, CLERK)
    assert r.feedback.msg.key == "signed_in" and [d.key for d in r.feedback.details] == ["shift_opened"]
    assert engine.clerk("s1") == CLERK
    assert store.scalar("SELECT count(*) FROM shifts WHERE badge = ? AND closed_at IS NULL", (CLERK,)) == 1
    scan(engine, "BOX00000001", "11111111-0001-1")
    rows = store.conn.execute(
        "SELECT clerk, station FROM journal WHERE kind != 'manifest_imported'"
    ).fetchall()
    assert rows and all(tuple(r) == (CLERK, "s1") for r in rows)
    assert scan(engine, CLERK).feedback.msg.key == "session_open"  # a badge mid-acceptance


def test_a_second_badge_switches_the_clerk_and_opens_their_shift(bare: tuple[Store, Engine]) -> None:
    store, engine = bare
    scan(engine, CLERK)
    assert scan(engine, CLERK).feedback.msg.key == "already_signed_in"
    r = scan(engine, CLERK2)
    assert r.feedback.msg.key == "signed_in"
    assert engine.clerk("s1") == CLERK2
    assert store.scalar("SELECT count(*) FROM shifts WHERE closed_at IS NULL") == 2
    kinds = [
        r[0] for r in store.conn.execute("SELECT kind FROM journal WHERE kind LIKE 'sign%' ORDER BY seq")
    ]
    assert kinds == ["signed_in", "signed_out", "signed_in"]


def test_closing_the_shift_prints_a_report_and_signs_out(bare: tuple[Store, Engine]) -> None:
    store, engine = bare
    scan(engine, CLERK, "BOX00000001", Command.DONE, Command.DONE)
    r = scan(engine, Command.SHIFT_CLOSE)
    assert r.feedback.msg.key == "shift_closed"
    assert engine.clerk("s1") is None
    assert store.scalar("SELECT closed_at IS NOT NULL FROM shifts WHERE badge = ?", (CLERK,)) == 1
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'shift_report'") == 1
    assert scan(engine, "BOX00000001").feedback.msg.key == "sign_in_first"
    r = scan(engine, CLERK)
    assert [d.key for d in r.feedback.details] == ["shift_opened"]  # a new shift


def test_a_disabled_badge_is_refused(bare: tuple[Store, Engine]) -> None:
    store, engine = bare
    with store.transaction() as conn:
        conn.execute("UPDATE clerks SET active = 0 WHERE badge = ?", (CLERK2,))
    r = scan(engine, CLERK2)
    assert r.feedback.msg.key == "badge_inactive"
    assert engine.clerk("s1") is None


def test_the_signed_in_clerk_survives_a_restart(bare: tuple[Store, Engine]) -> None:
    store, engine = bare
    scan(engine, CLERK)
    assert new_engine(store, signed_in=()).clerk("s1") == CLERK
