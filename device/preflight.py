"""Checks of a config against the machine it runs on: files and directories it names, printer profiles.

`pvz config check` and `pvz run` call `check_for_run` after the schema (device/config.py, which
may not know drivers) has passed, so a missing rack file or an unknown profile stops both with
a reason code and the key's path before any device is opened.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from device.config import resolve_path, simulated
from device.config_schema import Config
from device.exc import ConfigError
from device.intake.rack import read_rack_file
from drivers.printer.escpos_render import profiles


def check_for_run(config: Config, config_file: Path) -> None:
    """Raise ConfigError (reason, path) for what the config names and this machine lacks."""
    source = str(config_file)
    store = resolve_path(config_file, config.store.path)
    # A typo in the path would start an empty store that then diverges from the real one; only a
    # simulated device gets its directory made (by Store.open).
    if not store.parent.is_dir() and not simulated(config):
        raise ConfigError.at(
            "$.store.path",
            "not_found",
            f"directory {store.parent} does not exist: create it (mkdir -p {store.parent}) "
            "writable by the daemon's user, or correct the path",
            what=source,
        )
    if config.rack.file is not None:
        rack = resolve_path(config_file, config.rack.file)
        if not rack.is_file():
            raise ConfigError.at(
                "$.rack.file",
                "not_found",
                f"rack file {rack} does not exist: give the rack description "
                "(docs/examples/cells.json) or remove the key",
                what=source,
            )
        read_rack_file(rack)
    known = profiles()
    for i, station in enumerate(config.stations):
        profile = station.printer.profile
        if profile is not None and profile not in known:
            near = difflib.get_close_matches(profile, known, n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(f'`{p}`' for p in near)}?" if near else "see `pvz hw list`"
            raise ConfigError.at(
                f"$.stations[{i}].printer.profile",
                "bad_value",
                f"unknown printer profile `{profile}` — {hint} (python-escpos profiles: {', '.join(known)})",
                what=source,
            )
