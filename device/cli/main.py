"""The `pvz` command: demo, simulator, daemon, store and config tools."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from device import __version__
from device.exc import PvzError
from drivers.exc import DriverError

log = logging.getLogger("pvz")


def _demo(args: argparse.Namespace) -> int:
    from device.demo.day import run_demo

    (Path(args.out) / "hub.db").unlink(missing_ok=True)
    result = run_demo(Path(args.out), seed=args.seed, lang=args.lang, quiet=args.quiet)
    if args.sync:
        from device.demo.sync import sync_day

        result["sync"] = sync_day(Path(args.out))
        (Path(args.out) / "summary.json").write_text(
            json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    print("\n" + json.dumps(result, ensure_ascii=False, indent=2))
    print(f"\nstore: {Path(args.out) / 'pvz.db'}  receipts: {Path(args.out) / 'receipts'}")
    return 0


def _sim(args: argparse.Namespace) -> int:
    from device.demo.sim import run_sim

    return run_sim(Path(args.store), lang=args.lang, seed=args.seed)


def _run(args: argparse.Namespace) -> int:
    from device.config import load_config
    from device.wiring import build_runtime, open_store

    config_file = Path(args.config)
    config = load_config(config_file)
    if config.mqtt.host is not None:
        from sync.desired_config import DesiredConfig

        # The desired config last pushed by the central side stays in force across restarts.
        config, _ = DesiredConfig(config_file).effective()
    store = open_store(config, config_file, owner=True)
    try:
        runtime = build_runtime(config, config_file, store)
        runtime.start()
        stop = asyncio.Event()

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            if config.mqtt.host is None:
                await runtime.run(stop=stop)
                return
            from device.uplink.service import SyncService

            sync = SyncService(runtime, config, config_file)
            syncing = asyncio.create_task(sync.run(stop))
            await runtime.run(stop=stop)
            stop.set()
            await syncing

        asyncio.run(main())
    finally:
        store.close()
    return 0


def _store_path(args: argparse.Namespace) -> Path:
    if args.store:
        return Path(args.store)
    if args.config:
        from device.config import load_config, resolve_path

        return resolve_path(args.config, load_config(args.config).store.path)
    return Path("pvz.db")


def _manifest_import(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from device.intake.manifest import import_manifest, load_manifest_file
    from device.store.db import Store

    manifest = load_manifest_file(Path(args.file))
    with Store.open(_store_path(args)) as store:
        result = import_manifest(store, manifest, now=datetime.now(UTC).isoformat(timespec="seconds"))
    print(f"imported supply {result.supply_id}: {result.parcels} parcels, {result.orders} orders")
    return 0


def _manifest_update(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from device.intake.updates import apply_updates, load_updates_file
    from device.store.db import Store
    from device.store.journal import Stamp

    updates = load_updates_file(Path(args.file))
    with Store.open(_store_path(args)) as store:
        device_id = store.get_meta("device_id") or "unknown"
        stamp = Stamp(device_id, datetime.now(UTC).isoformat(timespec="seconds"))
        counts = apply_updates(store, updates, stamp=stamp)
    print("applied updates: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _manifest_apply(args: argparse.Namespace) -> int:
    from device.store.db import Store
    from sync.inbox_service import apply_file

    with Store.open(_store_path(args)) as store:
        print(apply_file(store, Path(args.file)))
    return 0


def _manifest(args: argparse.Namespace) -> int:
    actions = {"import": _manifest_import, "update": _manifest_update, "apply": _manifest_apply}
    return actions[args.action](args)


def _cells_import(args: argparse.Namespace) -> int:
    from device.intake.rack import decode_cells, import_cells
    from device.store.db import Store

    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise PvzError(f"{args.file}: {exc}") from exc
    cells = decode_cells(raw, source=args.file)
    with Store.open(_store_path(args)) as store:
        n = import_cells(store, cells)
    print(f"rack: {n} cells")
    return 0


def _config_check(args: argparse.Namespace) -> int:
    from device.config import load_config

    config = load_config(Path(args.file))
    print(f"{args.file}: ok (device {config.device.id}, {len(config.stations)} station(s))")
    return 0


def _print(args: argparse.Namespace) -> int:
    """Print a device document: to the configured printer of a station, or to files in --out."""
    import sqlite3
    import time

    from device.documents.registry import Documents
    from device.store.journal import Stamp
    from drivers.printer.sim_printer import SimPrinter

    site, device, lang = args.site, args.device, args.lang
    target: Any = None
    if args.config:
        from device.config import load_config
        from device.hardware import printer as make_printer

        config = load_config(args.config)
        site, device = config.device.site, config.device.id
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

        store = Store.open(_store_path(args))
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


def _hw(args: argparse.Namespace) -> int:
    from device.cli import hw as hw_cli

    action = {"list": hw_cli.hw_list, "scan": hw_cli.hw_scan, "print-test": hw_cli.hw_print_test}
    action["lights-test"] = hw_cli.hw_lights_test
    return action[args.action](args)


def _store_info(args: argparse.Namespace) -> int:
    from device.reports.summary import summary
    from device.store.db import SCHEMA_VERSION, Store

    with Store.open(_store_path(args)) as store:
        info = {"schema_version": store.version, "code_schema_version": SCHEMA_VERSION, **summary(store)}
    print(json.dumps(info, ensure_ascii=False, indent=2))
    return 0


def _report(args: argparse.Namespace) -> int:
    from device.cli.report import run

    print(run(args, _store_path(args)))
    return 0


def _hub(args: argparse.Namespace) -> int:
    from central.hub import run_hub
    from sync.transport import TlsSettings

    manifests = None if args.manifests is None else Path(args.manifests)
    tls = TlsSettings(args.ca, args.cert, args.key) if args.ca or args.cert else None
    options = {"group": args.group, "site": args.site, "client_id": args.client_id}
    return run_hub(args.broker, Path(args.db), manifests=manifests, tls=tls, **options)


def _fleet(args: argparse.Namespace) -> int:
    from central.fleet_cli import run

    return run(args)


def _pki(args: argparse.Namespace) -> int:
    from central.pki import run

    print(run(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from device.hardware import LIGHTS_TEST_STEP_S

    parser = argparse.ArgumentParser(prog="pvz", description="Pickup point device service.")
    parser.add_argument("--version", action="version", version=f"pvz {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    def store_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--store", help="store file (default: from --config, else ./pvz.db)")
        p.add_argument("--config", help="device config file (TOML)")

    p = add("demo", "run a simulated day on a fresh store, write a summary", _demo)
    p.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the day (default: 1)")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of messages and receipts")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.add_argument(
        "--sync", action="store_true", help="also send the day's events to a hub via a local Mosquitto"
    )

    p = add("sim", "drive one simulated counter by typing or pasting codes", _sim)
    p.add_argument("--store", default="pvz-sim/pvz.db", help="store file (created with demo data if new)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the demo data")
    p.add_argument("--lang", choices=["ru", "en"], default="ru")

    p = add("run", "run the device daemon with the configured backends", _run)
    p.add_argument("--config", required=True, help="device config file (TOML)")

    p = add("manifest", "import manifests, apply updates (JSON)", _manifest)
    p.add_argument("action", choices=["import", "update", "apply"])
    p.add_argument("file")
    store_opts(p)

    p = add("cells", "import the rack's cells (JSON) into the store", _cells_import)
    p.add_argument("action", choices=["import"])
    p.add_argument("file")
    store_opts(p)

    p = add("config", "check a device config file without opening any device", _config_check)
    p.add_argument("action", choices=["check"])
    p.add_argument("file")

    p = add("print", "print the command card or the cell labels", _print)
    p.add_argument("document", choices=["command-card", "cell-labels", "test-page"])
    p.add_argument(
        "--out", default="print-out", help="without --config: directory for ESC/POS bytes and text"
    )
    p.add_argument("--lang", choices=["ru", "en"], default=None)
    p.add_argument("--site", default="-")
    p.add_argument("--device", default="-")
    p.add_argument("--station", default=None, help="with --config: whose printer (default: the first)")
    store_opts(p)

    p = add("hw", "hardware diagnostics: list, scan, print-test, lights-test", _hw)
    p.add_argument("action", choices=["list", "scan", "print-test", "lights-test"])
    p.add_argument("--config", help="device config file (TOML); list works without one")
    p.add_argument("--station", help="print-test: only this station's printer")
    p.add_argument("--step", type=float, default=LIGHTS_TEST_STEP_S, help="lights-test: seconds per light")
    p.add_argument(
        "--channels", type=int, default=0, help="lights-test: how many channels (default: from config)"
    )

    p = add("store", "show a store's schema version and counts", _store_info)
    p.add_argument("action", choices=["info"])
    store_opts(p)

    from device.cli.report import add_arguments

    p = add("report", "day, shift and parcel reports; CSV export", _report)
    add_arguments(p)
    store_opts(p)

    from central.fleet_cli import add_arguments as fleet_arguments

    p = add("fleet", "fleet over MQTT: list devices, commands, config", _fleet)
    fleet_arguments(p)

    p = add("hub", "reference central system: acks events, sends manifests", _hub)
    p.add_argument("--broker", required=True, help="MQTT broker as HOST:PORT")
    p.add_argument("--db", required=True, help="the hub's SQLite file (hubs of one group may share it)")
    p.add_argument("--group", default="hub", help="shared-subscription group of hubs (default: hub)")
    p.add_argument("--manifests", help="publish DIR/<site>/<device>/*.json to each device's manifest topic")
    p.add_argument("--client-id", help="MQTT client id (default: pvz-hub-<group>-<hostname>)")
    p.add_argument("--site", default="+", help="only this site's devices (what a hub certificate may read)")
    p.add_argument("--ca", help="CA bundle that signs the broker's certificate (turns TLS on)")
    p.add_argument("--cert", help="the hub's client certificate (PEM), from `pvz pki hub`")
    p.add_argument("--key", help="the hub's client key (PEM)")

    from central.pki import add_arguments as pki_arguments

    p = add("pki", "site certificates: CA, broker, devices, hubs; revocation", _pki)
    pki_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    if args.command == "demo" and args.verbose == 0:
        level = logging.ERROR  # the timeline already shows every refusal
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except (PvzError, DriverError) as exc:
        print(f"pvz {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `pvz … | head` closed the pipe: not an error of ours
        return 0


if __name__ == "__main__":
    sys.exit(main())
