"""`pvz-central fleet rollout PACKAGE.deb`: a signed release of a package for a share of some sites' devices.

It writes the package and its release document into a directory served to devices over HTTP(S)
(--serve-dir at --url-base; a web server in front of the hub serves it) and names the chosen
devices; a device checks and installs it with `pvz update apply` (device/update/). Publishing the
release to those devices over MQTT is not done yet (docs/rollout.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import TextIO

import msgspec

from central.release import DEFAULT_EXPIRY_H, RolloutError, build, choose, load_release_key
from device.update.release import deb_file_name, encode


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rollout", help="a signed release of a .deb for a percent of some sites' devices")
    p.add_argument("package", type=Path, help="the .deb to roll out")
    p.add_argument("--sites", required=True, help="comma-separated site ids")
    p.add_argument(
        "--percent", type=float, default=100.0, help="share of those sites' devices (default: 100)"
    )
    p.add_argument("--pki", type=Path, required=True, help="the PKI directory holding release/release.key")
    p.add_argument("--db", type=Path, required=True, help="the hub's SQLite file: its known devices")
    p.add_argument(
        "--serve-dir",
        type=Path,
        required=True,
        help="the directory served to devices over HTTP(S) at --url-base",
    )
    p.add_argument("--url-base", required=True, help="the URL of --serve-dir as devices reach it")
    p.add_argument("--expires-h", type=float, default=DEFAULT_EXPIRY_H, help="hours a release stays valid")
    p.add_argument("--json", action="store_true", help="the plan as JSON")


def known_devices(db: Path) -> dict[str, list[str]]:
    """Every device the hub has heard from, by site (read only: the hub may be running)."""
    if not db.is_file():
        raise RolloutError("no_hub_db", f"{db}: no hub database")
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT site, device FROM devices ORDER BY site, device").fetchall()
    known: dict[str, list[str]] = defaultdict(list)
    for site, device in rows:
        known[str(site)].append(str(device))
    return dict(known)


async def run(args: argparse.Namespace, out: TextIO) -> int:
    now = dt.datetime.now(dt.UTC)
    key = load_release_key(args.pki)
    sites = [s.strip() for s in str(args.sites).split(",") if s.strip()]
    release = build(args.package, key=key, url_base=args.url_base, now=now, expiry_h=args.expires_h)
    # Nothing is written before the sites are checked: an unknown site leaves no release behind.
    chosen = choose(known_devices(args.db), sites, args.percent, salt=f"{release.package}={release.version}")
    args.serve_dir.mkdir(parents=True, exist_ok=True)
    served = args.serve_dir / deb_file_name(release.package, release.version)
    if served.resolve() != args.package.resolve():
        shutil.copyfile(args.package, served)
    doc = args.serve_dir / f"{served.stem}.release.json"
    doc.write_bytes(encode(release) + b"\n")
    plan = {
        "release": msgspec.to_builtins(release),
        "file": str(doc),
        "devices": [f"{s}/{d}" for s, d in chosen],
    }
    if args.json:
        out.write(json.dumps(plan, indent=2) + "\n")
    else:
        out.write(f"{release.package} {release.version}: {doc}\n")
        out.write(f"{len(chosen)} device(s): {', '.join(plan['devices'])}\n")
    return 0
