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
from central.hub_store import open_store
from central.release import (
    DEFAULT_EXPIRY_H,
    DEFAULT_MAX_FAILURES,
    RolloutError,
    build,
    check_failures,
    choose,
    load_release_key,
    progress,
)
from central.rollout_plans import PlanExists
from central.rollout_stages import expiry_h, new_plan, parse_every, parse_stages
from central.store_api import CentralStore
from device.update.release import Release, deb_file_name, encode
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
    p.add_argument("--percent", type=float, help="share of those sites' devices (default: 100)")
    p.add_argument(
        "--stages", help="staged rollout: rising percents, e.g. 5,25,100; the hubs widen it (needs --db)"
    )
    p.add_argument("--every", default="30m", help="time between two stages: 45s, 30m, 2h, 1d (default: 30m)")
    p.add_argument("--db", help="the hubs' store (SQLite file or postgresql://…) that keeps a staged plan")
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
    stages = [100.0 if args.percent is None else args.percent]
    every_s, expires_h, store = 0.0, args.expires_h, None
    if args.stages is not None:
        if args.percent is not None or (args.db is None and not args.progress):
            raise RolloutError("bad_stages", "--stages replaces --percent and needs --db")
        stages, every_s = parse_stages(args.stages), parse_every(args.every)
        expires_h = expiry_h(args.expires_h, stages, every_s)
        if not args.progress:
            store = open_store(args.db)  # before anything is published: a plan that cannot be kept stops here
    key = load_release_key(args.pki)
    sites = [s.strip() for s in str(args.sites).split(",") if s.strip()]
    release = build(args.package, key=key, url_base=args.url_base, now=now, expiry_h=expires_h)
    try:
        return await _publish(
            args, out, release, sites=sites, stages=stages, every_s=every_s, store=store, now=now
        )
    finally:
        if store is not None:
            store.close()


async def _publish(
    args: argparse.Namespace,
    out: TextIO,
    release: Release,
    *,
    sites: list[str],
    stages: list[float],
    every_s: float,
    store: CentralStore | None,
    now: dt.datetime,
) -> int:
    link = await connect(args)
    try:
        # Nothing is written or published before the sites and the failures so far are checked: a
        # refused rollout leaves no trace.
        found = await statuses(link, "+", args.window)
        salt = f"{release.package}={release.version}"
        chosen = choose(by_site(found), sites, stages[0], salt=salt)
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
    staged = None
    if store is not None:
        staged = new_plan(
            release,
            sites=sites,
            stages=stages,
            every_s=every_s,
            max_failures=args.max_failures,
            devices=chosen,
            now=now,
        )
        try:
            store.plans.add(staged, now)
        except PlanExists:
            raise RolloutError(
                "plan_exists", f"a staged rollout {staged.plan_id} exists: run it again"
            ) from None
    plan = {
        "release": msgspec.to_builtins(release),
        "file": str(doc),
        "devices": [f"{s}/{d}" for s, d in chosen],
        "reported": counts,
        "progress": standing,
        "plan": None if staged is None else staged.plan_id,
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
        if staged is not None:
            out.write(f"staged rollout {staged.plan_id}: the hubs widen it (pvz-central fleet rollouts)\n")
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
