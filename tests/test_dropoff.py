"""A seller's drop-off at the counter, on a real store: scanned against its list, surplus, missing, the act."""

from __future__ import annotations

import json
from typing import Any

import pytest
from escpos.printer import Dummy

from device.documents.registry import Documents
from device.engine import Engine
from device.intake.dropoff import decode_dropoff, import_dropoff
from device.store.db import Store
from device.store.journal import Stamp
from drivers.document import Document
from drivers.printer.escpos_render import DEFAULT_PROFILE, render
from sync.outbox import Outbox
from tests.support.factory import DEVICE, SITE, T0, dump, scan, state
from tests.test_printer import decode_stream
from workflows.inputs import Command
from workflows.messages import Msg
from workflows.outcome import Level

D1 = "DO-2026-0001"
SHIPMENTS = ("FBS-0000000001", "FBS-0000000002", "FBS-0000000003")
SURPLUS = "FBS-0000000099"


def dropoff_json(
    dropoff: str = D1, barcodes: tuple[str, ...] = SHIPMENTS, *, version: int = 1
) -> dict[str, Any]:
    return {
        "version": version,
        "dropoff_id": dropoff,
        "seller": {"id": "SELLER-77", "name": "ООО Ромашка"},
        "shipments": [
            {"barcode": b, "posting": f"4711-{i:04d}-1", "size": "M", **({"weight_g": 850} if i == 0 else {})}
            for i, b in enumerate(barcodes)
        ],
    }


def load_dropoff(store: Store, body: dict[str, Any] | None = None) -> None:
    raw = json.dumps(body or dropoff_json()).encode()
    import_dropoff(store, decode_dropoff(raw), now=T0.isoformat())


@pytest.fixture
def seller(store: Store, engine: Engine) -> Engine:
    load_dropoff(store)
    return engine


def progress(msg: Msg) -> Msg:
    found = msg.params["progress"]
    assert isinstance(found, Msg)
    return found


def act_text(store: Store, copy: int) -> str:
    """The act as the printer prints it: python-escpos's bytes, decoded as the printer would."""
    raw = store.conn.execute(
        "SELECT document FROM print_jobs WHERE kind = 'dropoff_act' ORDER BY id LIMIT 1 OFFSET ?", (copy - 1,)
    ).fetchone()[0]
    printer = Dummy(profile=DEFAULT_PROFILE)
    render(printer, Document.from_json(json.loads(raw)), width=42)
    return decode_stream(printer.output)


def test_the_whole_drop_off_with_a_surplus_and_a_missing_shipment(seller: Engine, store: Store) -> None:
    r = scan(seller, Command.START_DROPOFF)
    assert r.feedback.msg.key == "do_choose"
    r = scan(seller, D1)
    assert r.feedback.msg == Msg("do_opened", {"dropoff": D1, "seller": "ООО Ромашка", "total": 3, "done": 0})
    assert store.scalar("SELECT status FROM dropoffs WHERE id = ?", (D1,)) == "accepting"
    r = scan(seller, SHIPMENTS[0])
    assert r.feedback.msg.key == "do_received" and r.feedback.level is Level.OK
    assert progress(r.feedback.msg).params == {"dropoff": D1, "done": 1, "total": 3}
    assert progress(r.feedback.msg).render("ru") == f"приём {D1}: 1 из 3"
    assert state(store, SHIPMENTS[0]) == ("outbound", None)

    before = dump(store)
    r = scan(seller, SHIPMENTS[0])  # scanned twice: harmless
    assert r.feedback.msg.key == "duplicate_scan"
    assert {t: v for t, v in dump(store).items() if t != "sessions"} == {
        t: v for t, v in before.items() if t != "sessions"
    }

    r = scan(seller, SURPLUS)
    assert r.feedback.msg.key == "do_surplus" and r.feedback.level is Level.WARN
    row = store.conn.execute(
        "SELECT kind, state, surplus, dropoff FROM parcels WHERE barcode = ?", (SURPLUS,)
    ).fetchone()
    assert tuple(row) == ("dropoff", "outbound", 1, D1)
    r = scan(seller, SHIPMENTS[1])
    assert progress(r.feedback.msg).params["done"] == 2

    r = scan(seller, Command.DONE)  # one missing: asked first, nothing changes
    assert r.feedback.msg == Msg("do_confirm_close", {"missing": 1, "total": 3})
    assert [d.params["parcel"] for d in r.feedback.details] == [SHIPMENTS[2]]
    assert state(store, SHIPMENTS[2]) == ("expected", None)
    r = scan(seller, Command.DONE)
    assert r.session is None
    assert r.feedback.msg == Msg("do_closed", {"dropoff": D1, "done": 2, "total": 3, "missing": 1})
    assert state(store, SHIPMENTS[2]) == ("missing", None)
    assert store.scalar("SELECT status FROM dropoffs WHERE id = ?", (D1,)) == "closed"

    kinds = [
        (k, p)
        for k, p in store.conn.execute(
            "SELECT kind, parcel FROM journal WHERE kind LIKE 'dropoff%' ORDER BY seq"
        ).fetchall()
    ]
    assert kinds == [
        ("dropoff_imported", None),
        ("dropoff_accepting", None),
        ("dropoff_received", SHIPMENTS[0]),
        ("dropoff_surplus", SURPLUS),
        ("dropoff_received", SHIPMENTS[1]),
        ("dropoff_missing", SHIPMENTS[2]),
        ("dropoff_closed", None),
    ]
    # The hub sees them: they are in the outbox's batch, as they go up.
    sent = [e.kind for e in Outbox(store).batch(limit=1000) if e.kind.startswith("dropoff")]
    assert sent == [k for k, _ in kinds]

    assert store.scalar("SELECT count(*) FROM print_jobs WHERE kind = 'dropoff_act'") == 2
    seller_copy, point_copy = act_text(store, 1), act_text(store, 2)
    for text in (seller_copy, point_copy):
        assert "Документ приёма отправлений от продавца" in text
        assert f"Пункт выдачи {SITE}" in text and DEVICE in text
        assert "Продавец: ООО Ромашка" in text
        assert "Ожидалось 3, принято 2" in text
        assert "Принято (2):" in text and "Не поступило (1):" in text and "Излишки (1):" in text
        for barcode in (*SHIPMENTS, SURPLUS):
            assert barcode in text
        assert "4711-0000-1" in text  # the shipment's label (posting number)
        assert "Продавец: ______________" in text and "Сотрудник ПВЗ: __________" in text
    assert "Экземпляр 1 из 2: продавцу" in seller_copy
    assert "Экземпляр 2 из 2: пункту выдачи" in point_copy


def test_the_first_shipment_starts_the_drop_off_and_a_late_one_is_received(
    seller: Engine, store: Store
) -> None:
    r = scan(seller, SHIPMENTS[1])
    assert r.feedback.msg.key == "do_received"
    assert r.session is not None and r.session.workflow.name == "dropoff"
    scan(seller, Command.DONE, Command.DONE)
    assert state(store, SHIPMENTS[0]) == ("missing", None)
    r = scan(seller, SHIPMENTS[0])  # brought the next day: one scan at an idle counter
    assert r.session is None and r.feedback.msg.key == "do_received_late"
    assert state(store, SHIPMENTS[0]) == ("outbound", None)
    r = scan(seller, D1)
    assert r.feedback.level is Level.ERROR and r.feedback.msg.key == "do_dropoff_closed"


def test_parcels_that_are_not_this_sellers_are_refused_and_nothing_changes(
    seller: Engine, store: Store
) -> None:
    load_dropoff(store, dropoff_json("DO-2026-0002", ("FBS-0000000200",)))
    scan(seller, D1)
    before = dump(store)
    for code, key in (
        ("FBS-0000000200", "do_other_dropoff"),
        ("33333333-0001-1", "do_not_a_shipment"),  # an inbound delivery of supply S1
        ("DO-2026-0002", "do_other_dropoff_id"),
        ("hello", "do_not_a_label"),
        (Command.DAMAGED, "do_command_scanning"),
    ):
        r = scan(seller, code)
        assert r.feedback.level is Level.ERROR and r.feedback.msg.key == key, code
    assert dump(store) == before
    r = scan(seller, Command.CANCEL)
    assert r.session is None and r.feedback.msg.key == "do_paused"
    assert store.scalar("SELECT status FROM dropoffs WHERE id = ?", (D1,)) == "accepting"


def test_the_act_is_in_english_too(seller: Engine, store: Store) -> None:
    r = scan(seller, D1, *SHIPMENTS, Command.DONE)
    assert r.feedback.level is Level.OK and r.feedback.msg.params["missing"] == 0
    docs = Documents(site=SITE, device_id=DEVICE, lang="en")
    stamp = Stamp(DEVICE, T0.isoformat(), "s1")
    doc = docs.build("dropoff_act", {"dropoff": D1, "copy": 1, "copies": 2}, store.conn, stamp)
    printer = Dummy(profile=DEFAULT_PROFILE)
    render(printer, doc, width=42)
    text = decode_stream(printer.output)
    assert "Seller drop-off acceptance act" in text
    assert "Expected 3, received 3" in text and "Copy 1 of 2: the seller's" in text


def test_a_sellers_shipment_is_never_accepted_into_a_supply(seller: Engine, store: Store) -> None:
    scan(seller, "33333333-0001-1")  # acceptance of supply S1 is open
    before = dump(store)
    r = scan(seller, SHIPMENTS[0])
    assert r.feedback.msg == Msg("acc_parcel_dropoff", {"parcel": SHIPMENTS[0], "dropoff": D1})
    assert {t: v for t, v in dump(store).items() if t != "sessions"} == {
        t: v for t, v in before.items() if t != "sessions"
    }
    assert state(store, SHIPMENTS[0]) == ("expected", None)
