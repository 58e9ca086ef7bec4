"""The shipped unit file starts commands that the CLI really has."""

from __future__ import annotations

import shlex
from pathlib import Path

from device.cli.main import build_parser

UNIT = Path(__file__).resolve().parents[1] / "systemd" / "pvz.service"


def test_unit_commands_parse() -> None:
    lines = UNIT.read_text(encoding="utf-8").splitlines()
    commands = [ln.split("=", 1)[1] for ln in lines if ln.startswith(("ExecStart=", "ExecStartPre="))]
    assert len(commands) == 2
    for command in commands:
        argv = shlex.split(command)
        assert argv[0].endswith("/pvz")
        args = build_parser().parse_args(argv[1:])
        assert args.command in {"run", "config"}
