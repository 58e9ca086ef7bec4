"""`pvz update apply|adopt`: install a signed release with rollback, or keep the running version's package.

The release key comes from [update] public_key of the device's config and nowhere else: a
release signed by any other key is refused, whatever the command line says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from device.cli.common import Add
from device.exc import PvzError
from workflows.messages import Msg

if TYPE_CHECKING:
    from device.update.install import Installer


def _installer(args: argparse.Namespace) -> Installer:
    """The installer this device's config describes; imported late so that `pvz --help` stays quick.

    Without --probe, health is the mark the restarted daemon writes (device/update/follow.py)."""
    from device.config import load_config, resolve_path
    from device.update.follow import MarkProbe
    from device.update.install import HealthProbe, Installer, LineProbe, RealDpkg
    from device.update.release import load_public_key
    from device.update.store_guard import StoreGuard, stop_daemon

    config = load_config(args.config)
    if not config.update.public_key:
        raise PvzError(f"{args.config}: [update] public_key is empty: this device takes no releases")
    handoff_dir = resolve_path(args.config, config.update.handoff_dir)
    probe: HealthProbe = LineProbe(shlex.split(args.probe)) if args.probe else MarkProbe(handoff_dir)
    return Installer(
        key=load_public_key(config.update.public_key),
        keep_dir=resolve_path(args.config, config.update.keep_dir),
        report_dir=handoff_dir,
        dpkg=RealDpkg(root=Path(args.root) if args.root else None),
        probe=probe,
        deadline_s=config.update.health_deadline_s,
        store=StoreGuard(
            store=resolve_path(args.config, config.store.path),
            keep_dir=resolve_path(args.config, config.update.keep_dir),
            # The daemon of this machine, stopped before its store is put back; not for --root.
            stop=stop_daemon if not args.root and Path("/run/systemd/system").is_dir() else _nothing,
        ),
    )


def _nothing() -> None:
    """No daemon to stop: an install into another root, or a machine without systemd."""


def _update(args: argparse.Namespace) -> int:
    from device.update.release import UpdateRefused, decode

    installer = _installer(args)
    if args.action == "adopt":
        from device.update.adopt import check_adoptable

        root = Path(args.root) if args.root else None
        package, version = check_adoptable(
            Path(args.file), package=args.package, version=args.version, root=root
        )
        installer.adopt(Path(args.file), package, version)
        print(Msg("upd_adopted", {"version": version}).render(args.lang))
        return 0
    try:
        release = decode(Path(args.file).read_bytes())
    except OSError as exc:
        raise PvzError(f"{args.file}: cannot read it ({exc.strerror})") from None
    except UpdateRefused as exc:
        outcome = installer.refuse_unread(exc.reason)
    else:
        outcome = installer.apply(release, now=dt.datetime.now(dt.UTC))
    if args.json:
        print(json.dumps(msgspec.to_builtins(outcome)))
    else:
        running = outcome.running or Msg("upd_no_version").render(args.lang)
        why = _why(outcome.reason, args.lang) if outcome.reason else ""
        unknown = Msg("upd_no_version").render(args.lang)
        params = {"version": outcome.version or unknown, "why": why, "running": running}
        print(Msg(f"upd_result_{outcome.result}", params).render(args.lang))
        if outcome.store_set_aside:
            aside = Msg(
                "upd_store_set_aside", {"file": outcome.store_set_aside, "count": outcome.events_set_aside}
            )
            print(aside.render(args.lang))
    return 0 if outcome.result == "installed" else 1


def _why(reason: str, lang: str) -> str:
    return Msg(f"upd_why_{reason}").render(lang)


def register(add: Add) -> None:
    p = add("update", "install a signed software release, going back if it fails", _update)
    p.add_argument(
        "action", choices=["apply", "adopt"], help="apply: a release; adopt: keep the running .deb"
    )
    p.add_argument("file", help="apply: the release document (JSON); adopt: the running version's .deb")
    p.add_argument("--config", required=True, help="device config file (TOML): its [update] section")
    p.add_argument(
        "--probe",
        help="apply: a command that starts the new version and prints READY, STATUS "
        "(default: wait for the restarted daemon's mark)",
    )
    p.add_argument("--root", help="install into this root (dpkg --root), e.g. an image being built")
    p.add_argument("--package", help="adopt: the package's name (default: the .deb's own; must agree)")
    p.add_argument("--version", help="adopt: the package's version (default: the .deb's own; must agree)")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the answer")
    p.add_argument("--json", action="store_true", help="apply: the outcome as JSON")
