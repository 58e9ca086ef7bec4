"""The `pvz` command as a user runs it: help, config check, imports, store, sim, run."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from device.cli.main import main
from tests.support.config import example_copy, example_daemon, station, write_config

ROOT = Path(__file__).resolve().parents[1]
SUBCOMMANDS = [
    "demo",
    "sim",
    "run",
    "manifest",
    "dropoff",
    "cells",
    "config",
    "print",
    "hw",
    "store",
    "report",
    "screen",
    "provision",
    "privacy",
    "site",
    "tickets",
    "update",
]
CENTRAL_SUBCOMMANDS = [
    "hub",
    "alerts",
    "outcomes",
    "tickets",
    "fleet",
    "pki",
    "site-bridge",
    "send-key",
    "send-qr",
    "demo-sync",
]


def pvz(
    *args: str, stdin: bytes | None = None, cwd: Path = ROOT, module: str = "device.cli.main"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "subcommands"),
    [("device.cli.main", SUBCOMMANDS), ("central.cli", CENTRAL_SUBCOMMANDS)],
    ids=["pvz", "pvz-central"],
)
def test_help_lists_every_subcommand_on_one_line(module: str, subcommands: list[str]) -> None:
    r = pvz("--help", module=module)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    listed = [ln.strip().split(" ")[0] for ln in lines if ln.startswith("    ") and ln.strip()]
    assert listed == subcommands, "every subcommand is listed, and nothing else"
    for name in subcommands:
        [line] = [ln for ln in lines if ln.strip().split(" ")[0] == name]
        assert len(line.split()) > 2, f"{name} has no description on its line"
        following = lines[lines.index(line) + 1]
        assert following.strip().split(" ")[0] in [*subcommands, ""] or following.startswith("options"), (
            f"{name}'s description wraps onto a second line"
        )


def test_config_check_accepts_the_example_and_names_a_bad_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = example_copy(tmp_path)
    assert main(["config", "check", str(example)]) == 0
    bad = tmp_path / "bad.toml"
    text = example.read_text(encoding="utf-8").replace("[store]\n", "[store]\nptah = 1\n")
    bad.write_text(text, encoding="utf-8")
    assert main(["config", "check", str(bad)]) == 2
    assert "unknown field `ptah`" in capsys.readouterr().err


def test_cells_and_manifest_import_then_store_info(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pvz.db"
    assert main(["cells", "import", str(ROOT / "docs/examples/cells.json"), "--store", str(db)]) == 0
    assert main(["manifest", "import", str(ROOT / "docs/examples/manifest.json"), "--store", str(db)]) == 0
    out = capsys.readouterr().out
    assert "imported supply" in out
    assert main(["store", "info", "--store", str(db)]) == 0
    assert '"expected"' in capsys.readouterr().out


def test_a_malformed_manifest_is_rejected_whole_with_the_field_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pvz.db"
    assert main(["cells", "import", str(ROOT / "docs/examples/cells.json"), "--store", str(db)]) == 0
    good = (ROOT / "docs/examples/manifest.json").read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(good.replace('"size": "M"', '"size": "XXL"', 1), encoding="utf-8")
    assert main(["manifest", "import", str(bad), "--store", str(db)]) == 2
    err = capsys.readouterr().err
    assert "size" in err and "$.parcels[" in err
    assert sqlite3.connect(db).execute("SELECT count(*) FROM parcels").fetchone()[0] == 0


def test_a_store_newer_than_the_code_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "pvz.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    assert main(["store", "info", "--store", str(db)]) == 2
    assert "newer" in capsys.readouterr().err


def test_print_command_card_writes_escpos_and_text(tmp_path: Path) -> None:
    assert main(["print", "command-card", "--out", str(tmp_path), "--lang", "en"]) == 0
    [txt] = tmp_path.glob("*.txt")
    text = txt.read_text(encoding="utf-8")
    assert "||| PVZC-DONE |||" in text and "Start acceptance" in text
    [binary] = tmp_path.glob("*.bin")
    assert b"\x1dk" in binary.read_bytes()  # GS k: a real Code128 barcode, not text


def test_sim_reads_codes_from_stdin_and_shows_feedback_lights_and_receipts(tmp_path: Path) -> None:
    codes = b"BOX112101\nBADGE-7001\nBOX112101\nPVZC-DONE\nPVZC-DONE\n\xff\xfe\nk:nonsense\n"
    r = pvz(
        "sim",
        "--store",
        str(tmp_path / "sim" / "pvz.db"),
        "--lang",
        "en",
        stdin=codes.decode("latin-1").encode(),
    )
    assert r.returncode == 0, r.stderr
    assert "[ERROR] Sign in: scan your badge" in r.stdout  # nothing works before a badge
    assert "[OK] Анна С. signed in" in r.stdout
    assert "[OK] Package BOX112101 accepted" in r.stdout
    assert "Supply SUP-" in r.stdout and "printed" in r.stdout and "Supply acceptance act" in r.stdout
    assert "[ERROR]" in r.stdout
    assert "status light: red" in r.stdout


def test_run_processes_a_script_scanner_and_exits_when_it_ends(tmp_path: Path) -> None:
    config = example_daemon(tmp_path, device="pvz-test-0001", site="test", prints="prints")
    assert main(["run", "--config", str(config)]) == 0
    conn = sqlite3.connect(tmp_path / "pvz.db")
    assert conn.execute("SELECT status FROM supplies").fetchone()[0] == "closed"
    assert list((tmp_path / "prints").glob("*-acceptance_act.bin"))


def test_run_refuses_a_second_daemon_on_the_same_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from device.store.db import Store

    config = write_config(tmp_path, device="pvz-x-001", site="xyz", stations=station("c"))
    with Store.open(tmp_path / "pvz.db", owner=True):
        assert main(["run", "--config", str(config)]) == 2
    assert "only one daemon" in capsys.readouterr().err


def test_sim_in_process_shows_feedback(tmp_path: Path) -> None:
    from device.demo.sim import run_sim

    out = io.StringIO()
    codes = b"BADGE-7001\nBOX112101\r\n89343270-0001-1\nPVZC-CANCEL\n"
    assert run_sim(tmp_path / "pvz.db", lang="en", stream=io.BytesIO(codes), out=out) == 0
    text = out.getvalue()
    assert "[OK] Package BOX112101 accepted" in text and "Acceptance of SUP-20261121-1 paused" in text
    out2 = io.StringIO()
    assert run_sim(tmp_path / "pvz.db", lang="en", stream=io.BytesIO(b""), out=out2) == 0
    assert "resuming" in out2.getvalue()
