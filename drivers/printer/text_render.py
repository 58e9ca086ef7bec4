"""Plain-text rendering of a Document, plus the line layout shared with the ESC/POS renderer."""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Iterator

from drivers.document import QR, Align, Barcode, Block, Columns, Document, Feed, Rule, Text
from drivers.printer.fit import barcode_module_width

# Receipt printers have no ₽ and no typographic punctuation in their Cyrillic code page
# (CP866); without these substitutions they would print "?" or hop between code pages.
_SUBSTITUTES = str.maketrans(
    {
        "₽": "руб.",
        "—": "-",
        "–": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
        "«": '"',
        "»": '"',
        "„": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
    }
)
# Unicode categories that must never reach paper: controls would be sent as raw ESC/POS
# bytes (a stray ESC or GS is a printer command); format, surrogate, private and
# unassigned characters have no glyph and would break UTF-8 output files.
_DROPPED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
MAX_FEED = 20  # a corrupt queue entry must not spool metres of blank paper


def clean(text: str) -> str:
    """Text safe for any printer: controls stripped, whitespace flattened, ₽ spelled out."""
    out: list[str] = []
    for ch in text.translate(_SUBSTITUTES):
        category = unicodedata.category(ch)
        if category in _DROPPED or category == "Zs":
            # Keep word boundaries (tab, newline, NBSP) but lose the control itself.
            if ch.isspace():
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def wrap(text: str, width: int) -> list[str]:
    """Word-wrapped lines of already clean text; an empty text is one blank line.

    Lines break at spaces only, never at a hyphen: "pvz-demo-0001" or a barcode stays whole
    on one line (only a word longer than the whole line is cut).
    """
    return textwrap.wrap(text, max(1, width), break_on_hyphens=False) or [""]


def text_lines(block: Text, width: int) -> list[str]:
    """The lines of a Text block; double-size glyphs take two columns each."""
    return wrap(clean(block.text), max(1, width // 2) if block.double else width)


def column_lines(block: Columns, width: int) -> list[str]:
    """Left part and right-aligned right part; wraps the left part when both do not fit."""
    left = clean(block.left).strip()
    right = clean(block.right).strip()
    gap = 1 if left else 0
    if len(left) + gap + len(right) <= width:
        return [left + " " * (width - len(left) - len(right)) + right]
    lines = wrap(left, width) if left else []
    rights = wrap(right, width)
    if lines and len(rights) == 1 and len(lines[-1]) + 1 + len(rights[0]) <= width:
        lines[-1] += rights[0].rjust(width - len(lines[-1]))
        return lines
    return lines + [r.rjust(width) for r in rights]


def rule_line(width: int) -> str:
    return "-" * width


def feed_count(block: Feed) -> int:
    return min(max(block.lines, 0), MAX_FEED)


def barcode_data(block: Barcode) -> str:
    return clean(block.data).strip()


def qr_data(block: QR) -> str:
    return clean(block.data).strip()


def title_block(doc: Document) -> Text | None:
    """The document title, printed as a bold centred first line when not empty."""
    title = clean(doc.title).strip()
    return Text(title, bold=True, align=Align.CENTER) if title else None


def mark_block(doc: Document) -> Text | None:
    """The document's mark ("КОПИЯ"), printed double size, bold and centred above the title."""
    mark = clean(doc.mark).strip()
    return Text(mark, bold=True, double=True, align=Align.CENTER) if mark else None


def all_blocks(doc: Document) -> Iterator[Block]:
    mark = mark_block(doc)
    if mark is not None:
        yield mark
    title = title_block(doc)
    if title is not None:
        yield title
    yield from doc.blocks


def _align(line: str, align: Align, width: int, double: bool) -> str:
    # A double-size glyph covers two columns, so pad by the printed width, not len().
    printed = len(line) * (2 if double else 1)
    if align is Align.CENTER:
        return " " * max(0, (width - printed) // 2) + line
    if align is Align.RIGHT:
        return " " * max(0, width - printed) + line
    return line


def _centred(line: str, width: int) -> str:
    # Code lines are never wrapped so their data stays whole and greppable in previews.
    return _align(line, Align.CENTER, width, double=False)


def block_text_lines(block: Block, width: int) -> list[str]:
    """What one block looks like on paper, as text lines."""
    match block:
        case Text():
            return [_align(ln, block.align, width, block.double) for ln in text_lines(block, width)]
        case Columns():
            return column_lines(block, width)
        case Rule():
            return [rule_line(width)]
        case Barcode():
            data = barcode_data(block)
            if not data:
                return []
            if barcode_module_width(data, width) is None:
                return [_centred(f"[QR] {data}", width)]  # too wide for Code 128: a QR code
            return [_centred(f"||| {data} |||", width)]
        case QR():
            data = qr_data(block)
            return [_centred(f"[QR] {data}", width)] if data else []
        case Feed():
            return [""] * feed_count(block)
    raise TypeError(f"not a document block: {block!r}")


def render_text(doc: Document, *, width: int = 42) -> str:
    """The document as a person would read it on paper `width` characters wide."""
    if width < 1:
        raise ValueError(f"paper width must be at least 1 character, got {width}")
    lines = [line.rstrip() for block in all_blocks(doc) for line in block_text_lines(block, width)]
    return "\n".join(lines) + "\n"
