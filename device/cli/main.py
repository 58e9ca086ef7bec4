"""The `pvz` command: one subcommand group per module of device/cli/."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from device import __version__
from device.cli import daemon, hw, intake, printing, privacy, provision, report, screen, site, tickets, update
from device.cli.common import run_command, subcommands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pvz", description="Pickup point device service.")
    parser.add_argument("--version", action="version", version=f"pvz {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    add = subcommands(parser)
    for group in (daemon, intake, printing, hw, report, screen, provision, privacy, site, tickets, update):
        group.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser(), argv, quiet=("demo",))


if __name__ == "__main__":
    sys.exit(main())
