"""`pvz print`: the documents a device prints for itself, on a station's printer or into files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from device.cli.common import Add, store_opts, store_path


def _print(args: argparse.Namespace) -> int:
    """Print a device document: to the configured printer of a station, or to files in --out."""
    import sqlite3
    import time

    from device.documents.registry import Documents
    from device.store.journal import Stamp
    from drivers.printer.sim_printer import SimPrinter

    site: str = args.site
    device: str = args.device
    lang: str | None = args.lang
    target: Any = None
    sheet = args.format in ("pdf", "png")
    if sheet and args.document == "test-page":
        print(
            "pvz print: the test page is for the receipt printer; --format pdf/png makes "
            "command-card and cell-labels sheets",
            file=sys.stderr,
        )
        return 2
    if args.config:
        from device.config import load_config
        from device.hardware import printer as make_printer

        config = load_config(args.config)
        site = config.device.site
        device = config.device.id
        lang = args.lang or config.device.language
        if not sheet:
            station = next((s for s in config.stations if s.name == args.station), config.stations[0])
            target = make_printer(
                station.printer, f"{station.name}/printer", Path(args.config), config.print.width
            )
    docs = Documents(site=site, device_id=device, lang=lang or "ru")
    data: dict[str, Any] = {}
    conn: sqlite3.Connection
    if args.document == "cell-labels":
        from device.store.db import Store

        store = Store.open(store_path(args))
        conn = store.conn
    else:
        conn = sqlite3.connect(":memory:")
    stamp = Stamp(device, time.strftime("%Y-%m-%dT%H:%M:%S"), args.station)
    doc = docs.build(args.document.replace("-", "_"), data, conn, stamp)
    if sheet:
        from drivers.printer.sheet import CARD, STICKERS, save_sheets

        grid = STICKERS if args.document == "cell-labels" else CARD
        for path in save_sheets(doc, Path(args.out), args.document, args.format, grid):
            print(f"saved {path}")
        return 0
    if target is None:
        target = SimPrinter(out_dir=Path(args.out), name="file")
        target.print_document(doc)
        print(target.printed[-1].text)
        print(f"\nsaved in {args.out}")
    else:
        target.print_document(doc)
        print(f"printed {args.document} on {target.name}")
    return 0


def register(add: Add) -> None:
    p = add("print", "print the command card, the cell labels or a test page", _print)
    p.add_argument("document", choices=["command-card", "cell-labels", "test-page"])
    p.add_argument(
        "--format",
        choices=["escpos", "pdf", "png"],
        default="escpos",
        help="escpos: the receipt printer (with --config) or .bin/.txt files; pdf/png: A4 sheets "
        "for an office printer (cell labels on a 3 x 7 sticker sheet, the command card 2 x 6)",
    )
    p.add_argument(
        "--out", default="print-out", help="directory for ESC/POS bytes and text, or the pdf/png sheets"
    )
    p.add_argument("--lang", choices=["ru", "en"], default=None)
    p.add_argument("--site", default="-", help="without --config: the site on the header")
    p.add_argument("--device", default="-", help="without --config: the device id on the header")
    p.add_argument("--station", default=None, help="with --config: whose printer (default: the first)")
    store_opts(p)
