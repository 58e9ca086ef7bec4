"""Tests for the ESC/POS and text renderers and the simulated printer, on python-escpos's Dummy."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from escpos.capabilities import CAPABILITIES, get_profile
from escpos.printer import Dummy, File
from hypothesis import given
from hypothesis import strategies as st

from drivers.base import Printer
from drivers.document import QR, Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from drivers.exc import PrinterError
from drivers.printer.escpos_render import DEFAULT_PROFILE, render
from drivers.printer.sim_printer import SimPrinter
from drivers.printer.text_render import clean, render_text

RECEIPT_LINE = "Выдача заказа 12345678, к оплате 1 234,50 ₽"
ON_PAPER = "Выдача заказа 12345678, к оплате 1 234,50 руб."
TOTAL_LINE = "К оплате" + " " * 21 + "1 234,50 руб."  # 42 columns
ESC_T = re.compile(rb"\x1bt(.)", re.DOTALL)  # ESC t n: select character code table n


def escpos_bytes(doc: Document, *, profile: str = DEFAULT_PROFILE, width: int = 42) -> bytes:
    printer = Dummy(profile=profile)
    render(printer, doc, width=width)
    data: bytes = printer.output
    return data


def decode_stream(data: bytes, profile: str = DEFAULT_PROFILE) -> str:
    """Decode a byte stream as the printer would: each ESC t n switches the code page.

    After ESC @ the printer is on table 0; ASCII command bytes decode to themselves.
    """
    code_pages = get_profile(profile).codePages
    parts = ESC_T.split(data)
    pages = [b"\x00", *parts[1::2]]
    out = []
    for page, chunk in zip(pages, parts[0::2], strict=True):
        encoding = CAPABILITIES["encodings"][code_pages[str(page[0])]]["python_encode"]
        out.append(chunk.decode(encoding))
    return "".join(out)


def receipt() -> Document:
    return Document(
        kind="receipt",
        title="ПВЗ №7",
        blocks=(
            Text("Квитанция", bold=True, double=True, align=Align.CENTER),
            Rule(),
            Text(RECEIPT_LINE),
            Columns("К оплате", "1 234,50 ₽"),
            Barcode("12345678"),
            QR("https://pvz.example/o/12345678"),
            Feed(2),
            Text("Спасибо!", align=Align.RIGHT),
        ),
    )


# --- ESC/POS bytes --------------------------------------------------------------------


def test_default_profile_has_cyrillic_code_page() -> None:
    assert "CP866" in get_profile(DEFAULT_PROFILE).codePages.values()


def test_russian_text_decodes_back_with_the_selected_code_page() -> None:
    data = escpos_bytes(Document("receipt", "ПВЗ №7", (Text(RECEIPT_LINE),)), width=60)
    code_pages = get_profile(DEFAULT_PROFILE).codePages
    # The first Cyrillic letter is preceded by ESC t 17, which the profile names CP866.
    cyrillic_at = data.index("П".encode("cp866"))
    assert data[cyrillic_at - 3 : cyrillic_at] == b"\x1bt\x11"
    assert code_pages["17"] == "CP866"
    decoded = decode_stream(data)
    assert "ПВЗ №7\n" in decoded
    assert ON_PAPER + "\n" in decoded  # ₽ is not in CP866: printed as "руб."
    assert "?" not in decoded


def test_each_document_selects_its_code_page_again() -> None:
    # ESC @ at the start of a job resets the printer's table, so a reused printer object
    # must send ESC t again instead of trusting what it sent for the previous job.
    printer = Dummy(profile=DEFAULT_PROFILE)
    doc = Document("receipt", "", (Text("Выдача"),))
    render(printer, doc)
    first = printer.output
    render(printer, doc)
    second = printer.output[len(first) :]
    assert b"\x1bt\x11" in first and b"\x1bt\x11" in second


def test_cyrillic_survives_a_cjk_character_on_the_same_line() -> None:
    # python-escpos would send such a line as GB18030 bytes; the renderer prevents that.
    data = escpos_bytes(Document("receipt", "", (Text("Товар 手机 чехол"),)))
    assert "Товар ?? чехол" in decode_stream(data)


def test_commands_for_styles_codes_and_cut() -> None:
    data = escpos_bytes(receipt())
    assert data.startswith(b"\x1b@")  # ESC @ reset
    assert b"\x1bE\x01" in data  # bold
    assert b"\x1b!\x30" in data  # double width and height
    assert b"\x1ba\x01" in data and b"\x1ba\x02" in data  # centre, right
    assert b"\x1dkI\x06{C\x0c\x22\x38\x4e" in data  # GS k 73: Code128, code set C: 12 34 56 78
    payload = b"https://pvz.example/o/12345678"
    header = (len(payload) + 3).to_bytes(2, "little")
    assert b"\x1d(k" + header + b"1P0" + payload in data  # GS ( k: store QR data
    assert b"\x1d(k\x03\x001Q0" in data  # GS ( k: print QR
    assert data.endswith(b"\x1dV\x00")  # GS V: full cut


def test_code128_escapes_brace() -> None:
    data = escpos_bytes(Document("receipt", "", (Barcode("A{1"),)))
    assert b"\x1dkI\x06{BA{{1" in data


@pytest.mark.parametrize("code", ["Заказ-1", "X" * 40])
def test_a_code_that_cannot_be_a_code128_on_the_paper_prints_as_a_qr(code: str) -> None:
    doc = Document("receipt", "", (Barcode(code),))
    data = escpos_bytes(doc)
    assert b"\x1dk" not in data
    payload = code.encode("utf-8")
    assert b"\x1d(k" + (len(payload) + 3).to_bytes(2, "little") + b"1P0" + payload in data
    assert render_text(doc).strip() == f"[QR] {code}"


def test_profile_without_native_codes_uses_images() -> None:
    # NT-5890K (58 mm) has no GS k Code128 and no native QR: python-escpos draws images.
    doc = Document("receipt", "Выдача", (Barcode("12345678"), QR("https://pvz.example")))
    data = escpos_bytes(doc, profile="NT-5890K", width=32)
    assert b"\x1dk" not in data
    assert b"\x1d(k" not in data
    assert b"\x1b*" in data  # bit image
    before_images = data.split(b"\x1b*", 1)[0]
    assert "Выдача" in decode_stream(before_images, profile="NT-5890K")


def test_backend_failure_becomes_printer_error(tmp_path: Path) -> None:
    printer = File(devfile=str(tmp_path / "missing" / "lp0"), profile=DEFAULT_PROFILE)
    with pytest.raises(PrinterError, match="receipt"):
        render(printer, receipt())


# --- text rendering --------------------------------------------------------------------


def test_render_text_shows_the_paper() -> None:
    doc = Document(
        kind="receipt",
        title="ПВЗ №7",
        blocks=(
            Text("Итого", double=True, align=Align.CENTER),
            Rule(),
            Columns("К оплате", "1 234,50 ₽"),
            Barcode("12345678"),
            QR("https://x.ru/1"),
            Feed(1),
            Text("Спасибо!", align=Align.RIGHT),
        ),
    )
    assert render_text(doc, width=30) == (
        "            ПВЗ №7\n"
        "          Итого\n"
        "------------------------------\n"
        "К оплате         1 234,50 руб.\n"
        "       ||| 12345678 |||\n"
        "     [QR] https://x.ru/1\n"
        "\n"
        "                      Спасибо!\n"
    )


def test_columns_wrap_the_left_part_and_keep_the_right_part_right() -> None:
    doc = Document("receipt", "", (Columns("Очень длинное название товара", "99 ₽"),))
    assert render_text(doc, width=20) == ("Очень длинное\nназвание товара\n             99 руб.\n")


def test_clean_strips_controls_and_keeps_word_breaks() -> None:
    assert clean("a\x1b\x00b\tc\nd\u00a0e\u200bf\x85g") == "ab c d ef g"
    assert clean("«Да» — 5 ₽…") == '"Да" - 5 руб....'


# --- simulated printer -----------------------------------------------------------------


def test_sim_printer_records_bytes_and_text() -> None:
    sim = SimPrinter()
    assert isinstance(sim, Printer)
    sim.print_document(receipt())
    [entry] = sim.printed
    assert entry.number == 1
    assert entry.doc == receipt()
    assert entry.data == escpos_bytes(receipt())
    assert entry.text == render_text(receipt())
    assert TOTAL_LINE + "\n" in entry.text
    assert sim.status() == {
        "name": "sim-printer",
        "state": "ready",
        "fault": None,
        "paper": "ok",
        "printed": 1,
        "profile": DEFAULT_PROFILE,
        "out_dir": None,
    }
    sim.set_fault("paper out")
    assert (sim.status()["state"], sim.status()["paper"]) == ("paper out", "out")


def test_sim_printer_fault_raises_and_records_nothing(tmp_path: Path) -> None:
    sim = SimPrinter(out_dir=tmp_path)
    sim.fail_with = "paper out"
    with pytest.raises(PrinterError, match="paper out"):
        sim.print_document(receipt())
    assert not sim.printed
    assert list(tmp_path.iterdir()) == []
    assert sim.status()["state"] == "paper out"
    sim.set_fault(None)
    sim.print_document(receipt())
    assert [e.number for e in sim.printed] == [1]
    assert sim.status()["state"] == "ready"


def test_sim_printer_writes_numbered_files(tmp_path: Path) -> None:
    sim = SimPrinter(out_dir=tmp_path / "receipts")
    sim.print_document(receipt())
    sim.print_document(Document("acceptance_act", "Акт", (Text("Принято: 3"),)))
    out = tmp_path / "receipts"
    assert sorted(p.name for p in out.iterdir()) == [
        "0001-receipt.bin",
        "0001-receipt.txt",
        "0002-acceptance_act.bin",
        "0002-acceptance_act.txt",
    ]
    assert (out / "0001-receipt.bin").read_bytes() == sim.printed[0].data
    assert TOTAL_LINE in (out / "0001-receipt.txt").read_text(encoding="utf-8")
    # A restarted printer continues the numbering; odd kinds make safe file names.
    again = SimPrinter(out_dir=out)
    again.print_document(Document("../x y", "", ()))
    assert (out / "0003-x_y.bin").exists()
    assert again.printed[0].number == 3


def test_sim_printer_rejects_unknown_profile() -> None:
    with pytest.raises(ValueError, match="no-such-printer"):
        SimPrinter(profile="no-such-printer")


# --- properties ------------------------------------------------------------------------

# Any code point, including controls and lone surrogates, as a broken scanner might send.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=60)

BLOCKS: st.SearchStrategy[Block] = st.one_of(
    st.builds(Text, ANY_TEXT, st.booleans(), st.booleans(), st.sampled_from(Align)),
    st.builds(Columns, ANY_TEXT, ANY_TEXT),
    st.just(Rule()),
    st.builds(Barcode, ANY_TEXT),
    st.builds(QR, ANY_TEXT),
    st.builds(Feed, st.integers(min_value=-5, max_value=1000)),
)
DOCUMENTS = st.builds(Document, ANY_TEXT, ANY_TEXT, st.tuples(BLOCKS, BLOCKS, BLOCKS))


@given(DOCUMENTS)
def test_json_round_trip(doc: Document) -> None:
    assert Document.from_json(json.loads(json.dumps(doc.to_json()))) == doc


@given(DOCUMENTS, st.integers(min_value=1, max_value=64))
def test_render_text_never_emits_control_characters(doc: Document, width: int) -> None:
    text = render_text(doc, width=width)
    assert text.endswith("\n")
    assert not any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in text.replace("\n", ""))
    text.encode("utf-8")  # previews are written as UTF-8 files


@given(DOCUMENTS)
def test_escpos_render_never_fails_on_any_document(doc: Document) -> None:
    data = escpos_bytes(doc)
    assert data.startswith(b"\x1b@")
    assert data.endswith(b"\x1dV\x00")


@given(ANY_TEXT)
def test_text_reaches_the_printer_without_raw_control_bytes(text: str) -> None:
    # Bytes of a left-aligned line sit between the style commands and the final cut.
    # Code page switches (ESC t n) may appear anywhere in text, so compare without them.
    empty = ESC_T.sub(b"", escpos_bytes(Document("receipt", "", (Text(""),))))
    head, tail = empty.split(b"\n", 1)
    data = ESC_T.sub(b"", escpos_bytes(Document("receipt", "", (Text(text),))))
    assert data.startswith(head) and data.endswith(b"\n" + tail)
    payload = data[len(head) : len(data) - len(tail)]
    assert all(byte >= 0x20 or byte == 0x0A for byte in payload)
    assert 0x7F not in payload
