"""Renders a Document on any python-escpos printer (Dummy, File, Usb, Serial, Network)."""

from __future__ import annotations

import contextlib
import io
import threading

from escpos.capabilities import CAPABILITIES, NotSupported
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from drivers.document import QR, Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from drivers.exc import PrinterError
from drivers.printer import code128
from drivers.printer.fit import barcode_module_width, qr_module
from drivers.printer.text_render import (
    all_blocks,
    barcode_data,
    column_lines,
    feed_count,
    qr_data,
    rule_line,
    text_lines,
)

# Epson TM-T88V: the common 80 mm, 42-column receipt printer; its profile maps ESC t 17 to
# CP866 (and 46 to CP1251), so python-escpos's magic encoder prints Cyrillic natively.
DEFAULT_PROFILE = "TM-T88V"
BARCODE_HEIGHT = 80  # dots, about 10 mm: easy for hand scanners
_ALIGN = {Align.LEFT: "left", Align.CENTER: "center", Align.RIGHT: "right"}
# python-escpos backends fail with escpos errors, OSError (USBError, SerialException,
# socket errors), AssertionError (write to a device that never opened), ValueError and
# RuntimeError (missing pyusb/pyserial); the runtime must only ever see PrinterError.
_BACKEND_ERRORS = (EscposError, NotSupported, OSError, AssertionError, ValueError, RuntimeError)
# barcode() print()s "Using hardware barcode renderer" to stdout; the lock keeps
# concurrent renders from restoring each other's redirected stdout.
_QUIET = threading.Lock()


def render(printer: Escpos, doc: Document, *, width: int = 42) -> None:
    """Print `doc` on `printer` at `width` characters per line, then cut.

    Raises PrinterError when the printer or its connection fails.
    """
    if width < 1:
        raise ValueError(f"paper width must be at least 1 character, got {width}")
    try:
        printer.hw("INIT")
        _forget_code_page(printer)
        paper = _Paper(printer, width)
        for block in all_blocks(doc):
            paper.block(block)
        printer.cut()
    except _BACKEND_ERRORS as exc:
        raise PrinterError(f"printer failed on {doc.kind!r} document: {exc}") from exc


def _forget_code_page(printer: Escpos) -> None:
    # ESC @ resets the printer's code page (a power cycle does too), so the encoder must not
    # trust its idea of the current one: with none known, the first text re-sends ESC t.
    magic = printer.magic
    fixed = magic.encoding if magic.disabled else None
    magic.encoding = None
    if fixed:  # magic encoding turned off for one code page: select it again
        magic.write_with_encoding(fixed, None)


class _Paper:
    """One render pass: block-by-block output with code-page-safe text."""

    def __init__(self, printer: Escpos, width: int) -> None:
        self.printer = printer
        self.width = width
        self._printable: dict[str, str] = {}
        self._style_sent: tuple[Align, bool, bool] | None = None

    def block(self, block: Block) -> None:
        match block:
            case Text():
                self._style(block.align, bold=block.bold, double=block.double)
                self._lines(text_lines(block, self.width))
            case Columns():
                self._style(Align.LEFT)
                self._lines(column_lines(block, self.width))
            case Rule():
                self._style(Align.LEFT)
                self._lines([rule_line(self.width)])
            case Barcode():
                self._barcode(barcode_data(block))
            case QR():
                self._qr(qr_data(block))
            case Feed():
                self._style(Align.LEFT)
                self.printer.ln(feed_count(block))

    def _style(self, align: Align, *, bold: bool = False, double: bool = False) -> None:
        if self._style_sent == (align, bold, double):
            return  # each set() costs several command bytes per line otherwise
        self._style_sent = (align, bold, double)
        self.printer.set(
            align=_ALIGN[align],
            bold=bold,
            normal_textsize=not double,
            double_width=double,
            double_height=double,
        )

    def _lines(self, lines: list[str]) -> None:
        for line in lines:
            self.printer.textln(self._encodable(line))

    def _encodable(self, text: str) -> str:
        # Characters outside every code page of the profile become "?" here rather than in
        # the magic encoder, which would send a whole line containing a CJK character as
        # raw GB18030 bytes, garbling the Cyrillic on the same line.
        encoder = self.printer.magic.encoder
        out: list[str] = []
        for ch in text:
            if ch not in self._printable:
                ok = ch.isascii() or any(encoder.can_encode(cp, ch) for cp in encoder.codepages)
                self._printable[ch] = ch if ok else "?"
            out.append(self._printable[ch])
        return "".join(out)

    def _barcode(self, data: str) -> None:
        if not data:
            return
        module = barcode_module_width(data, self.width)
        if module is None:
            self._qr(data)  # too wide for Code 128 on this paper: a QR code, never plain text
            return
        self._style(Align.CENTER)
        with _QUIET, contextlib.redirect_stdout(io.StringIO()):
            if self.printer.profile.supports("barcodeB"):
                # Native GS k Code128: code sets B and C (digit pairs as bytes), see code128.py.
                self.printer.barcode(
                    code128.escpos_data(data),
                    "CODE128",
                    height=BARCODE_HEIGHT,
                    width=module,
                    function_type="B",
                )
            else:
                # The software (image) encoder takes the bare data, no code set prefix.
                self.printer.barcode(
                    data, "CODE128", height=BARCODE_HEIGHT, width=module, force_software=True
                )

    def _qr(self, data: str) -> None:
        if not data:
            return
        size = qr_module(data, self.width)
        self._style(Align.CENTER)  # ESC a also positions native 2D codes
        if self.printer.profile.supports("qrCode"):
            self.printer.qr(data, size=size, native=True)
        else:
            self.printer.qr(data, size=size, native=False, center=True)


def profiles() -> list[str]:
    """The printer profiles python-escpos knows, by name (a config's `profile` is one of them)."""
    return sorted(CAPABILITIES["profiles"])
