"""What acceptance says about parcels that are not for it, and that every refusal says what to do next."""

from __future__ import annotations

import json
import re
from pathlib import Path

from device.engine import Engine
from device.intake.deadlines import sweep
from device.intake.updates import apply_updates, decode_updates
from device.store.db import Store
from device.store.journal import Stamp
from tests.support.factory import DEVICE, T0, M, P, dump, load, scan, state
from tests.support.stock import TODAY, device_stamp, half_day
from workflows.inputs import Command
from workflows.messages import Msg, return_reason_name
from workflows.outcome import Level

# A next step a clerk can take, in each language: scan, put, place, set aside, start, tell, DONE/CANCEL.
NEXT_RU = re.compile(
    r"сканируйте|нажмите|отложите|положите|верните|разместите|оформите|сообщите|«Отмена»|«Готово»", re.I
)
NEXT_EN = re.compile(r"\b(scan|put|place|set it aside|start|tell|CANCEL|DONE)\b", re.I)


def test_a_stored_parcel_at_another_supplys_acceptance_says_where_it_belongs(
    deadline_day: tuple[Store, Engine],
) -> None:
    store, engine = deadline_day  # 22222222-0002-1 is stored in A-03-1; supply S2 is expected
    scan(engine, "S2")
    before = dump(store)
    r = scan(engine, "22222222-0002-1")
    assert r.feedback.level is Level.WARN
    assert r.feedback.msg == Msg(
        "acc_parcel_stored", {"parcel": "22222222-0002-1", "cell": "A-03-1", "order": "22222222"}
    )
    assert r.feedback.msg.render("ru") == (
        "22222222-0002-1 уже на хранении в ячейке A-03-1 (заказ 22222222), в эту поставку оно не входит: "
        "верните его в ячейку A-03-1"
    )
    assert "Повторный скан" not in r.feedback.msg.render("ru")
    assert dump(store) == before
    assert r.session is not None and r.session.state.value == "scanning"


def test_parcels_in_every_other_state_are_named_for_what_they_are(deadline_day: tuple[Store, Engine]) -> None:
    store, engine = deadline_day
    sweep(store, today=TODAY, stamp=device_stamp())  # 33333333-0001-1 due back, still in A-02-1
    scan(engine, "S2")
    before = dump(store)
    issued = scan(engine, "11111111-0001-1").feedback.msg
    assert issued == Msg("acc_parcel_issued", {"parcel": "11111111-0001-1", "order": "11111111"})
    waiting = scan(engine, "22222222-0001-1").feedback.msg  # swept too: due back, never placed
    assert waiting == Msg(
        "acc_parcel_to_return", {"parcel": "22222222-0001-1", "reason": return_reason_name("deadline")}
    )
    due = scan(engine, "33333333-0001-1").feedback.msg
    assert due == Msg(
        "acc_parcel_to_return_cell",
        {"parcel": "33333333-0001-1", "reason": return_reason_name("deadline"), "cell": "A-02-1"},
    )
    assert "истёк срок хранения" in due.render("ru") and "deadline" not in due.render("ru")
    assert dump(store) == before


def test_a_parcel_accepted_with_another_supply_and_not_placed_is_put_with_the_parcels_to_place(
    engine: Engine, store: Store
) -> None:
    load(store, M("S2", [P("55555555-0001-1", "55555555")]))
    scan(engine, "BOX00000001", "11111111-0001-1", Command.CANCEL)
    scan(engine, "S2")
    r = scan(engine, "11111111-0001-1")
    assert r.feedback.msg == Msg("acc_accepted_earlier", {"parcel": "11111111-0001-1", "supply": "S1"})
    # the same after START, before a supply is chosen
    r = scan(engine, Command.CANCEL, Command.START_ACCEPTANCE, "11111111-0001-1")
    assert r.feedback.msg.key == "acc_accepted_earlier"
    assert r.session is not None and r.session.state.value == "choose_supply"
    # within its own supply a second scan is a true duplicate
    scan(engine, Command.CANCEL, "22222222-0001-1")
    assert scan(engine, "11111111-0001-1").feedback.msg.key == "duplicate_scan"


def test_codes_that_are_not_parcels_are_never_made_surplus(engine: Engine, store: Store) -> None:
    load(store, M("SUP-2026-000124", [P("55555555-0001-1", "55555555")]))
    scan(engine, "BOX00000001")
    before = dump(store)
    assert scan(engine, "11111111").feedback.msg == Msg("acc_order_not_parcel", {"code": "11111111"})
    other = scan(engine, "SUP-2026-000124").feedback.msg  # shaped like a label, but a supply
    assert other == Msg("acc_other_supply", {"supply": "S1", "other": "SUP-2026-000124"})
    same = scan(engine, "S1").feedback
    assert (same.level, same.msg.key) == (Level.WARN, "acc_same_supply")
    assert dump(store) == before


def refusals(engine: Engine, store: Store) -> list[Msg]:
    """Drive acceptance into every refusal and warning it has; return what the clerk was told."""
    load(store, M("S2", [P("55555555-0001-1", "55555555", package="BOX00000002")], packages=["BOX00000002"]))
    cancel = {"version": 1, "updates": [{"type": "cancel_order", "order": "33333333"}]}
    apply_updates(store, decode_updates(json.dumps(cancel).encode()), stamp=Stamp(DEVICE, T0.isoformat()))
    told: list[Msg] = []

    def say(*codes: str | Command) -> None:
        told.append(scan(engine, *codes).feedback.msg)

    say(Command.START_ACCEPTANCE)
    say("NOPE-12345678")  # no such supply
    say(Command.DAMAGED)  # a command the chooser has no use for
    say("BOX00000001")
    say("BOX00000002")  # a package of another supply
    say(Command.DAMAGED)
    say(Command.PAID)  # while a damaged parcel is awaited
    say("BOX00000001")  # a package where a damaged parcel is awaited
    say(Command.CANCEL)
    say("C-A-01-1")  # a cell
    say("S2")  # another supply
    say("55555555")  # an order number
    say("hello world")  # not a label
    say(Command.REFUSE_ITEM)  # an issue command
    say("77777777-0001-1")  # a surplus
    say("33333333-0001-1")  # a cancelled order's parcel
    say("C-A-01-2")  # not a returns cell
    say(Command.DONE)  # parcels missing
    say(Command.DONE)
    say(Command.START_ACCEPTANCE, "S1")  # the closed supply
    return told


def test_every_refusal_and_warning_in_acceptance_says_what_to_do_next(engine: Engine, store: Store) -> None:
    told = refusals(engine, store)
    keys = {m.key for m in told}
    assert keys >= {
        "acc_no_supply_for_code",
        "acc_command_choose",
        "acc_package_other_supply",
        "acc_command_damaged",
        "acc_damaged_needs_parcel",
        "acc_cell_not_now",
        "acc_other_supply",
        "acc_order_not_parcel",
        "acc_not_a_label",
        "acc_command_scanning",
        "acc_surplus",
        "acc_cancelled_to_cell",
        "acc_set_aside_not_returns",
        "acc_confirm_close",
        "acc_supply_closed",
    }
    quiet = {"acc_choose_supply", "acc_package_accepted", "cancelled", "acc_damaged_next", "acc_closed"}
    for msg in told:
        if msg.key in quiet:
            continue
        assert NEXT_RU.search(msg.render("ru")), msg.render("ru")
        assert NEXT_EN.search(msg.render("en")), msg.render("en")


def test_commands_are_named_in_words_not_identifiers(engine: Engine) -> None:
    r = scan(engine, "BOX00000001", Command.REFUSE_ITEM)
    assert r.feedback.msg == Msg("acc_command_scanning", {"command": Msg("cmd_REFUSE_ITEM")})
    text = r.feedback.msg.render("ru")
    assert text.startswith("«Отказ от товара» не нужна при приёмке")
    assert "REFUSE" not in text and "scanning" not in text


def test_a_customer_return_an_inventory_did_not_find_is_not_taken_as_a_late_delivery(tmp_path: Path) -> None:
    store, engine = half_day(tmp_path / "pvz.db")
    ok = Command.CHECK_OK
    scan(engine, Command.START_RETURN, "RR-1", ok, ok, ok, "C-R-01-1")  # R-22222222-0002-1 in R-01-1
    scan(engine, Command.START_INVENTORY, "C-R-01-1", Command.DONE)  # counted empty: not found
    assert state(store, "R-22222222-0002-1") == ("missing", None)
    load(store, M("S2", [P("55555555-0001-1", "55555555")]))
    scan(engine, "S2")
    before = dump(store)
    r = scan(engine, "R-22222222-0002-1")
    assert r.feedback.msg == Msg("acc_parcel_not_found", {"parcel": "R-22222222-0002-1"})
    assert dump(store) == before
    scan(engine, Command.CANCEL)
    r = scan(engine, "R-22222222-0002-1")  # at an idle station it does not open an acceptance
    assert r.session is None
    store.close()
