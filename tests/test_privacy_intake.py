"""Only what issuing needs is kept: the masked name and the phone's last four digits, from intake on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from device.exc import ManifestError
from device.intake.manifest import decode_manifest, import_manifest
from device.runtime import Runtime
from device.screen.view import Message, station_part
from device.station_io import StationIO
from device.store.db import Store
from drivers.lights.sim_lights import SimCellLights
from drivers.printer.sim_printer import SimPrinter
from tests.support import pii
from tests.support.factory import T0, new_engine, new_store, standard_manifest
from tests.support.stock import stock
from workflows.customer import masked_name, phone_tail, shown_phone
from workflows.inputs import Command

NAMES = {
    "11111111": ("Иван Петров", "+7 916 123-45-67"),
    "22222222": ("Мария Сергеевна Кузнецова", "8 (903) 555 01 02"),
    "33333333": ("Ёлкин", None),
    "44444444": ("  Анна   Смирнова ", "79991234567"),
}


def manifest(**changes: Any) -> dict[str, Any]:
    """The standard supply as central sends it: full names, and phones where central has them."""
    d = standard_manifest().to_json()
    for order in d["orders"]:
        name, phone = NAMES[order["id"]]
        order["customer"] = name
        if phone is not None:
            order["phone"] = phone
        order.update(changes.get(order["id"], {}))
    return d


def imported(tmp_path: Path) -> Store:
    store = new_store(tmp_path / "pvz.db")
    import_manifest(store, decode_manifest(json.dumps(manifest()).encode()), now=T0.isoformat())
    return store


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Иван Петров", "Иван П."),
        ("Мария Сергеевна Кузнецова", "Мария К."),
        ("Ёлкин", "Ёлкин"),
        ("  Анна   Смирнова ", "Анна С."),
        ("Иван П.", "Иван П."),
        ("", "—"),
    ],
)
def test_a_name_is_masked_to_the_given_name_and_an_initial(name: str, shown: str) -> None:
    assert masked_name(name) == shown


@given(st.text())
def test_the_mask_is_idempotent_so_a_masked_name_masks_to_itself(name: str) -> None:
    once = masked_name(name)
    assert masked_name(once) == once
    assert len(once.split()) <= 2


@pytest.mark.parametrize(
    ("phone", "tail"),
    [("+7 916 123-45-67", "4567"), ("8 (903) 555 01 02", "0102"), ("1234", "1234"), ("12-3", None)],
)
def test_the_phone_ending_is_its_last_four_digits(phone: str, tail: str | None) -> None:
    assert phone_tail(phone) == tail
    assert shown_phone(tail) == (None if tail is None else f"•••• {tail}")


def test_intake_keeps_the_masked_name_and_the_phone_ending_only(tmp_path: Path) -> None:
    store = imported(tmp_path)
    rows = {r[0]: (r[1], r[2]) for r in store.conn.execute("SELECT id, customer, phone_tail FROM orders")}
    assert rows == {
        "11111111": ("Иван П.", "4567"),
        "22222222": ("Мария К.", "0102"),
        "33333333": ("Ёлкин", None),
        "44444444": ("Анна С.", "4567"),
    }
    store.close()
    # Nothing else of them anywhere in the store's files: surnames, patronymic, phones.
    needles = [*pii.person("Петров"), *pii.person("Сергеевна Кузнецова"), *pii.person("Смирнова")]
    for _, phone in NAMES.values():
        if phone is not None:
            needles += pii.phone(phone)
    files = [p for p in tmp_path.iterdir() if p.name.startswith("pvz.db")]
    assert pii.scan(files, needles) == []
    # The scanner does look: the given name it keeps is found.
    assert pii.scan(files, pii.person("Иван"))


@pytest.mark.parametrize("phone", ["123", "+7 916 123-45-6x", "+7\n9161234567", "1" * 16, ""])
def test_a_phone_that_is_no_phone_is_refused_with_its_path(phone: str) -> None:
    raw = json.dumps(manifest(**{"11111111": {"phone": phone}})).encode()
    with pytest.raises(ManifestError) as info:
        decode_manifest(raw)
    assert (info.value.reason, info.value.path) == ("bad_format", "$.orders[0].phone")


def test_a_phone_left_out_or_null_keeps_none(tmp_path: Path) -> None:
    d = manifest(**{"11111111": {"phone": None}})
    store = new_store(tmp_path / "pvz.db")
    import_manifest(store, decode_manifest(json.dumps(d).encode()), now=T0.isoformat())
    assert store.scalar("SELECT phone_tail FROM orders WHERE id = '11111111'") is None
    assert store.scalar("SELECT phone_tail FROM orders WHERE id = '33333333'") is None


def test_migration_0011_masks_names_stored_before_it(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "pvz.db", target=10)
    store.conn.executemany(
        "INSERT INTO orders (id, customer) VALUES (?, ?)",
        [(order, name) for order, (name, _) in NAMES.items()],
    )
    store.migrate()
    rows = dict(store.conn.execute("SELECT id, customer FROM orders").fetchall())
    assert rows == {order: masked_name(name) for order, (name, _) in NAMES.items()}


def test_the_clerks_screen_and_the_receipt_show_the_masked_name_and_phone_ending(tmp_path: Path) -> None:
    store = imported(tmp_path)
    engine = new_engine(store)
    printer = SimPrinter(out_dir=tmp_path / "receipts")
    runtime = Runtime(engine, stations=[StationIO("s1", printer=printer)], rack=SimCellLights())
    stock(engine)
    runtime.process("s1", "11111111*1111", keyed=True)
    order = station_part(runtime, "s1", Message(1, "", (), "ok", None, ""))["order"]
    assert (order["customer"], order["phone"]) == ("Иван П.", "•••• 4567")
    runtime.process("s1", "11111111-0001-1")
    runtime.process("s1", Command.DONE.barcode)
    receipt = next((tmp_path / "receipts").glob("*-receipt.txt")).read_text(encoding="utf-8")
    assert "Получатель: Иван П." in receipt and "Телефон: •••• 4567" in receipt
    assert "Петров" not in receipt and "916" not in receipt
