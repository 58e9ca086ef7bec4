"""Codes on paper: what the printer would print is read back by zbar, on 58 and 80 mm paper.

A barcode wider than the paper is dropped by the printer, so a code that cannot be a Code 128
at two dots a module becomes a QR code; the preview draws the modules the bytes print; a
header never breaks inside the device id.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from device.documents.base import DocContext
from device.documents.registry import Documents
from device.engine import Engine
from device.store.db import Store
from device.store.journal import Stamp
from drivers.document import Barcode, Document
from drivers.exc import PrinterError
from drivers.printer import code128
from drivers.printer.fit import CodeTooLarge, barcode_module_width, paper_dots, qr_module
from drivers.printer.preview import preview_image
from drivers.printer.sim_printer import SimPrinter
from drivers.printer.text_render import render_text, wrap
from tests.support.escpos_paper import printed_codes, zbar, zbar_codes
from tests.support.factory import scan
from tests.support.stock import issue_order_22
from workflows.inputs import Command

STAMP = Stamp("pvz-demo-0001", "2026-11-21T10:00:00", "s1")
NARROW = 32  # 58 mm paper: 384 dots
WIDE = 42  # 80 mm paper: 504 dots


def printed(doc: Document, width: int) -> bytes:
    printer = SimPrinter(width=width)
    printer.print_document(doc)
    return printer.printed[-1].data


def return_label(engine: Engine, store: Store) -> Document:
    issue_order_22(engine)
    scan(engine, Command.START_RETURN, "22222222-0001-1", Command.CHECK_OK, Command.CHECK_OK)
    job = json.loads(store.scalar("SELECT document FROM print_jobs WHERE kind = 'return_label'"))
    return Document.from_json(job)


def narrowest_bar(image: Image.Image) -> int:
    """Dots of the narrowest bar of the first Code 128 drawn: the first row repeated 40 rows down."""
    gray = image.convert("L")
    data = gray.tobytes()
    rows = [data[y * gray.width : (y + 1) * gray.width] for y in range(gray.height)]
    for y in range(gray.height - 40):
        if min(rows[y]) < 128 and all(rows[y + k] == rows[y] for k in range(40)):
            bars = [len(run) for run in rows[y].translate(_INK).split(b"\x00") if run]
            return min(bars)
    raise AssertionError("no barcode drawn")


_INK = bytes(1 if px < 128 else 0 for px in range(256))


@pytest.mark.parametrize(
    ("width", "read"),
    [(NARROW, "QR-Code:R-22222222-0001-1"), (WIDE, "CODE-128:R-22222222-0001-1")],
)
def test_the_return_label_is_scannable_on_58_and_80_mm_paper(
    stocked: Engine, store: Store, tmp_path: Path, width: int, read: str
) -> None:
    label = return_label(stocked, store)
    stream = printed(label, width)
    assert zbar_codes(stream, tmp_path, paper_dots=paper_dots(width)) == [read]
    # What the clerk sees in the preview is what the printer prints.
    preview = preview_image(label, width_px=paper_dots(width), columns=width)
    assert zbar(preview, tmp_path) == [read]
    assert ("[QR] R-22222222-0001-1" in render_text(label, width=width)) == read.startswith("QR")


def test_a_return_code_of_digits_fits_58_mm_as_a_code128_through_code_set_c(tmp_path: Path) -> None:
    code = "R-100000000000001"
    assert code128.modules(code) == 156  # code set B only: 11 * 17 + 35 = 222 modules, 444 dots
    assert barcode_module_width(code, NARROW) == 2
    stream = printed(Document("return_label", "", (Barcode(code),)), NARROW)
    assert [c.module for c in printed_codes(stream, paper_dots=384)] == [2]
    assert zbar_codes(stream, tmp_path, paper_dots=384) == [f"CODE-128:{code}"]


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_every_code_of_the_test_page_decodes_and_the_preview_draws_the_printed_module(
    tmp_path: Path, width: int
) -> None:
    docs = Documents(site="msk-01", device_id="pvz-demo-0001", lang="ru")
    data = {"printer": "s1/printer", "width": width}
    page = docs.build("test_page", data, sqlite3.connect(":memory:"), STAMP)
    stream = printed(page, width)
    codes = printed_codes(stream, paper_dots=paper_dots(width))
    read = zbar_codes(stream, tmp_path, paper_dots=paper_dots(width))
    assert read == ["CODE-128:PVZ-TEST-0123", "QR-Code:PVZ test page pvz-demo-0001 s1/printer"]
    preview = preview_image(page, width_px=paper_dots(width), columns=width)
    assert narrowest_bar(preview) == codes[0].module == 2


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_no_code_is_ever_wider_than_the_paper(tmp_path: Path, width: int) -> None:
    for data in (
        "C-A-01-1",
        "12345678",
        "R-22222222-0001-1",
        "Заказ-1",
        "X" * 60,
        "https://pvz.example/" * 5,
    ):
        stream = printed(Document("label", "", (Barcode(data),)), width)
        read = zbar_codes(stream, tmp_path, paper_dots=paper_dots(width))
        assert read in ([f"CODE-128:{data}"], [f"QR-Code:{data}"]), (data, read)


def test_a_code_no_qr_can_hold_fails_the_print_loudly() -> None:
    with pytest.raises(CodeTooLarge):
        qr_module("X" * 5000, NARROW)
    with pytest.raises(PrinterError) as failed:
        SimPrinter(width=NARROW).print_document(Document("label", "", (Barcode("X" * 5000),)))
    assert isinstance(failed.value.__cause__, CodeTooLarge)


@pytest.mark.parametrize("width", [NARROW, WIDE, 24, 36])
@pytest.mark.parametrize("site", ["demo", "MSK-1", "msk-central-12"])
def test_the_header_never_breaks_inside_the_device_id(width: int, site: str) -> None:
    docs = DocContext(site=site, device_id="pvz-demo-0001", lang="ru")
    lines = render_text(Document("t", "", tuple(docs.header(STAMP))), width=width).splitlines()
    assert any("pvz-demo-0001" in line for line in lines), lines
    assert not any(line.rstrip().endswith("pvz-") for line in lines)
    assert wrap("устройство pvz-demo-0001", 20) == ["устройство", "pvz-demo-0001"]


@pytest.mark.parametrize("width", [NARROW, WIDE])
def test_every_command_of_the_thermal_command_card_scans(tmp_path: Path, width: int) -> None:
    card = Documents(site="msk-01", device_id="pvz-demo-0001", lang="ru").command_card()
    read = zbar_codes(printed(card, width), tmp_path, paper_dots=paper_dots(width))
    assert [line.split(":", 1)[1] for line in read] == [c.barcode for c in Command]
    if width == NARROW:  # 14 characters of code set B need 418 dots: a QR code on 58 mm
        assert "QR-Code:PVZC-PAID-CARD" in read
