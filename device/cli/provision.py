"""`pvz provision`: the image's first-boot step (pvz-provision.service), also runnable by hand."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from device.cli.common import Add

EXIT_REJECTED = 1


def _provision(args: argparse.Namespace) -> int:
    from device.provision import provision

    result = provision(Path(args.boot), Path(args.etc))
    if result.state == "rejected":
        # One line with the reason code and the key: the journal shows it as the unit's failure.
        print(f"pvz provision: REJECTED {result.reason} at {result.path}: {result.message}", file=sys.stderr)
        return EXIT_REJECTED
    print(f"pvz provision: {result.state}: {result.message}")
    return 0


def register(add: Add) -> None:
    p = add("provision", "first boot of the Pi image: apply pvz-provision.toml", _provision)
    p.add_argument("--boot", default="/boot/firmware", help="boot partition (default: /boot/firmware)")
    p.add_argument(
        "--etc", default="/var/lib/pvz/etc", help="config directory to replace (default: /var/lib/pvz/etc)"
    )
