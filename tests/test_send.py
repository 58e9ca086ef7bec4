"""Sending from the point: the signed QR, the content check, keyed and weighed measures, the prints."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from device.engine import Engine
from device.send_scale import ScaleFeed, waiting_for_weight
from device.store.db import Store
from drivers.document import Document
from drivers.exc import ScaleError
from drivers.printer.fit import paper_dots
from drivers.printer.sim_printer import SimPrinter
from drivers.printer.text_render import render_text
from drivers.scale.serial_scale import SerialScale
from tests.support.escpos_paper import zbar_codes
from tests.support.factory import dump, new_engine, scan
from tests.support.fake_scale import FakeScale
from workflows.context import Policy, SendRules
from workflows.inputs import Command, DeviceEvent, Weighed
from workflows.parcel import Size
from workflows.send_qr import Shipment, make, public_key_text

CENTRAL = Ed25519PrivateKey.generate()
RULES = SendRules(public_key=public_key_text(CENTRAL))
SHIPMENT = Shipment("SND-000123", "PVZ-7", Size.M, "Анна П.")
QR = make(SHIPMENT, CENTRAL)


@pytest.fixture
def sends(store: Store) -> Engine:
    return new_engine(store, lang="en", policy=Policy(send=RULES))


def to_weight(engine: Engine, qr: str = QR) -> None:
    r = scan(engine, Command.START_SEND)
    assert r.feedback.msg.key == "send_start"
    r = scan(engine, qr)
    assert r.feedback.msg.key == "send_check" and r.feedback.msg.params["sender"] == "Анна П."
    r = scan(engine, Command.CHECK_OK)
    assert r.feedback.msg.key == "send_ask_weight"


def document(store: Store, kind: str) -> Document:
    return Document.from_json(
        json.loads(store.scalar(f"SELECT document FROM print_jobs WHERE kind = '{kind}'"))
    )


def test_a_send_keyed_in_enters_at_outbound_with_its_label_and_receipt(
    sends: Engine, store: Store, tmp_path: Path
) -> None:
    to_weight(sends)
    assert scan(sends, "1.25", keyed=True).feedback.msg.params["weight"] == 1250
    scan(sends, "40", "30", keyed=True)
    r = scan(sends, "20", keyed=True)
    assert r.session is None and r.feedback.msg.key == "send_accepted"
    row = store.conn.execute(
        "SELECT kind, state, size, weight_g, length_mm, width_mm, height_mm FROM parcels WHERE barcode = ?",
        (SHIPMENT.shipment_id,),
    ).fetchone()
    assert tuple(row) == ("send", "outbound", "M", 1250, 400, 300, 200)
    event = store.conn.execute(
        "SELECT kind, to_state, data FROM journal WHERE parcel = ? ORDER BY seq DESC", (SHIPMENT.shipment_id,)
    ).fetchone()
    assert event["kind"] == "send_accepted" and event["to_state"] == "outbound"
    assert json.loads(event["data"])["to"] == "PVZ-7"
    label = document(store, "send_label")
    printer = SimPrinter(width=42)
    printer.print_document(label)
    stream = printer.printed[-1].data
    codes = zbar_codes(stream, tmp_path, paper_dots=paper_dots(42))
    assert sorted(codes) == ["CODE-128:SND-000123", "QR-Code:SND-000123"]
    receipt = render_text(document(store, "send_receipt"), width=42)
    assert "SND-000123" in receipt and "Weight: 1250 g" in receipt and "40 x 30 x 20 cm" in receipt
    assert "Анна П." in receipt


def test_the_same_shipment_is_not_taken_twice(sends: Engine, store: Store) -> None:
    to_weight(sends)
    scan(sends, "900", "10", "10", "10", keyed=True)
    scan(sends, Command.START_SEND)
    before = dump(store)
    assert scan(sends, QR).feedback.msg.key == "send_already_sent"
    assert dump(store) == before


@pytest.mark.parametrize(
    ("qr", "key"),
    [
        (make(SHIPMENT, Ed25519PrivateKey.generate()), "send_qr_bad_signature"),
        ("PVZS1.e30.AAAA", "send_qr_bad_signature"),
        ("PVZS1.only-two", "send_qr_malformed"),
        ("22222222-0001-1", "send_not_a_qr"),
    ],
)
def test_a_qr_central_did_not_sign_is_refused_and_nothing_changes(
    sends: Engine, store: Store, qr: str, key: str
) -> None:
    scan(sends, Command.START_SEND)
    before = dump(store)
    r = scan(sends, qr)
    assert r.feedback.msg.key == key and r.session is not None
    assert dump(store) == before


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("15001", "send_too_heavy"),
        ("15.5", "send_too_heavy"),
        ("0", "send_bad_weight"),
        ("heavy", "send_bad_weight"),
    ],
)
def test_a_weight_out_of_range_is_refused_with_the_limit(
    sends: Engine, store: Store, typed: str, key: str
) -> None:
    to_weight(sends)
    before = dump(store)
    r = scan(sends, typed, keyed=True)
    assert r.feedback.msg.key == key
    if key == "send_too_heavy":
        assert r.feedback.msg.params["limit"] == 15_000
    assert dump(store) == before
    assert scan(sends, "15000", keyed=True).feedback.msg.key == "send_ask_length"


def test_sides_over_their_limits(sends: Engine, store: Store) -> None:
    to_weight(sends)
    scan(sends, "2000", keyed=True)
    r = scan(sends, "121", keyed=True)
    assert r.feedback.msg.key == "send_side_too_long" and r.feedback.msg.params["limit"] == 120
    r = scan(sends, "100", "50", "40", keyed=True)
    assert r.feedback.msg.key == "send_too_big" and r.feedback.msg.params == {"total": 190, "limit": 180}
    assert store.scalar("SELECT count(*) FROM parcels WHERE kind = 'send'") == 0
    r = scan(sends, "100", "50", "30", keyed=True)
    assert r.feedback.msg.key == "send_accepted"


def test_contents_refused_take_nothing(sends: Engine, store: Store) -> None:
    scan(sends, Command.START_SEND, QR)
    r = scan(sends, Command.CHECK_FAIL)
    assert r.session is None and r.feedback.msg.key == "send_content_refused"
    assert store.scalar("SELECT count(*) FROM parcels WHERE kind = 'send'") == 0
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'send_refused'") == 1


def test_a_point_without_central_key_takes_no_sends(store: Store) -> None:
    engine = new_engine(store, lang="en")
    assert scan(engine, Command.START_SEND).feedback.msg.key == "send_not_configured"


def test_the_weight_from_a_serial_scale_on_a_pty(store: Store) -> None:
    engine = new_engine(
        store, lang="en", policy=Policy(send=SendRules(public_key=RULES.public_key, scale=True))
    )
    scan(engine, Command.START_SEND, QR, Command.CHECK_OK)
    fake = FakeScale()
    try:
        scale = SerialScale(name="s1/scale", path=fake.path, settle_timeout_s=1.5)
        fake.lines = [b"\x00\x13\xfe\r\n"]
        with pytest.raises(ScaleError) as caught:
            scale.read_grams()
        r = engine.handle_event("s1", Weighed(fault=caught.value.reason))
        assert r.feedback.msg.key == "send_scale_fault" and r.session is not None
        fake.lines = [b"ST,GS,+0016.000kg\r\n"]
        r = engine.handle_event("s1", Weighed(grams=scale.read_grams()))
        assert r.feedback.msg.key == "send_too_heavy"
        fake.lines = [b"ST,GS,+0002.480kg\r\n"]
        r = engine.handle_event("s1", Weighed(grams=scale.read_grams()))
        assert r.feedback.msg.key == "send_ask_length" and r.feedback.msg.params["weight"] == 2480
    finally:
        fake.close()
    r = scan(engine, "30", "20", "10", keyed=True)
    assert r.feedback.msg.key == "send_accepted"
    assert store.scalar("SELECT weight_g FROM parcels WHERE barcode = 'SND-000123'") == 2480


def test_the_scale_feed_hands_a_settled_weight_to_the_waiting_send_once(store: Store) -> None:
    """The daemon's path: the scale on a pty read in a thread, its reading handled like a scan."""
    engine = new_engine(
        store, lang="en", policy=Policy(send=SendRules(public_key=RULES.public_key, scale=True))
    )
    fake = FakeScale()
    handed: list[str] = []

    def handle(station: str, event: DeviceEvent) -> None:
        handed.append(engine.handle_event(station, event).feedback.msg.key)

    scale = SerialScale(name="s1/scale", path=fake.path, settle_timeout_s=1.5)
    feed = ScaleFeed(scale, waiting=lambda: waiting_for_weight(engine.sessions()), handle=handle)
    try:
        fake.lines = [b"ST,GS,+0000.000kg\r\n"]
        assert asyncio.run(feed.once()) is None  # no send waits
        scan(engine, Command.START_SEND, QR, Command.CHECK_OK)
        assert asyncio.run(feed.once()) is None  # an empty scale says nothing
        fake.lines = [b"ST,GS,+0020.000kg\r\n"]
        assert asyncio.run(feed.once()) == Weighed(grams=20_000)
        assert asyncio.run(feed.once()) is None  # the same parcel still lying there
        fake.lines = [b"US,GS,+0003.100kg\r\n", b"US,GS,+0003.000kg\r\n"]
        assert asyncio.run(feed.once()) == Weighed(fault="scale_unstable")
        fake.lines = [b"ST,GS,+0003.050kg\r\n"]
        assert asyncio.run(feed.once()) == Weighed(grams=3050)
        assert asyncio.run(feed.once()) is None  # the send has its weight: nobody waits
    finally:
        fake.close()
    assert handed == ["send_too_heavy", "send_scale_fault", "send_ask_length"]


@pytest.mark.parametrize("width", [32, 42])
def test_the_label_and_receipt_on_paper_in_russian(store: Store, tmp_path: Path, width: int) -> None:
    """python-escpos's own bytes: the label's codes read back by zbar, the receipt's words in CP866."""
    engine = new_engine(store, lang="ru", policy=Policy(send=RULES))
    scan(engine, Command.START_SEND, QR, Command.CHECK_OK)
    scan(engine, "2480", "35", "25", "15", keyed=True)
    printer = SimPrinter(width=width)
    printer.print_document(document(store, "send_label"))
    label = printer.printed[-1].data
    codes = zbar_codes(label, tmp_path, paper_dots=paper_dots(width))
    assert "QR-Code:SND-000123" in codes and set(codes) <= {"QR-Code:SND-000123", "CODE-128:SND-000123"}
    assert "Пункт назначения: PVZ-7".encode("cp866") in label
    printer.print_document(document(store, "send_receipt"))
    receipt = printer.printed[-1].data
    for words in ("Квитанция отправителя", "Отправитель: Анна П.", "Вес: 2480 г", "35 x 25 x 15 см"):
        assert words.encode("cp866") in receipt, words
