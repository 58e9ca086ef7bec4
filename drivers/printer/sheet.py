"""A document on A4 sheets for an office printer: one tile per label in a grid, as PDF or PNG pages.

A document's blocks are cut into tiles at its rules (cell labels: one cell each; the command
card: one command each). Each tile is drawn by the thermal preview at its own size, so the
barcodes are the same Code 128 (or QR) at whole dots a module, never resampled. The default
grid is 3 x 7 tiles of 70 x 42.4 mm: the common A4 sheet of 21 stickers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from drivers.document import Block, Document, Feed, Rule
from drivers.printer.preview import preview_image

DPI = 300
SCALE = 2  # page pixels per preview pixel
MM = DPI / 25.4
A4_MM = (210, 297)


@dataclass(frozen=True, slots=True)
class Grid:
    """Tiles across and down one A4 page, each `tile_mm` big, the grid centred on the page."""

    columns: int = 3
    rows: int = 7
    tile_mm: tuple[float, float] = (70.0, 42.4)
    columns_text: int = 32  # characters across one tile, as on 58 mm paper
    cut_lines: bool = True  # thin grey lines between tiles, for scissors; sticker sheets come pre-cut

    def __post_init__(self) -> None:
        if self.columns < 1 or self.rows < 1:
            raise ValueError(f"a grid needs at least one tile, got {self.columns} x {self.rows}")
        if self.columns * self.tile_mm[0] > A4_MM[0] or self.rows * self.tile_mm[1] > A4_MM[1]:
            raise ValueError(f"{self.columns} x {self.rows} tiles of {self.tile_mm} mm do not fit A4")


STICKERS = Grid()  # 21 stickers of 70 x 42.4 mm (cell labels)
CARD = Grid(columns=2, rows=6, tile_mm=(100.0, 48.0), columns_text=42)  # command card: 80 mm wide codes


def tiles(doc: Document) -> list[tuple[Block, ...]]:
    """The document's blocks cut at its rules, without the blank lines that space a thermal strip;
    a piece with nothing in it is dropped."""
    out: list[tuple[Block, ...]] = []
    piece: list[Block] = []
    for block in (*doc.blocks, Rule()):
        if isinstance(block, Rule):
            if piece:
                out.append(tuple(piece))
            piece = []
        elif not isinstance(block, Feed):
            piece.append(block)
    return out


def _px(mm: float) -> int:
    return round(mm * MM)


def _tile_image(doc: Document, blocks: tuple[Block, ...], grid: Grid) -> Image.Image:
    width, height = _px(grid.tile_mm[0]), _px(grid.tile_mm[1])
    # Drawn at half the page's resolution and doubled: a module of 2 dots becomes 4 px at
    # 300 dpi, 0.34 mm, as wide as on the thermal printer; an integer factor keeps bars whole.
    strip = preview_image(Document(doc.kind, "", blocks), width_px=width // SCALE, columns=grid.columns_text)
    image = strip.resize((strip.width * SCALE, strip.height * SCALE), Image.Resampling.NEAREST)
    if image.height > height:
        # Cropping would lose the code's lower part or its text; whole dots a module need an
        # integer factor, so a tile too tall for its sticker is an error of the grid, not a guess.
        raise ValueError(f"a {doc.kind} tile is {image.height} px tall, the grid holds {height} px")
    tile = Image.new("L", (width, height), 255)
    tile.paste(image, (0, (height - image.height) // 2))
    return tile


def pages(doc: Document, grid: Grid = STICKERS) -> list[Image.Image]:
    """A4 pages at DPI with the document's tiles in reading order; at least one page."""
    page_size = (_px(A4_MM[0]), _px(A4_MM[1]))
    tile_w, tile_h = _px(grid.tile_mm[0]), _px(grid.tile_mm[1])
    left = (page_size[0] - grid.columns * tile_w) // 2
    top = (page_size[1] - grid.rows * tile_h) // 2
    per_page = grid.columns * grid.rows
    pieces = tiles(doc)
    out: list[Image.Image] = []
    for first in range(0, max(1, len(pieces)), per_page):
        page = Image.new("L", page_size, 255)
        draw = ImageDraw.Draw(page)
        for n, blocks in enumerate(pieces[first : first + per_page]):
            x = left + (n % grid.columns) * tile_w
            y = top + (n // grid.columns) * tile_h
            page.paste(_tile_image(doc, blocks, grid), (x, y))
            if grid.cut_lines:
                draw.rectangle((x, y, x + tile_w - 1, y + tile_h - 1), outline=200)
        out.append(page)
    return out


def sheet_pdf(doc: Document, grid: Grid = STICKERS) -> bytes:
    """The document as an A4 PDF, one page per grid of tiles."""
    first, *rest = pages(doc, grid)
    out = io.BytesIO()
    first.save(out, format="PDF", resolution=DPI, save_all=True, append_images=rest, title=doc.title)
    return out.getvalue()


def save_sheets(doc: Document, directory: Path, stem: str, fmt: str, grid: Grid = STICKERS) -> list[Path]:
    """Write `stem`.pdf, or `stem`-1.png, -2.png … (one a page), into `directory`; the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        path = directory / f"{stem}.pdf"
        path.write_bytes(sheet_pdf(doc, grid))
        return [path]
    if fmt != "png":
        raise ValueError(f"sheets are pdf or png, not {fmt!r}")
    written: list[Path] = []
    for number, page in enumerate(pages(doc, grid), 1):
        path = directory / f"{stem}-{number}.png"
        page.save(path, format="PNG", dpi=(DPI, DPI))
        written.append(path)
    return written
