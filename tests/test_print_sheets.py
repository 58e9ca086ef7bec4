"""`pvz print … --format pdf/png`: A4 sheets for an office printer, read back by poppler and zbar."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from device.cli.main import main
from device.documents.registry import Documents
from drivers.printer.sheet import CARD, STICKERS, Grid, pages, tiles
from tests.support.config import write_config
from tests.support.escpos_paper import zbar
from tests.support.factory import DEVICE, SITE, cells, new_store
from workflows.inputs import Command


def rasterise(pdf: Path, out: Path) -> list[Image.Image]:
    """The PDF's pages as poppler's pdftoppm draws them at 300 dpi, independent of Pillow's writer."""
    exe = shutil.which("pdftoppm")
    assert exe is not None, "pdftoppm missing: install poppler-utils (./dev test does)"
    subprocess.run([exe, "-r", "300", "-gray", "-png", str(pdf), str(out / "page")], check=True, timeout=120)
    return [Image.open(p) for p in sorted(out.glob("page-*.png"))]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = write_config(tmp_path / "device")
    new_store(tmp_path / "device" / "pvz.db").close()
    return path


def test_cell_labels_as_an_a4_pdf_sticker_sheet_every_label_scans(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sheets"
    argv = ["print", "cell-labels", "--config", str(config), "--format", "pdf", "--out", str(out)]
    assert main(argv) == 0
    assert f"saved {out / 'cell-labels.pdf'}" in capsys.readouterr().out
    [page] = rasterise(out / "cell-labels.pdf", tmp_path)
    assert page.size == (2480, 3508)  # A4 at 300 dpi
    assert zbar(page, tmp_path) == sorted(f"CODE-128:{c.label}" for c in cells())


def test_command_card_as_png_pages_with_the_site_and_device_from_the_config(
    tmp_path: Path, config: Path
) -> None:
    out = tmp_path / "sheets"
    argv = ["print", "command-card", "--config", str(config), "--format", "png", "--out", str(out)]
    assert main(argv) == 0
    written = sorted(out.glob("command-card-*.png"))
    read = [line for path in written for line in zbar(Image.open(path), tmp_path)]
    assert sorted(read) == sorted(f"CODE-128:{c.barcode}" for c in Command)
    # The header tile is the one the config's site and device make, not "-".
    expected = pages(Documents(site=SITE, device_id=DEVICE, lang="ru").command_card(), CARD)
    assert [Image.open(p).tobytes() for p in written] == [p.tobytes() for p in expected]
    dashes = pages(Documents(site="-", device_id="-", lang="ru").command_card(), CARD)
    assert dashes[0].tobytes() != expected[0].tobytes()


def test_a_sheet_continues_on_a_second_page_and_the_test_page_is_refused(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = Documents(site=SITE, device_id=DEVICE, lang="en").command_card()
    assert len(tiles(card)) == len(Command) + 1  # the header, then one tile a command
    # 23 tiles since the clerk's notes came: two pages of cards (12 a page) and of stickers (21).
    assert len(pages(card, CARD)) == 2 and len(pages(card, STICKERS)) == 2
    argv = ["print", "test-page", "--config", str(config), "--format", "pdf", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "command-card and cell-labels" in capsys.readouterr().err
    with pytest.raises(ValueError, match="do not fit A4"):
        Grid(columns=4, rows=8, tile_mm=(70.0, 37.0))
