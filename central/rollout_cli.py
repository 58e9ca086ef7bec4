"""`pvz-central fleet rollout PACKAGE.deb`: a signed release of a package for a share of some sites' devices.

The package and its release document go into a directory served to devices over HTTP(S)
(--serve-dir at --url-base: the hub serves it itself with `[releases] dir` in hub.toml, or any
web server does), and the release is published retained on each chosen device's `release`
topic: a device offline now gets it when it returns, and refuses it then if it has expired. The known devices are those with a retained
status on the broker, as `fleet ls` lists them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any, TextIO

import msgspec

from central.fleet_link import connect, statuses
from central.release import (
    DEFAULT_EXPIRY_H,
    DEFAULT_MAX_FAILURES,
    build,
    check_failures,
    choose,
    load_release_key,
    progress,
)
from device.update.release import deb_file_name, encode
from sync.topics import Topics
from sync.transport import PublishProps
from workflows.messages import Msg


def add_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "rollout",
        parents=[common],
        help="publish a signed release of a .deb to a percent of some sites' devices",
    )
    p.add_argument("package", type=Path, help="the .deb to roll out")
    p.add_argument("--sites", required=True, help="comma-separated site ids")
    p.add_argument(
        "--percent", type=float, default=100.0, help="share of those sites' devices (default: 100)"
    )
    p.add_argument("--pki", type=Path, required=True, help="the PKI directory holding release/release.key")
    p.add_argument(
        "--serve-dir",
        type=Path,
        required=True,
        help="the directory served to devices over HTTP(S) at --url-base",
    )
    p.add_argument("--url-base", required=True, help="the URL of --serve-dir as devices reach it")
    p.add_argument("--expires-h", type=float, default=DEFAULT_EXPIRY_H, help="hours a release stays valid")
    p.add_argument(
        "--max-failures",
        type=float,
        default=DEFAULT_MAX_FAILURES,
        help="refuse to widen once more than this percent of finished installs failed (default: 10)",
    )
    p.add_argument(
        "--progress",
        action="store_true",
        help="only report how the release stands on the devices it would go to: nothing written or published",
    )
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the progress line")
    p.add_argument("--json", action="store_true", help="the plan as JSON")


def by_site(found: dict[tuple[str, str], dict[str, Any]]) -> dict[str, list[str]]:
    """Every device with a retained status on the broker (online or not), by site."""
    known: dict[str, list[str]] = defaultdict(list)
    for site, device in sorted(found):
        known[site].append(device)
    return dict(known)


async def run(args: argparse.Namespace, out: TextIO) -> int:
    now = dt.datetime.now(dt.UTC)
    key = load_release_key(args.pki)
    sites = [s.strip() for s in str(args.sites).split(",") if s.strip()]
    release = build(args.package, key=key, url_base=args.url_base, now=now, expiry_h=args.expires_h)
    link = await connect(args)
    try:
        # Nothing is written or published before the sites and the failures so far are checked: a
        # refused rollout leaves no trace.
        found = await statuses(link, "+", args.window)
        salt = f"{release.package}={release.version}"
        chosen = choose(by_site(found), sites, args.percent, salt=salt)
        standing = progress(chosen, found, release.sha256)
        if args.progress:
            return _report(args, out, release, chosen, standing)
        counts = check_failures((s.get("release") for s in found.values()), release.sha256, args.max_failures)
        args.serve_dir.mkdir(parents=True, exist_ok=True)
        served = args.serve_dir / deb_file_name(release.package, release.version)
        if served.resolve() != args.package.resolve():
            shutil.copyfile(args.package, served)
        doc = args.serve_dir / f"{served.stem}.release.json"
        doc.write_bytes(encode(release) + b"\n")
        props = PublishProps(content_type="application/json")
        for site, device in chosen:
            await link.publish(Topics(site, device).release, encode(release), 1, True, props)
    finally:
        link.stop()
    plan = {
        "release": msgspec.to_builtins(release),
        "file": str(doc),
        "devices": [f"{s}/{d}" for s, d in chosen],
        "reported": counts,
        "progress": standing,
    }
    if args.json:
        out.write(json.dumps(plan, indent=2) + "\n")
    else:
        out.write(f"{release.package} {release.version}: {doc}\n")
        out.write(f"published to {len(chosen)} device(s): {', '.join(plan['devices'])}\n")
        out.write(
            f"reported so far: {counts['installed']} installed, {counts['failed']} failed, {counts['pending']} pending\n"
        )
        out.write(Msg("fleet_rollout_progress", standing).render(args.lang) + "\n")
    return 0


def _report(
    args: argparse.Namespace,
    out: TextIO,
    release: Any,
    chosen: list[tuple[str, str]],
    standing: dict[str, int],
) -> int:
    """`--progress`: the standing of the release on the devices the same command would choose."""
    if args.json:
        devices = [f"{s}/{d}" for s, d in chosen]
        out.write(
            json.dumps(
                {
                    "package": release.package,
                    "version": release.version,
                    "devices": devices,
                    "progress": standing,
                },
                indent=2,
            )
            + "\n"
        )
    else:
        out.write(f"{release.package} {release.version}\n")
        out.write(Msg("fleet_rollout_progress", standing).render(args.lang) + "\n")
    return 0
