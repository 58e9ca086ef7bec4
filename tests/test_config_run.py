"""What a config names on the machine: `pvz config check` and `pvz run` refuse a missing store
directory or rack file and an unknown printer profile; the daemon imports the rack file at start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from device.cli.main import main
from device.config import load_config
from device.exc import ConfigError
from device.intake.rack import RACK_FILE_KEY
from device.preflight import check_for_run
from device.wiring import open_store
from tests.support.config import ROOT, example_copy, write_config

CELLS = ROOT / "docs/examples/cells.json"
REAL_PRINTER = '[[stations]]\nname = "s1"\n[[stations.scanners]]\nbackend = "stdin"\n' + (
    '[stations.printer]\nbackend = "file"\npath = "/dev/usb/lp0"\n'
)


def refused(config_file: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        check_for_run(load_config(config_file), config_file)
    return caught.value


def cli_refuses(config_file: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["config", "check", str(config_file)]) == 2
    return capsys.readouterr().err


def test_the_filled_in_example_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    example = example_copy(tmp_path)
    check_for_run(load_config(example), example)
    assert main(["config", "check", str(example)]) == 0
    assert "ok (device pvz-msk-0001, 2 station(s))" in capsys.readouterr().out


def test_a_missing_store_directory_is_refused_on_a_real_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file = write_config(tmp_path, stations=REAL_PRINTER)
    text = config_file.read_text(encoding="utf-8").replace('path = "pvz.db"', 'path = "nodir/pvz.db"', 1)
    config_file.write_text(text, encoding="utf-8")
    error = refused(config_file)
    assert (error.reason, error.path) == ("not_found", "$.store.path")
    assert "mkdir -p" in error.detail
    assert "$.store.path: directory" in cli_refuses(config_file, capsys)
    # A simulated device (a laptop) gets its store directory made.
    sim = write_config(tmp_path / "sim")
    sim.write_text(sim.read_text(encoding="utf-8").replace('"pvz.db"', '"new/pvz.db"', 1), encoding="utf-8")
    check_for_run(load_config(sim), sim)


def test_a_missing_or_broken_rack_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_file = write_config(tmp_path, extra='[rack]\nfile = "cells.json"\n')
    error = refused(config_file)
    assert (error.reason, error.path) == ("not_found", "$.rack.file")
    assert "(not_found)" in cli_refuses(config_file, capsys)
    (tmp_path / "cells.json").write_text('{"cells": [{"address": "A-1", "size": "S", "chanel": 0}]}')
    error = refused(config_file)
    assert (error.reason, error.path) == ("unknown_field", "$.cells[0].chanel")
    assert "did you mean `channel`?" in error.detail
    assert "cells.json: $.cells[0].chanel" in cli_refuses(config_file, capsys)


def test_an_unknown_printer_profile_is_refused_with_the_closest_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stations = REAL_PRINTER + 'profile = "TM-T88"\n'
    config_file = write_config(tmp_path, stations=stations)
    error = refused(config_file)
    assert (error.reason, error.path) == ("bad_value", "$.stations[0].printer.profile")
    assert "did you mean `TM-T88V`" in error.detail
    assert "$.stations[0].printer.profile: unknown printer profile `TM-T88`" in cli_refuses(
        config_file, capsys
    )


def test_pvz_run_refuses_before_opening_anything(tmp_path: Path) -> None:
    config_file = write_config(tmp_path, extra='[rack]\nfile = "cells.json"\n')
    done = subprocess.run(
        [sys.executable, "-m", "device.cli.main", "run", "--config", str(config_file)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "$.rack.file" in done.stderr and "(not_found)" in done.stderr
    assert not (tmp_path / "pvz.db").exists()


def cell_rows(db_dir: Path) -> dict[str, str]:
    import sqlite3

    conn = sqlite3.connect(db_dir / "pvz.db")
    rows = {str(a): str(label) for a, label in conn.execute("SELECT address, label FROM cells")}
    conn.close()
    return rows


def test_the_daemon_imports_a_new_or_changed_rack_file_at_start(tmp_path: Path) -> None:
    rack = json.loads(CELLS.read_text(encoding="utf-8"))
    (tmp_path / "cells.json").write_text(json.dumps(rack), encoding="utf-8")
    config_file = write_config(tmp_path, extra='[rack]\nfile = "cells.json"\n')
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    assert store.get_meta(RACK_FILE_KEY) is not None
    store.close()
    first = cell_rows(tmp_path)
    assert sorted(first) == sorted(c["address"] for c in rack["cells"])
    # An unchanged file is not imported again: a label set by hand since then stays.
    address = rack["cells"][0]["address"]
    assert (
        main(
            ["cells", "import", str(_one_cell(tmp_path, rack, "HAND-1")), "--store", str(tmp_path / "pvz.db")]
        )
        == 0
    )
    open_store(config, config_file, owner=True).close()
    assert cell_rows(tmp_path)[address] == "HAND-1"
    # A changed file is: its labels win, and a cell it adds appears.
    rack["cells"][0]["label"] = "FILE-1"
    rack["cells"].append({"address": "Z-99-9", "size": "S", "channel": 999})
    (tmp_path / "cells.json").write_text(json.dumps(rack), encoding="utf-8")
    open_store(config, config_file, owner=True).close()
    after = cell_rows(tmp_path)
    assert (after[address], after["Z-99-9"]) == ("FILE-1", "C-Z-99-9")


def _one_cell(tmp_path: Path, rack: dict[str, list[dict[str, object]]], label: str) -> Path:
    cell = dict(rack["cells"][0], label=label)
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"cells": [cell]}), encoding="utf-8")
    return path


def test_config_check_refuses_keys_and_forms_with_the_way_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "still the example's placeholder" in cli_refuses(ROOT / "docs/config.example.toml", capsys)
    published = write_config(tmp_path / "k", key="00112233445566778899aabbccddeeff" * 2)
    err = cli_refuses(published, capsys)
    assert "$.security.pickup_key" in err and "openssl rand -hex 32" in err and "(published_key)" in err
    assert main(["config", "check", str(ROOT / "docs/examples/sim.toml")]) == 0
    stations = '[[stations]]\nname = "s1"\n[[stations.scanners]]\nbackend = "evdev"\ndevice = "05e0-1200"\n'
    err = cli_refuses(write_config(tmp_path / "f", stations=stations), capsys)
    assert "expected vvvv:pppp (USB vendor and product id in hex), e.g. 05e0:1200 (bad_format)" in err
    assert "regex" not in err
