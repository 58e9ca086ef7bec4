"""What every command group shares: how it adds a subcommand, the store options, the exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from device.exc import PvzError
from drivers.exc import DriverError

Handler = Callable[[argparse.Namespace], int]
# add(name, help, handler) -> the subcommand's parser, for its arguments
Add = Callable[[str, str, Handler], argparse.ArgumentParser]


def subcommands(parser: argparse.ArgumentParser) -> Add:
    """The `add` function command groups register their subcommands with."""
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, func: Handler) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    return add


def store_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", help="store file (default: from --config, else ./pvz.db)")
    p.add_argument("--config", help="device config file (TOML)")


def store_path(args: argparse.Namespace) -> Path:
    if args.store:
        return Path(args.store)
    if args.config:
        from device.config import load_config, resolve_path

        return resolve_path(args.config, load_config(args.config).store.path)
    return Path("pvz.db")


def run_command(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, *, quiet: Sequence[str] = ()
) -> int:
    """Parse, set up logging, run the subcommand; pvz's own errors become one line and exit code 2."""
    args = parser.parse_args(argv)
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    if args.command in quiet and args.verbose == 0:
        level = logging.ERROR  # the command's own output already shows every refusal
    root = logging.getLogger()
    # python-escpos calls logging.basicConfig() when imported, which made ours a no-op: `-v` did
    # nothing and every line came out as "INFO:name:". Its plain stderr handler goes; ours stays.
    for handler in [h for h in root.handlers if type(h) is logging.StreamHandler]:
        root.removeHandler(handler)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except (PvzError, DriverError) as exc:
        print(f"{parser.prog} {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `pvz … | head` closed the pipe: not an error of ours
        return 0
