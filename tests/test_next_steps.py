"""No dead ends: every refusal names what to do next, and a restart says what was in progress.

Station-level refusals, sign-in, unknown codes, returns, return to sender and inventory are
driven through the engine and the runtime with simulated drivers; their messages are checked
by key and parameters, and their Russian wording for a next step.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from pathlib import Path

from device.engine import Engine
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.lights.sim_lights import SimCellLights, SimScreen
from tests.support.factory import CLERK, cells, dump, new_engine, new_store, scan, standard_manifest, state
from tests.support.seen import messy_day
from tests.support.stock import CELLS, issue_order_22, stock
from workflows.inputs import Command
from workflows.messages import Msg, command_name, state_name, workflow_name
from workflows.outcome import Level

# Words that tell a clerk what to do: an imperative, or that nothing needs doing.
NEXT_STEP = (
    "отсканируйте",
    "сканируйте",
    "положите",
    "возьмите",
    "проверьте",
    "начните",
    "завершите",
    "обратитесь",
    "ответьте",
    "оставьте",
    "продолжите",
    "передайте",
    "введите",
    "выберите",
    "пользуйтесь",
    "следуйте",
    "не принимайте",
    "не кладите",
    "направьте",
    "закончите",
    "верните",
    "отложите",
    "сообщите",
    "ничего не нужно",
)


def says_what_next(text: str) -> bool:
    return any(word in text.lower() for word in NEXT_STEP)


def test_every_refusal_of_a_messy_day_says_what_to_do_next(tmp_path: Path) -> None:
    seen = messy_day(tmp_path / "pvz.db", "ru", timezone(timedelta(hours=3)))
    checked = {(msg.key, msg.render("ru")) for _, _, level, msg in seen.levels if level is Level.ERROR}
    assert len({key for key, _ in checked}) >= 20
    dead_ends = sorted(f"{key}: {text}" for key, text in checked if not says_what_next(text))
    assert not dead_ends, "refusals that leave the clerk guessing:\n" + "\n".join(dead_ends)


def test_idle_station_refusals_name_the_command_and_the_way_out(stocked: Engine, store: Store) -> None:
    before = dump(store)
    r = scan(stocked, Command.REFUSE_ITEM)
    assert r.feedback.level is Level.ERROR
    assert (r.feedback.msg.key, r.feedback.msg.params) == (
        "command_idle",
        {"command": command_name(Command.REFUSE_ITEM)},
    )
    assert "«Отказ от товара»" in r.feedback.msg.render("ru")
    r = scan(stocked, "NOBODY-KNOWS-THIS")
    assert (r.feedback.msg.key, r.feedback.msg.params) == ("unknown_code", {"code": "NOBODY-KNOWS-THIS"})
    assert dump(store) == before


def test_a_badge_or_a_start_command_mid_session_names_the_workflow_in_words(stocked: Engine) -> None:
    scan(stocked, Command.START_INVENTORY)
    for code in (CLERK, Command.START_ISSUE):
        r = scan(stocked, code)
        assert r.feedback.msg.key == "session_open"
        assert r.feedback.msg.params == {"workflow": workflow_name("inventory")}
        assert r.feedback.msg.render("ru") == (
            "Сначала завершите инвентаризацию («Готово») или отмените («Отмена»)"
        )


def test_an_idle_scan_names_states_and_a_surplus_without_its_order(engine: Engine, store: Store) -> None:
    scan(engine, "BOX00000001", *CELLS, "99999999-0001-1", Command.DONE)  # one surplus parcel
    scan(engine, Command.START_PLACEMENT, "99999999-0001-1", "C-B-01-1")
    scan(engine, "22222222-0001-1", "C-A-03-1", "22222222-0002-1", "C-A-03-1", Command.DONE)
    issue_order_22(engine)
    r = scan(engine, "22222222-0001-1")
    assert r.feedback.msg == Msg("parcel_state", {"parcel": "22222222-0001-1", "state": state_name("issued")})
    assert r.feedback.msg.render("ru") == "22222222-0001-1: выдано"
    assert state(store, "99999999-0001-1") == ("stored", "B-01-1")
    r = scan(engine, "99999999-0001-1")
    assert r.feedback.msg == Msg("parcel_where_no_order", {"parcel": "99999999-0001-1", "cell": "B-01-1"})


def test_closing_a_shift_that_was_never_opened_does_not_promise_a_report(
    stocked: Engine, store: Store
) -> None:
    with store.transaction() as conn:
        conn.execute("UPDATE shifts SET closed_at = opened_at")  # closed elsewhere: none open
    r = scan(stocked, Command.SHIFT_CLOSE)
    assert r.feedback.msg.key == "signed_out" and r.jobs == []
    assert stocked.clerk("s1") is None


def test_a_command_a_return_cannot_take_names_it_and_describes_the_return(stocked: Engine) -> None:
    issue_order_22(stocked)
    scan(stocked, Command.START_RETURN, "22222222-0001-1")
    r = scan(stocked, Command.PAID)
    assert r.feedback.msg.key == "command_not_now"
    assert r.feedback.msg.params == {
        "command": command_name(Command.PAID),
        "state": Msg("ret_doing_check", {"count": 1, "order": "22222222", "check": Msg("check_condition")}),
    }
    assert r.feedback.msg.render("ru") == (
        "Команда «Оплата наличными» сейчас не действует. Возврат 1 товара по заказу 22222222: "
        "проверка «товарный вид», ответьте «Проверка: да» или «Проверка: нет»"
    )
    r = scan(stocked, "C-R-01-1")  # a cell while a check waits for its answer
    assert r.feedback.msg == Msg("ret_answer_check", {"check": Msg("check_condition")})


def test_a_return_with_no_room_in_the_returns_zone_is_set_aside_not_stuck(tmp_path: Path) -> None:
    rack = [c for c in cells() if c.zone != "returns"]
    store = new_store(tmp_path / "pvz.db", standard_manifest(), rack=rack)
    engine = new_engine(store)
    stock(engine)
    issue_order_22(engine)
    r = scan(engine, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, Command.CHECK_OK)
    assert r.feedback.msg == Msg("ret_label_no_cell", {"barcode": "R-22222222-0001-1"})
    assert r.session is not None and dict(r.session.lights) == {}
    r = scan(engine, Command.CANCEL)  # the label is printed: cancelling is no way out
    assert r.feedback.level is Level.ERROR and r.session is not None
    r = scan(engine, "C-A-01-2")
    assert r.feedback.msg == Msg("ret_no_room", {"barcode": "R-22222222-0001-1"})
    r = scan(engine, Command.DONE)
    assert r.session is None and r.feedback.msg == Msg("ret_set_aside", {"barcode": "R-22222222-0001-1"})
    assert state(store, "R-22222222-0001-1") == ("to_return", None)
    reason = store.scalar("SELECT return_reason FROM parcels WHERE barcode = 'R-22222222-0001-1'")
    assert reason == "customer_return"
    assert store.scalar("SELECT kind FROM journal ORDER BY seq DESC LIMIT 1") == "return_set_aside"
    r = scan(engine, Command.START_RETURN_TO_SENDER)  # and it is on the pick list
    assert r.feedback.msg == Msg("out_start", {"returns": 1, "outbound": 0})
    store.close()


def test_a_return_with_a_free_cell_still_goes_into_it(stocked: Engine, store: Store) -> None:
    issue_order_22(stocked)
    scan(stocked, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, Command.CHECK_OK)
    r = scan(stocked, Command.DONE)
    assert r.feedback.level is Level.ERROR
    assert r.feedback.msg == Msg("ret_put_in", {"barcode": "R-22222222-0001-1", "cell": "R-01-1"})
    assert state(store, "R-22222222-0001-1") == ("accepted", None)


def test_return_to_sender_refusals_say_what_to_scan(stocked: Engine, store: Store) -> None:
    scan(stocked, "22222222*222222", keyed=True)
    scan(
        stocked, Command.REFUSE_ITEM, "22222222-0001-1", Command.REFUSE_ITEM, "22222222-0002-1", Command.DONE
    )
    r = scan(stocked, Command.START_RETURN_TO_SENDER)
    assert r.feedback.msg == Msg("out_start", {"returns": 2, "outbound": 0})
    assert r.feedback.msg.render("ru") == (
        "Передача курьеру: возвратов 2, отгрузок и отправок 0. Отсканируйте мешок"
    )
    r = scan(stocked, Command.PAID)
    assert r.feedback.msg.params["state"] == Msg("rts_doing_bag", {"count": 2})
    r = scan(stocked, "22222222-0001-1")
    assert r.feedback.msg == Msg("rts_bag_first", {"code": "22222222-0001-1"})
    r = scan(stocked, "HELLO")
    assert r.feedback.msg == Msg("rts_not_a_bag", {"code": "HELLO"})
    r = scan(stocked, Command.DONE)  # no bag opened: leave without a word about an open operation
    assert r.session is None and r.feedback.msg == Msg("rts_left")
    scan(stocked, Command.START_RETURN_TO_SENDER, "RBAG00012345")
    before = dump(store)
    r = scan(stocked, "11111111-0001-1")
    assert r.feedback.msg == Msg("rts_not_due", {"parcel": "11111111-0001-1", "state": state_name("stored")})
    assert r.feedback.msg.render("ru") == (
        "11111111-0001-1 не передаётся курьеру (на хранении): не кладите в мешок, верните на место"
    )
    assert dump(store) == before
    r = scan(stocked, "RBAG00099999")  # the next bag
    assert r.feedback.msg == Msg("rts_bag_open", {"bag": "RBAG00099999"})
    r = scan(stocked, Command.PAID)
    assert r.feedback.msg.params["state"] == Msg(
        "rts_doing_pick", {"bag": "RBAG00099999", "picked": 0, "left": 2}
    )


def test_inventory_elsewhere_names_the_station_and_the_way_on(stocked: Engine) -> None:
    scan(stocked, Command.START_INVENTORY)
    r = scan(stocked, Command.START_INVENTORY, station="a")
    assert r.session is None and r.feedback.msg == Msg("inv_elsewhere", {"station": "s1"})
    r = scan(stocked, "C-A-03-1", "22222222-0001-1", Command.ID_CHECKED)
    assert r.feedback.msg.params["state"] == Msg(
        "inv_doing_cell", {"counted": 1, "cells": 7, "cell": "A-03-1", "found": 1}
    )


def _screens(engine: Engine, *names: str) -> tuple[Runtime, dict[str, SimScreen]]:
    screens = {name: SimScreen() for name in names}
    stations = [StationIO(name, screen=screens[name]) for name in names]
    return Runtime(engine, stations=stations, rack=SimCellLights(), lang="en"), screens


def test_a_restart_shows_on_each_screen_what_was_in_progress(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db", standard_manifest())
    engine = new_engine(store, signed_in=("s1", "a", "b", "c"))
    stock(engine)
    issue_order_22(engine)
    scan(engine, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, station="a")
    scan(engine, Command.START_INVENTORY, "C-A-03-1", "22222222-0002-1", station="b")
    scan(engine, Command.START_PLACEMENT, station="c")
    store.close()

    store = Store.open(tmp_path / "pvz.db", owner=True)
    engine = new_engine(store, signed_in=(), lang="en")
    runtime, screens = _screens(engine, "s1", "a", "b", "c")
    runtime.start()
    assert runtime.resumed("s1") is None
    said = {name: runtime.resumed(name) for name in ("a", "b", "c")}
    assert said["a"] == (
        Msg("session_resumed", {"station": "a"}),
        Msg("ret_doing_check", {"count": 1, "order": "22222222", "check": Msg("check_completeness")}),
    )
    assert said["b"] == (
        Msg("session_resumed", {"station": "b"}),
        Msg("inv_doing_cell", {"counted": 1, "cells": 7, "cell": "A-03-1", "found": 1}),
    )
    # a workflow that does not describe itself is named, with the way out
    assert said["c"] == (
        Msg("session_resumed", {"station": "c"}),
        Msg("session_doing", {"workflow": workflow_name("placement")}),
    )
    assert (screens["b"].title, screens["b"].lines) == (
        "Station b: work resumed after a restart",
        [
            "Inventory, cell A-03-1: 1 parcel scanned, 1 of 7 cells counted; scan parcels, the next cell, or DONE"
        ],
    )
    assert screens["c"].lines == ["Go on with placement or scan CANCEL"]
    store.close()
