"""Cash on delivery: payment is asked for before DONE, recorded as cash or card, split in the shift
report; the receipt says it is not a fiscal receipt and names the clerk and the point's address."""

from __future__ import annotations

import json
from datetime import datetime

from device.documents.registry import Documents
from device.engine import Engine, Result
from device.reports.build import shift_report
from device.reports.text import shift_text
from device.store.db import Store
from drivers.document import Barcode, Text
from tests.support.factory import DEVICE, SITE, M, P, load, new_engine, scan, state
from tests.support.stock import stock
from workflows.inputs import Cmd, Command, parse_input
from workflows.messages import Msg
from workflows.outcome import Level

ORDER = "77700001"
PARCELS = [f"{ORDER}-000{i}-1" for i in (1, 2, 3)]
ADDRESS = "Москва, ул. Лесная, 5"


def three_cod_parcels(
    store: Store, engine: Engine, cells: tuple[str, str, str] = ("C-A-01-1", "C-A-01-2", "C-A-02-1")
) -> None:
    """Order 77700001: three parcels, 1,000.00 + 200.50 + 33.00 ₽ cash on delivery, stored."""
    cods = (100000, 20050, 3300)
    load(
        store,
        M("S3", [P(b, ORDER, cod=c) for b, c in zip(PARCELS, cods, strict=True)], codes={ORDER: "5151"}),
    )
    scan(engine, "S3", *PARCELS, Command.DONE, Command.START_PLACEMENT)
    for barcode, cell in zip(PARCELS, cells, strict=True):
        scan(engine, barcode, cell)
    scan(engine, Command.DONE)


def follow_the_prompts(engine: Engine, first: str) -> tuple[int, list[Result]]:
    """A clerk who does what the screen says: the order's code, every lit parcel, then whatever
    the last answer asks for (payment, DONE). Returns the scans it took and every answer."""
    answers = [scan(engine, first, keyed=True)]
    session = answers[0].session
    assert session is not None
    for barcode in session.data.parcels:
        answers.append(scan(engine, barcode))
    while engine.session("s1") is not None:
        key = answers[-1].feedback.msg.key
        nxt = {
            "iss_taken_all_pay": Command.PAID_CASH,
            "iss_taken_all": Command.DONE,
            "iss_paid_done": Command.DONE,
        }
        answers.append(scan(engine, nxt[key]))
    return len(answers), answers


def test_three_cod_parcels_take_six_scans_and_meet_no_refusal(store: Store, engine: Engine) -> None:
    """The figure: order code, 3 parcels, payment, DONE = 6 scans. Before, the last parcel said
    "scan DONE", DONE refused with a demand for payment, then PAID and DONE again: 7 scans."""
    three_cod_parcels(store, engine)
    scans, answers = follow_the_prompts(engine, f"{ORDER}*5151")
    assert scans == 6
    assert all(a.feedback.level is not Level.ERROR for a in answers)
    assert answers[3].feedback.msg == Msg("iss_taken_all_pay", {"parcel": PARCELS[2], "amount": 123350})
    assert answers[3].feedback.msg.render("ru") == (
        f"Выдаётся {PARCELS[2]}, все собраны. Примите оплату 1\u00a0233,50 ₽ "
        "и отсканируйте «Оплата наличными» или «Оплата картой»"
    )
    assert answers[4].feedback.msg == Msg("iss_paid_done", {"amount": 123350, "method": Msg("iss_in_cash")})
    assert [state(store, b)[0] for b in PARCELS] == ["issued"] * 3


def test_card_payment_is_recorded_and_the_found_order_already_says_how_to_pay(
    store: Store, engine: Engine
) -> None:
    three_cod_parcels(store, engine)
    r = scan(engine, "5151", keyed=True)
    assert Msg("iss_amount_due", {"amount": 123350}) in r.feedback.details
    r = scan(engine, PARCELS[0], Command.PAID_CARD)  # paying before the rest is taken is fine too
    assert r.feedback.msg == Msg("iss_paid", {"amount": 123350, "method": Msg("iss_by_card"), "left": 2})
    r = scan(engine, PARCELS[1], PARCELS[2])
    assert r.feedback.msg.key == "iss_taken_all"  # paid already: straight to DONE
    r = scan(engine, Command.DONE)
    assert r.feedback.msg == Msg(
        "iss_done_paid", {"order": ORDER, "count": 3, "amount": 123350, "method": Msg("iss_by_card")}
    )
    completed = json.loads(store.scalar("SELECT data FROM journal WHERE kind = 'issue_completed'"))
    assert (completed["cod_kopecks"], completed["payment"]) == (123350, "card")


def test_the_old_paid_barcode_still_means_cash_and_the_card_prints_both_new_ones() -> None:
    assert parse_input("PVZC-PAID") == Cmd(Command.PAID_CASH)
    assert (Command.PAID_CASH.barcode, Command.PAID_CARD.barcode) == ("PVZC-PAID-CASH", "PVZC-PAID-CARD")
    card = Documents(site=SITE, device_id=DEVICE, lang="ru").command_card()
    barcodes = [b.data for b in card.blocks if isinstance(b, Barcode)]
    assert "PVZC-PAID-CASH" in barcodes and "PVZC-PAID-CARD" in barcodes and "PVZC-PAID" not in barcodes
    names = [b.text for b in card.blocks if isinstance(b, Text)]
    assert "Оплата наличными" in names and "Оплата картой" in names


def test_the_receipt_is_not_fiscal_and_names_the_clerk_the_address_and_the_payment(store: Store) -> None:
    engine = new_engine(store, address=ADDRESS)
    three_cod_parcels(store, engine)
    scan(engine, "5151", keyed=True)
    scan(engine, *PARCELS, Command.PAID_CARD, Command.DONE)
    text = receipt_text(store)
    assert "Оплачено картой" in text and "1\u00a0233,50 ₽" in text
    assert "Выдал: Анна С." in text
    assert f"Адрес: {ADDRESS}" in text
    assert "Не является кассовым чеком. Кассовый чек выдаёт маркетплейс" in text


def test_the_shift_report_splits_cash_and_card(store: Store, engine: Engine) -> None:
    stock(engine)
    three_cod_parcels(store, engine, ("C-A-01-2", "C-A-02-2", "C-B-01-1"))
    scan(engine, "5151", keyed=True)
    scan(engine, *PARCELS, Command.PAID_CARD, Command.DONE)
    scan(engine, "33333333*3333", keyed=True)
    scan(engine, "33333333-0001-1", Command.PAID_CASH, Command.DONE)
    r = scan(engine, Command.SHIFT_CLOSE)
    assert r.feedback.msg.key == "shift_closed"
    shift = int(store.scalar("SELECT max(id) FROM shifts"))
    rep = shift_report(store, shift, now=datetime.fromisoformat("2026-11-22T00:00:00+00:00"))
    cod = rep["cod"]
    assert (cod["total_kopecks"], cod["cash_kopecks"], cod["card_kopecks"], cod["orders"]) == (
        246800,
        123450,
        123350,
        2,
    )
    assert [(i["order"], i["payment"]) for i in cod["items"]] == [(ORDER, "card"), ("33333333", "cash")]
    assert "Наличными 1\u00a0234,50 ₽, картой 1\u00a0233,50 ₽" in shift_text(rep, "ru")
    printed = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'shift_report'"))
    lines = json.dumps(printed, ensure_ascii=False)
    assert "Наличными" in lines and "Картой" in lines and "1\u00a0233,50 ₽" in lines


def receipt_text(store: Store) -> str:
    doc = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'receipt' ORDER BY id DESC"))
    return json.dumps(doc, ensure_ascii=False)


def test_paid_for_the_whole_order_then_one_parcel_stays_the_clerk_is_told_to_give_the_change(
    store: Store, engine: Engine
) -> None:
    three_cod_parcels(store, engine)
    scan(engine, f"{ORDER}*5151", keyed=True)
    scan(engine, PARCELS[0], PARCELS[1])
    paid = scan(engine, Command.PAID_CASH)  # 1 233,50 ₽ for all three, one still in its cell
    assert paid.feedback.level is Level.OK
    done = scan(engine, Command.DONE)
    assert done.feedback.level is Level.WARN
    assert done.feedback.details[0] == Msg("iss_change_due", {"amount": 3300})
    assert done.feedback.details[0].render("ru") == (
        "Верните клиенту 33,00 ₽: оплачено больше, чем стоят выданные отправления"
    )
    assert [state(store, b)[0] for b in PARCELS] == ["issued", "issued", "stored"]
    completed = store.conn.execute("SELECT data FROM journal WHERE kind = 'issue_completed'").fetchone()
    assert json.loads(completed[0])["change_kopecks"] == 3300
