"""PNG previews: every demo document renders, Cyrillic is real glyphs, and the drawn barcodes decode."""

from __future__ import annotations

import io
import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from barcode.charsets.code128 import CODES, STOP  # type: ignore[import-untyped, unused-ignore]
from PIL import Image, ImageFont

import device.documents.cell_labels
import device.documents.test_page
from device.demo.day import run_demo
from device.documents.registry import Documents
from device.store.journal import Stamp
from drivers.document import QR, Align, Barcode, Document, Feed, Rule, Text
from drivers.printer import preview
from drivers.printer.code128 import widths as code128_widths
from drivers.printer.preview import preview_font, preview_image, preview_png, save_preview
from drivers.printer.sim_printer import SimPrinter
from tests.support.escpos_paper import zbar
from tests.support.factory import cells, new_store
from tests.test_printer import decode_stream

STAMP = Stamp("pvz-test-0001", "2026-11-21T10:00:00", "s1")
# Code 128 from python-barcode's own table, independent of drivers.printer.preview's encoder.
_PATTERNS = {
    "".join(str(len(list(run))) for _, run in itertools.groupby(code)): value
    for value, code in enumerate(CODES)
}
_STOP = "".join(str(len(list(run))) for _, run in itertools.groupby(STOP + "11"))


def decode_row(row: bytes) -> str | None:
    """Code 128 (code sets B and C) data from one pixel row: bar widths -> modules -> symbols; None if not a barcode."""
    runs = [len(list(run)) for _, run in itertools.groupby(px < 128 for px in row)]
    if row[0] < 128 or len(runs) < 3:
        return None
    runs = runs[1:-1] if row[-1] >= 128 else runs[1:]  # drop the white margins
    module = min(runs)
    if any(r % module for r in runs) or (len(runs) - 7) % 6:
        return None
    digits = "".join(str(r // module) for r in runs)
    symbols = [_PATTERNS.get(digits[i : i + 6]) for i in range(0, len(digits) - 7, 6)]
    if digits[-7:] != _STOP or None in symbols or len(symbols) < 2 or symbols[0] not in (104, 105):
        return None
    values = [s for s in symbols if s is not None]
    *data, checksum = values[1:]
    if (values[0] + sum(i * v for i, v in enumerate(data, 1))) % 103 != checksum:
        return None
    code_set = "B" if values[0] == 104 else "C"
    text = ""
    for v in data:
        if v in (99, 100):  # Code C, Code B: switch code sets
            code_set = "C" if v == 99 else "B"
        else:
            text += f"{v:02d}" if code_set == "C" else chr(v + 32)
    return text


def barcodes(image: Image.Image) -> list[str]:
    """Every distinct barcode found scanning the image row by row, top to bottom."""
    gray = image.convert("L")
    data, width = gray.tobytes(), gray.width
    found: list[str] = []
    seen: dict[bytes, str | None] = {}  # the rows through one barcode are all alike
    for y in range(gray.height):
        row = data[y * width : (y + 1) * width]
        if row not in seen:
            seen[row] = decode_row(row) if min(row) < 128 else None
        text = seen[row]
        if text is not None and (not found or found[-1] != text):
            found.append(text)
    return found


def png(doc: Document, **kw: int) -> Image.Image:
    image = Image.open(io.BytesIO(preview_png(doc, **kw)))
    assert image.format == "PNG"
    image.load()
    return image


@pytest.fixture(scope="module")
def demo_documents(tmp_path_factory: pytest.TempPathFactory) -> list[Document]:
    out = tmp_path_factory.mktemp("demo")
    run_demo(out, quiet=True)
    with sqlite3.connect(out / "pvz.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT document FROM print_jobs ORDER BY id").fetchall()
    return [Document.from_json(json.loads(row["document"])) for row in rows]


def test_every_demo_document_renders_to_a_png_as_wide_as_the_paper(demo_documents: list[Document]) -> None:
    kinds = {doc.kind for doc in demo_documents}
    assert {"receipt", "acceptance_act", "return_label", "pick_list", "shift_report"} <= kinds
    for doc in demo_documents:
        image = png(doc)
        assert image.width == 576 and image.height > 200, doc.kind
        if any(isinstance(b, Barcode) for b in doc.blocks):
            assert barcodes(image), f"{doc.kind}: no barcode found"
    assert png(demo_documents[0], width_px=384).width == 384  # 58 mm paper


def test_height_grows_with_content() -> None:
    short = Document("receipt", "Квитанция", (Text("Одна строка"),))
    long = Document("receipt", "Квитанция", (Text("Одна строка"), Rule(), Feed(3), QR("https://example.org")))
    assert png(short).height < png(long).height
    doubled = Document("receipt", "Квитанция", (Text("Одна строка", double=True),))
    assert png(short).height < png(doubled).height


def test_cyrillic_is_drawn_with_real_glyphs() -> None:
    assert preview_font()["cyrillic"], f"no Cyrillic font (install fonts-dejavu-core): {preview_font()}"

    def pixels(text: str) -> bytes:
        return preview_image(Document("t", "", (Text(text),))).tobytes()

    russian = pixels("Съешь же ещё этих мягких французских булок")
    assert russian != pixels("?" * 42)
    assert pixels("ЖЖЖЖ") != pixels("ЩЩЩЩ")  # a font without Cyrillic draws both as the same boxes


def test_styles_change_pixels() -> None:
    def pixels(block: Text) -> bytes:
        return preview_image(Document("t", "", (block,))).tobytes()

    plain = pixels(Text("Итого"))
    assert plain != pixels(Text("Итого", bold=True))
    assert plain != pixels(Text("Итого", align=Align.RIGHT))
    assert plain != pixels(Text("Итого", double=True))


@pytest.mark.parametrize("data", ["12345678", "C-A-01-1", "PVZ-TEST-0123", "a{b}~ |x", "W"])
def test_drawn_code128_decodes_back(data: str) -> None:
    image = png(Document("label", "", (Barcode(data),)))
    assert barcodes(image) == [data]
    assert sum(code128_widths(data)) <= 11 * len(data) + 35  # digit pairs in code set C are shorter


def test_data_that_cannot_be_a_code128_is_drawn_as_a_qr_code(tmp_path: Path) -> None:
    for data in ("Ёлка", "X" * 60):
        image = png(Document("label", "", (Barcode(data),)))
        assert barcodes(image) == []
        assert zbar(image, tmp_path) == [f"QR-Code:{data}"]
    with pytest.raises(ValueError, match="printable ASCII"):
        code128_widths("Ёлка")


def test_cell_labels_document_has_a_decodable_barcode_per_cell(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db")
    docs = Documents(site="test-site", device_id="pvz-test-0001", lang="ru")
    every = docs.build("cell_labels", {"cells": []}, store.conn, STAMP)
    labels = [c.label for c in sorted(cells(), key=lambda c: c.address)]
    assert [b.data for b in every.blocks if isinstance(b, Barcode)] == labels
    assert barcodes(png(every)) == labels
    some = docs.build("cell_labels", {"cells": ["R-01-1", "A-01-2", "NOPE"]}, store.conn, STAMP)
    assert [b.data for b in some.blocks if isinstance(b, Barcode)] == ["C-R-01-1", "C-A-01-2"]
    assert any(isinstance(b, Text) and "NOPE" in b.text for b in some.blocks)
    assert device.documents.cell_labels.cell_labels is not None
    store.close()


def test_test_page_has_both_alphabets_a_barcode_and_a_qr(tmp_path: Path) -> None:
    docs = Documents(site="test-site", device_id="pvz-test-0001", lang="en")
    doc = docs.build("test_page", {"printer": "s1/printer"}, sqlite3.connect(":memory:"), STAMP)
    texts = " ".join(b.text for b in doc.blocks if isinstance(b, Text))
    assert device.documents.test_page.RU_PANGRAM in texts and device.documents.test_page.EN_PANGRAM in texts
    assert "s1/printer" in texts and "TM-T88V" in texts and "АБВГД" in texts
    assert any(isinstance(b, QR) for b in doc.blocks)
    sim = SimPrinter()
    sim.print_document(doc)
    on_paper = decode_stream(sim.printed[0].data)  # through the printer's code pages
    assert all(line in on_paper for line in device.documents.test_page.CHARSET_LINES)
    path = save_preview(doc, tmp_path / "test_page.png")
    assert barcodes(Image.open(path)) == [device.documents.test_page.TEST_BARCODE]


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setattr(preview, "FONT_CANDIDATES", (("/nonexistent/Mono.ttf", "/nonexistent/Bold.ttf"),))
    preview._fonts.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    preview._fonts.cache_clear()


def test_without_a_truetype_font_pillows_own_fonts_still_render(no_fonts: pytest.MonkeyPatch) -> None:
    doc = Document("receipt", "Квитанция", (Text("Итого", bold=True, double=True), Barcode("12345678")))
    assert preview_font()["font"] == "Pillow default"
    assert barcodes(png(doc)) == ["12345678"]
    default = ImageFont.load_default

    def old_pillow(size: Any = None) -> Any:
        if size is not None:
            raise TypeError("load_default() got an unexpected keyword argument 'size'")
        return default()

    no_fonts.setattr(ImageFont, "load_default", old_pillow)
    preview._fonts.cache_clear()
    assert preview_font() == {"font": "Pillow bitmap", "cyrillic": False, "bold": False, "cell_px": 6}
    assert barcodes(png(doc)) == ["12345678"]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        preview_png(Document("t", "", ()), width_px=10)
