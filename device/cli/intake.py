"""`pvz manifest`, `pvz dropoff`, `pvz cells`, `pvz config`: what the device is told from files, checked before use."""

from __future__ import annotations

import argparse
from pathlib import Path

from device.cli.common import Add, store_opts, store_path


def _manifest_import(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from device.intake.manifest import import_manifest, load_manifest_file
    from device.store.db import Store

    manifest = load_manifest_file(Path(args.file))
    with Store.open(store_path(args)) as store:
        result = import_manifest(store, manifest, now=datetime.now(UTC).isoformat(timespec="seconds"))
    attached = f", surplus attached: {', '.join(result.attached)}" if result.attached else ""
    print(f"imported supply {result.supply_id}: {result.parcels} parcels, {result.orders} orders{attached}")
    return 0


def _manifest_update(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from device.intake.updates import apply_updates, load_updates_file
    from device.store.db import Store
    from device.store.journal import Stamp

    updates = load_updates_file(Path(args.file))
    with Store.open(store_path(args)) as store:
        device_id = store.get_meta("device_id") or "unknown"
        stamp = Stamp(device_id, datetime.now(UTC).isoformat(timespec="seconds"))
        counts = apply_updates(store, updates, stamp=stamp)
    print("applied updates: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _manifest_apply(args: argparse.Namespace) -> int:
    from device.store.db import Store
    from sync.inbox_service import apply_file

    with Store.open(store_path(args)) as store:
        print(apply_file(store, Path(args.file)))
    return 0


def _manifest(args: argparse.Namespace) -> int:
    actions = {"import": _manifest_import, "update": _manifest_update, "apply": _manifest_apply}
    return actions[args.action](args)


def _dropoff_import(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from device.intake.dropoff import import_dropoff, load_dropoff_file
    from device.store.db import Store

    dropoff = load_dropoff_file(Path(args.file))
    with Store.open(store_path(args)) as store:
        result = import_dropoff(store, dropoff, now=datetime.now(UTC).isoformat(timespec="seconds"))
    replaced = f" (replaced version {result.replaced})" if result.replaced is not None else ""
    print(f"imported drop-off {result.dropoff_id}: {result.shipments} shipments{replaced}")
    return 0


def _cells_import(args: argparse.Namespace) -> int:
    from device.intake.rack import import_cells, read_rack_file
    from device.store.db import Store

    cells, _ = read_rack_file(Path(args.file))
    with Store.open(store_path(args)) as store:
        n = import_cells(store, cells)
    print(f"rack: {n} cells")
    return 0


def _config_check(args: argparse.Namespace) -> int:
    from device.config import load_config
    from device.preflight import check_for_run

    config = load_config(Path(args.file))
    check_for_run(config, Path(args.file))
    print(f"{args.file}: ok (device {config.device.id}, {len(config.stations)} station(s))")
    return 0


def register(add: Add) -> None:
    p = add("manifest", "import manifests, apply updates (JSON)", _manifest)
    p.add_argument("action", choices=["import", "update", "apply"])
    p.add_argument("file")
    store_opts(p)

    p = add("dropoff", "import a seller's drop-off list (JSON)", _dropoff_import)
    p.add_argument("action", choices=["import"])
    p.add_argument("file")
    store_opts(p)

    p = add("cells", "import the rack's cells (JSON) into the store", _cells_import)
    p.add_argument("action", choices=["import"])
    p.add_argument("file")
    store_opts(p)

    p = add("config", "check a device config file without opening any device", _config_check)
    p.add_argument("action", choices=["check"])
    p.add_argument("file")
