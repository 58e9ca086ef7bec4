"""How a code fits the paper: Code 128 dots a module, or a QR code when a Code 128 would not fit.

A printer silently drops a barcode wider than the paper, so every renderer (ESC/POS bytes,
text, PNG preview) asks here first and they all agree: the same code set, the same module
width, the same switch to a QR code. A label is never printed without a scannable code.
"""

from __future__ import annotations

import qrcode  # type: ignore[import-untyped, unused-ignore]
from qrcode.exceptions import DataOverflowError  # type: ignore[import-untyped, unused-ignore]

from drivers.exc import PrinterError
from drivers.printer import code128

DOTS_PER_CHAR = 12  # font A cell width on common 58/80 mm printers (32/42 columns: 384/504 dots)
# GS w takes 2..6 on Epson TM printers (and python-escpos refuses 1): one dot, 0.125 mm at
# 203 dpi, is below what hand scanners read reliably off thermal paper anyway.
CODE128_MODULES_DOTS = (3, 2)
QR_SIZE = 6  # dots per module: a 50-character URL comes out about 25 mm wide
QR_MIN_SIZE = 2
QR_QUIET_MODULES = 4


class CodeTooLarge(PrinterError, ValueError):
    """Data too long for any code this paper can carry: the document fails instead of printing unscannable."""


def paper_dots(width: int) -> int:
    """Printable dots across paper `width` characters wide (32 columns: 384 dots, 58 mm)."""
    return width * DOTS_PER_CHAR


def barcode_module_width(data: str, width: int) -> int | None:
    """Code 128 dots a module (3, else 2) that fits `width` columns with its quiet zones.

    None: the data is no Code 128 (not printable ASCII) or too wide even at 2 dots; such a
    code is printed as a QR code (see qr_module).
    """
    if not code128.encodable(data):
        return None
    need = code128.modules(data) + 2 * code128.QUIET_MODULES
    for module in CODE128_MODULES_DOTS:
        if need * module <= paper_dots(width):
            return module
    return None


def qr_modules(data: str) -> int:
    """Modules across the QR code of `data` at error correction L (as the printer makes it)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    code.add_data(data.encode("utf-8"))
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as exc:  # ValueError: "Invalid version" past 40
        raise CodeTooLarge(f"{len(data)} characters do not fit any QR code") from exc
    return int(code.modules_count)


def qr_module(data: str, width: int) -> int:
    """QR dots a module: QR_SIZE, smaller when that is wider than the paper; CodeTooLarge below 2."""
    across = qr_modules(data) + 2 * QR_QUIET_MODULES
    size = min(QR_SIZE, paper_dots(width) // across)
    if size < QR_MIN_SIZE:
        raise CodeTooLarge(f"a QR code of {len(data)} characters needs {across * QR_MIN_SIZE} dots")
    return size
