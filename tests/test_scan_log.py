"""`pvz run` tells a technician what the counter decided, per scan, without a customer's code in clear."""

from __future__ import annotations

import re
from pathlib import Path

from device import __version__
from tests.support.config import example_daemon
from tests.support.process import pvz

PICKUP = "482915"
TOKEN = "k7Q2mZp9RtX4"
CODES = ["BADGE-0009", "PVZC-ISSUE", PICKUP, f"ORD-77120*{PICKUP}", f"PVZQR:{TOKEN}", "BAG-000981"]


def scripted_daemon(directory: Path) -> Path:
    config = example_daemon(directory, device="pvz-log-0001", site="lab")
    (directory / "codes.txt").write_text("\n".join(CODES) + "\n", encoding="utf-8")
    return config


def scan_lines(stderr: str) -> list[str]:
    return [
        line.split("pvz.engine: ", 1)[1] for line in stderr.splitlines() if "pvz.engine: station " in line
    ]


def test_each_scan_is_logged_with_v_and_a_customers_code_never_in_clear(tmp_path: Path) -> None:
    config = scripted_daemon(tmp_path)
    result = pvz("-v", "run", "--config", config)
    assert result.returncode == 0, result.stderr
    assert scan_lines(result.stderr) == [
        "station counter-1: BADGE-0009 -> ok signed_in (idle)",
        "station counter-1: PVZC-ISSUE -> info iss_find (issue/find)",
        "station counter-1: *** -> error iss_wrong_code (issue/find)",
        "station counter-1: ORD-77120**** -> error iss_wrong_code (issue/find)",
        "station counter-1: PVZQR:*** -> error iss_qr_unknown (issue/find)",
        "station counter-1: BAG-000981 -> error iss_unknown_find (issue/find)",
    ]
    assert PICKUP not in result.stderr and TOKEN not in result.stderr
    assert " INFO pvz.engine: " in result.stderr  # pvz's own format, not a library's "INFO:name:"


def test_the_startup_line_is_written_even_without_v_and_names_what_runs(tmp_path: Path) -> None:
    config = scripted_daemon(tmp_path)
    result = pvz("run", "--config", config)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if " INFO pvz.daemon: " in line]
    assert len(lines) == 1, result.stderr
    assert re.search(
        re.escape(
            f"pvz {__version__} starting: device pvz-log-0001, site lab, store {tmp_path / 'pvz.db'}, "
            "stations counter-1 (counter, scanner script, printer sim, light sim, buzzer sim), cell lights sim, "
            "doors none, speaker none, mqtt off, screen 127.0.0.1:"
        )
        + r"\d+$",
        lines[0],
    )
    assert scan_lines(result.stderr) == []  # per scan only with -v
