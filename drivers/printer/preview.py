"""A PNG picture of a Document as an 80 mm thermal printer would put it on paper (Pillow)."""

from __future__ import annotations

import functools
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qrcode  # type: ignore[import-untyped, unused-ignore]
from PIL import Image, ImageDraw, ImageFont

from drivers.document import QR, Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from drivers.printer import code128
from drivers.printer.escpos_render import BARCODE_HEIGHT
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

log = logging.getLogger("pvz.preview")

# Fonts tried in order, the first that has Cyrillic glyphs wins: DejaVu Sans Mono from
# Debian's fonts-dejavu-core (then its Fedora and Arch paths), Liberation Mono, FreeMono,
# then DejaVu by name (Pillow searches the system font folders). Without any of them the
# preview falls back to Pillow's bundled font (Pillow >= 10.1: Aileron, Latin only: Cyrillic
# comes out as boxes) and then to its old bitmap font (Latin-1 only: other letters become "?").
FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    ),
    ("/usr/share/fonts/dejavu/DejaVuSansMono.ttf", "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSansMono.ttf", "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf"),
    (
        "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/freefont/FreeMono.ttf",
        "/usr/share/fonts/truetype/freefont/FreeMonoBold.ttf",
    ),
    ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
)
COLUMNS = 42  # characters per line, as the printer is configured (print.width)
MARGIN_PX = 16
HRI_GAP_PX = 4  # between a barcode and its human-readable text


@dataclass(frozen=True)
class _Fonts:
    regular: Any
    bold: Any | None  # None: faux bold, the line drawn twice one pixel apart
    name: str
    cyrillic: bool
    latin1_only: bool  # Pillow's bitmap font cannot even encode other letters
    cell: int  # advance of one character, pixels
    line: int  # line height, pixels


def _covers_cyrillic(font: Any) -> bool:
    def glyph(ch: str) -> bytes:
        image = Image.new("L", (64, 64), 0)
        ImageDraw.Draw(image).text((8, 8), ch, font=font, fill=255)
        return image.tobytes()

    try:
        zhe = glyph("Ж")
    except UnicodeEncodeError:
        return False
    return zhe not in (glyph("Щ"), glyph("\U0010fffd"))


@functools.cache
def _fonts(width_px: int, columns: int) -> _Fonts:
    """The best font at the size that fits `columns` characters in `width_px` (see FONT_CANDIDATES)."""
    room = max(columns, width_px - 2 * MARGIN_PX)
    found: list[_Fonts] = []
    for regular, bold in FONT_CANDIDATES:
        try:
            probe = ImageFont.truetype(regular, 100)
        except OSError:
            continue
        size = max(1, math.floor(100 * room / columns / probe.getlength("M")))
        font: Any = ImageFont.truetype(regular, size)
        try:
            bold_font: Any | None = ImageFont.truetype(bold, size)
        except OSError:
            bold_font = None
        cell = max(1, math.floor(font.getlength("M")))
        ascent, descent = font.getmetrics()
        found.append(
            _Fonts(font, bold_font, str(font.path), _covers_cyrillic(font), False, cell, ascent + descent)
        )
        if found[-1].cyrillic:
            return found[-1]
    if found:
        log.warning("preview: no font with Cyrillic found; using %s", found[0].name)
        return found[0]
    try:
        size = max(1, math.floor(room / columns * 1.6))
        font = ImageFont.load_default(size=size)  # Pillow >= 10.1 with FreeType
        return _Fonts(
            font, None, "Pillow default", _covers_cyrillic(font), False, room // columns, size + size // 4
        )
    except (TypeError, ImportError, OSError):  # older Pillow, or no FreeType
        font = ImageFont.load_default()
        return _Fonts(font, None, "Pillow bitmap", False, True, 6, 11)


def preview_font(*, width_px: int = 576, columns: int = COLUMNS) -> dict[str, Any]:
    """Which font previews use and whether it has Cyrillic (for diagnostics)."""
    fonts = _fonts(width_px, columns)
    return {
        "font": fonts.name,
        "cyrillic": fonts.cyrillic,
        "bold": fonts.bold is not None,
        "cell_px": fonts.cell,
    }


@functools.lru_cache(maxsize=4096)
def _glyph(fonts: _Fonts, ch: str, bold: bool) -> Image.Image:
    """The ink of one character (255 = black), two cells wide for overhangs; drawn once, pasted often."""
    mask = Image.new("L", (2 * fonts.cell, fonts.line), 0)
    draw = ImageDraw.Draw(mask)
    font = fonts.bold if bold and fonts.bold is not None else fonts.regular
    draw.text((0, 0), ch, font=font, fill=255)
    if bold and fonts.bold is None:
        draw.text((1, 0), ch, font=font, fill=255)
    return mask


class _Sheet:
    """Rows of pixels from top to bottom, pasted onto one sheet at the end."""

    def __init__(self, width_px: int, columns: int) -> None:
        self.width = width_px
        self.columns = columns
        self.fonts = _fonts(width_px, columns)
        self.rows: list[tuple[Image.Image | None, int, int]] = []  # image, x, height

    def text(self, line: str, *, bold: bool = False, double: bool = False, align: Align = Align.LEFT) -> None:
        f = self.fonts
        if f.latin1_only:
            line = line.encode("latin-1", "replace").decode("latin-1")
        image = Image.new("L", ((len(line) + 1) * f.cell, f.line), 255)
        for i, ch in enumerate(line):  # fixed cells: columns line up whatever the font
            if not ch.isspace():
                image.paste(0, (i * f.cell, 0), _glyph(f, ch, bold))
        image = image.crop((0, 0, max(1, len(line) * f.cell), f.line))
        if double:  # printers double the glyph bitmap, and so does the preview
            image = image.resize((image.width * 2, image.height * 2), Image.Resampling.NEAREST)
        self.image(image, align)

    def image(self, image: Image.Image, align: Align = Align.CENTER) -> None:
        area = self.columns * self.fonts.cell
        left = max(0, (self.width - area) // 2)
        free = max(0, area - image.width)
        x = left + {Align.LEFT: 0, Align.CENTER: free // 2, Align.RIGHT: free}[align]
        self.rows.append((image, min(x, max(0, self.width - image.width)), image.height))

    def space(self, height: int) -> None:
        self.rows.append((None, 0, height))

    def render(self) -> Image.Image:
        height = 2 * MARGIN_PX + sum(h for _, _, h in self.rows)
        sheet = Image.new("L", (self.width, height), 255)
        y = MARGIN_PX
        for image, x, h in self.rows:
            if image is not None:
                sheet.paste(image, (x, y))
            y += h
        return sheet


def _barcode(sheet: _Sheet, data: str) -> None:
    # The same module width as the printer is sent (fit.py), so the picture is what prints.
    module = barcode_module_width(data, sheet.columns)
    if module is None:
        _qr(sheet, data)  # as the printer does with a code too wide for Code 128
        return
    widths = code128.widths(data)
    image = Image.new("L", (sum(widths) * module, BARCODE_HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    x = 0
    for i, w in enumerate(widths):
        if i % 2 == 0:  # even positions are bars
            draw.rectangle((x, 0, x + w * module - 1, BARCODE_HEIGHT - 1), fill=0)
        x += w * module
    sheet.image(image)
    sheet.space(HRI_GAP_PX)
    sheet.text(data, align=Align.CENTER)


def _qr(sheet: _Sheet, data: str) -> None:
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=qr_module(data, sheet.columns), border=0
    )
    code.add_data(data.encode("utf-8"))
    sheet.image(code.make_image().get_image().convert("L"))
    sheet.space(HRI_GAP_PX)


def _block(sheet: _Sheet, block: Block) -> None:
    match block:
        case Text():
            for line in text_lines(block, sheet.columns):
                sheet.text(line, bold=block.bold, double=block.double, align=block.align)
        case Columns():
            for line in column_lines(block, sheet.columns):
                sheet.text(line)
        case Rule():
            sheet.text(rule_line(sheet.columns))
        case Barcode():
            data = barcode_data(block)
            if data:
                _barcode(sheet, data)
        case QR():
            data = qr_data(block)
            if data:
                _qr(sheet, data)
        case Feed():
            sheet.space(feed_count(block) * sheet.fonts.line)


def preview_image(doc: Document, *, width_px: int = 576, columns: int = COLUMNS) -> Image.Image:
    """The document on paper `width_px` dots wide (576: 80 mm paper at 203 dpi) with `columns` characters."""
    if width_px < 64 or columns < 1:
        raise ValueError(f"preview needs at least 64 px and 1 column, got {width_px} px, {columns}")
    sheet = _Sheet(width_px, columns)
    for block in all_blocks(doc):
        _block(sheet, block)
    return sheet.render()


def preview_png(doc: Document, *, width_px: int = 576, columns: int = COLUMNS) -> bytes:
    """The document as a PNG image of the paper it would print on."""
    out = io.BytesIO()
    preview_image(doc, width_px=width_px, columns=columns).save(out, format="PNG")
    return out.getvalue()


def save_preview(doc: Document, path: Path | str, *, width_px: int = 576, columns: int = COLUMNS) -> Path:
    """Write the document's PNG preview to `path`; return the path."""
    target = Path(path)
    target.write_bytes(preview_png(doc, width_px=width_px, columns=columns))
    return target
