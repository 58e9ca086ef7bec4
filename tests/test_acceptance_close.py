"""Closing a supply with parcels missing asks first; late parcels and boxes are accepted; live counts."""

from __future__ import annotations

import json

from device.engine import Engine
from device.store.db import Store
from tests.support.factory import M, P, dump, load, scan, state
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level

BOX = "BOX00000001"
IN_BOX = ("11111111-0001-1", "22222222-0001-1", "22222222-0002-1")
LOOSE = ("33333333-0001-1", "44444444-0001-1")


def counted(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """The rows a question must not change (the session row does: it waits for the answer)."""
    return {t: rows for t, rows in dump(store).items() if t not in ("sessions",)}


def progress(msg: Msg) -> Msg:
    found = msg.params["progress"]
    assert isinstance(found, Msg)
    return found


def test_done_with_parcels_missing_asks_and_done_again_closes(engine: Engine, store: Store) -> None:
    scan(engine, BOX, *IN_BOX[:2])
    before = counted(store)
    r = scan(engine, Command.DONE)
    assert r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg("acc_confirm_close", {"missing": 3, "total": 5})
    assert [d.params["parcel"] for d in r.feedback.details] == ["22222222-0002-1", *LOOSE]
    assert r.session is not None and r.session.state.value == "confirm_close"
    assert counted(store) == before  # nothing is closed or marked missing by the question
    assert r.feedback.msg.render("ru") == (
        "Не поступило 3 отправления из 5. Найдите и отсканируйте их, или ещё раз «Готово» — "
        "закрыть поставку с недостачей"
    )

    r = scan(engine, Command.DONE)
    assert r.session is None
    assert r.feedback.msg == Msg("acc_closed", {"supply": "S1", "done": 2, "total": 5, "missing": 3})
    assert {state(store, b)[0] for b in ("22222222-0002-1", *LOOSE)} == {"missing"}
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "closed"
    assert store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'acceptance_act'") == 1


def test_done_with_nothing_missing_closes_at_once(engine: Engine, store: Store) -> None:
    r = scan(engine, BOX, *IN_BOX, *LOOSE, Command.DONE)
    assert r.session is None and r.feedback.level is Level.OK
    assert r.feedback.msg == Msg("acc_closed", {"supply": "S1", "done": 5, "total": 5, "missing": 0})


def test_while_asked_a_found_parcel_is_accepted_and_cancel_keeps_the_supply_open(
    engine: Engine, store: Store
) -> None:
    scan(engine, BOX, *IN_BOX, Command.DONE)
    r = scan(engine, LOOSE[0])  # found it under the counter
    assert r.feedback.msg.key == "acc_parcel_accepted"
    assert r.session is not None and r.session.state.value == "scanning"
    assert state(store, LOOSE[0]) == ("accepted", None)
    r = scan(engine, Command.DONE)
    assert r.feedback.msg.params == {"missing": 1, "total": 5}
    assert r.feedback.msg.render("ru").startswith("Не поступило 1 отправление из 5.")
    assert r.feedback.msg.render("en").startswith("1 parcel of 5 not scanned.")
    r = scan(engine, Command.CANCEL)
    assert r.session is not None and r.session.state.value == "scanning"
    assert r.feedback.msg.key == "acc_close_kept_open"
    assert progress(r.feedback.msg).params == {"supply": "S1", "done": 4, "total": 5}
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "accepting"


def test_a_late_parcel_of_a_closed_supply_is_accepted_at_an_idle_station_and_then_placed(
    engine: Engine, store: Store
) -> None:
    scan(engine, BOX, *IN_BOX, LOOSE[0], Command.DONE, Command.DONE)
    assert state(store, LOOSE[1]) == ("missing", None)

    r = scan(engine, LOOSE[1])  # the courier brings it the next day
    assert r.session is None and r.feedback.level is Level.WARN
    assert r.feedback.msg.key == "acc_parcel_late" and r.feedback.msg.params["supply"] == "S1"
    assert progress(r.feedback.msg).params == {"supply": "S1", "done": 5, "total": 5}
    assert state(store, LOOSE[1]) == ("accepted", None)
    event = store.conn.execute(
        "SELECT kind, from_state, to_state, data FROM journal WHERE parcel = ? ORDER BY seq DESC", (LOOSE[1],)
    ).fetchone()
    assert tuple(event)[:3] == ("accepted_late", "missing", "accepted")
    assert json.loads(event["data"]) == {"supply": "S1"}
    assert store.scalar("SELECT status FROM supplies WHERE id = 'S1'") == "closed"  # the act stays as signed

    r = scan(engine, LOOSE[1])  # never stuck: the next scan places it
    assert r.session is not None and r.session.workflow.name == "placement"
    assert r.feedback.msg.key == "pl_suggest"


def test_a_late_parcel_scanned_after_start_acceptance_is_accepted_too(engine: Engine, store: Store) -> None:
    scan(engine, BOX, *IN_BOX, LOOSE[0], Command.DONE, Command.DONE)
    r = scan(engine, Command.START_ACCEPTANCE, LOOSE[1])
    assert r.session is None and r.feedback.msg.key == "acc_parcel_late"
    assert state(store, LOOSE[1]) == ("accepted", None)
    # the closed supply itself cannot be reopened, and the refusal says what to do instead
    r = scan(engine, Command.START_ACCEPTANCE, "S1")
    assert r.feedback.msg == Msg("acc_supply_closed", {"supply": "S1", "done": 5, "total": 5})


def test_a_late_box_is_accepted_and_its_parcels_follow_one_scan_each(engine: Engine, store: Store) -> None:
    scan(engine, Command.START_ACCEPTANCE, "S1", *LOOSE, Command.DONE, Command.DONE)
    assert store.scalar("SELECT state FROM packages WHERE barcode = ?", (BOX,)) == "missing"
    r = scan(engine, BOX)
    assert r.session is None and r.feedback.msg.key == "acc_package_late"
    assert store.scalar("SELECT state FROM packages WHERE barcode = ?", (BOX,)) == "accepted"
    event = store.conn.execute(
        "SELECT from_state, to_state FROM journal WHERE kind = 'package_accepted'"
    ).fetchone()
    assert tuple(event) == ("missing", "accepted")
    for n, parcel in enumerate(IN_BOX, start=1):
        r = scan(engine, parcel)
        assert r.feedback.msg.key == "acc_parcel_late"
        assert progress(r.feedback.msg).params == {
            "supply": "S1",
            "done": 2 + n,
            "total": 5,
            "package": BOX,
            "box_done": n,
            "box_total": 3,
        }
    assert store.scalar("SELECT count(*) FROM parcels WHERE state = 'missing'") == 0


def test_a_late_box_during_another_supplys_acceptance_is_accepted_and_scanning_goes_on(
    engine: Engine, store: Store
) -> None:
    load(store, M("S2", [P("55555555-0001-1", "55555555")]))
    scan(engine, Command.START_ACCEPTANCE, "S1", *LOOSE, Command.DONE, Command.DONE)
    scan(engine, "S2")
    r = scan(engine, BOX)
    assert r.feedback.msg == Msg("acc_package_late", {"package": BOX, "supply": "S1"})
    assert r.session is not None and r.session.data.supply == "S2"
    assert store.scalar("SELECT state FROM packages WHERE barcode = ?", (BOX,)) == "accepted"
    assert scan(engine, IN_BOX[0]).feedback.msg.key == "acc_parcel_late"


def test_every_accepted_parcel_shows_the_count_of_its_supply_and_its_box(
    engine: Engine, store: Store
) -> None:
    r = scan(engine, Command.START_ACCEPTANCE, "S1")
    assert r.feedback.msg.params == {"supply": "S1", "carrier": "Test Carrier", "total": 5, "done": 0}
    assert "ожидается 5 отправлений, принято 0" in r.feedback.msg.render("ru")
    r = scan(engine, IN_BOX[0])
    assert progress(r.feedback.msg).render("ru") == "поставка S1: 1 из 5; коробка BOX00000001: 1 из 3"
    assert progress(r.feedback.msg).render("en") == "supply S1: 1 of 5; box BOX00000001: 1 of 3"
    r = scan(engine, IN_BOX[1])
    assert progress(r.feedback.msg).params["box_done"] == 2
    r = scan(engine, LOOSE[0])
    assert progress(r.feedback.msg) == Msg("acc_progress", {"supply": "S1", "done": 3, "total": 5})
    r = scan(engine, Command.CANCEL)
    assert r.feedback.msg == Msg("acc_paused", {"supply": "S1", "done": 3, "total": 5})
    r = scan(engine, BOX)  # resumes; the box was already taken in by its first parcel
    assert r.feedback.msg.key == "duplicate_scan"


def test_the_words_agree_with_the_numbers() -> None:
    forms = {1: "1 отправление", 2: "2 отправления", 5: "5 отправлений", 21: "21 отправление"}
    for total, words in forms.items():
        opened = Msg("acc_opened", {"supply": "S", "carrier": "C", "total": total, "done": 0})
        assert f"ожидается {words}," in opened.render("ru")
    assert "1 parcel expected" in Msg(
        "acc_opened", {"supply": "S", "carrier": "C", "total": 1, "done": 0}
    ).render("en")


def test_a_box_nobody_scanned_is_taken_in_by_its_parcels_and_not_reported_missing(
    engine: Engine, store: Store
) -> None:
    r = scan(engine, *IN_BOX, *LOOSE, Command.DONE)  # the first parcel opens the supply
    assert r.feedback.msg.key == "acc_closed" and r.feedback.msg.params["missing"] == 0
    assert store.scalar("SELECT state FROM packages WHERE barcode = ?", (BOX,)) == "accepted"
    event = store.conn.execute(
        "SELECT from_state, to_state FROM journal WHERE kind = 'package_accepted'"
    ).fetchone()
    assert tuple(event) == ("expected", "accepted")
    act = store.scalar("SELECT document FROM print_jobs WHERE kind = 'acceptance_act'")
    assert "Упаковки: принято 1 из 1" in act
