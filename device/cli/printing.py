"""`pvz print`: the documents a device prints for itself, on a station's printer or into files."""

from __future__ import annotations

import argparse
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
    if args.config:
        from device.config import load_config
        from device.hardware import printer as make_printer

        config = load_config(args.config)
        site = config.device.site
        device = config.device.id
        lang = args.lang or config.device.language
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
        "--out", default="print-out", help="without --config: directory for ESC/POS bytes and text"
    )
    p.add_argument("--lang", choices=["ru", "en"], default=None)
    p.add_argument("--site", default="-")
    p.add_argument("--device", default="-")
    p.add_argument("--station", default=None, help="with --config: whose printer (default: the first)")
    store_opts(p)
