"""Manifest updates at the edges: the documented example, files, the CLI, arbitrary input."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from device.cli.main import main
from device.exc import ManifestError
from device.intake.updates import DeadlineUpdate, ReturnRequest, Updates, decode_updates, load_updates_file
from tests.support.strategies import json_values
from tests.support.updates import REQUEST, deadline, raw

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
DEADLINE = deadline("44444444-0001-1", "2026-12-05")


def test_the_docs_example_matches_the_file_and_decodes() -> None:
    text = (DOCS / "updates.md").read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    updates = load_updates_file(DOCS / "examples" / "updates.json")
    assert decode_updates(block.encode()) == updates
    assert [type(u) for u in updates.updates] == [DeadlineUpdate, DeadlineUpdate, ReturnRequest]


def test_an_unreadable_or_bad_file_names_itself(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as info:
        load_updates_file(tmp_path / "missing.json")
    assert (info.value.reason, info.value.path) == ("unreadable", "$")
    assert "missing.json: cannot read updates" in str(info.value)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"version": 1, "updates": [{"type": "deadline"}]}')
    with pytest.raises(ManifestError) as info:
        load_updates_file(bad)
    assert (info.value.reason, info.value.path) == ("missing_field", "$.updates[0].parcel")
    assert str(info.value).startswith(f"{bad}: invalid updates: $.updates[0].parcel: ")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_decode_to_updates_or_a_manifest_error(data: bytes) -> None:
    with contextlib.suppress(ManifestError):
        assert isinstance(decode_updates(data), Updates)


@settings(max_examples=300)
@given(st.sampled_from(["type", "parcel", "deadline", "id", "order", "parcels", "reason"]), json_values(12))
def test_arbitrary_field_values_decode_to_updates_or_a_manifest_error(field: str, value: Any) -> None:
    update = {**REQUEST} if field in REQUEST else {**DEADLINE}
    update[field] = value
    with contextlib.suppress(ManifestError):
        assert isinstance(decode_updates(raw(update)), Updates)


def test_cli_manifest_update_applies_the_example_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "pvz.db"
    assert main(["cells", "import", str(DOCS / "examples/cells.json"), "--store", str(db)]) == 0
    assert main(["manifest", "import", str(DOCS / "examples/manifest.json"), "--store", str(db)]) == 0
    example = str(DOCS / "examples/updates.json")
    assert main(["manifest", "update", example, "--store", str(db)]) == 0
    assert "deadlines 2, extended 0, return_requests 1, clerks 0, unchanged 0" in capsys.readouterr().out
    conn = sqlite3.connect(db)
    deadlines = dict(conn.execute("SELECT barcode, deadline FROM parcels").fetchall())
    assert deadlines["1000012345695"] == "2026-03-17" and deadlines["1000012345701"] == "2026-03-28"
    assert deadlines["1000012345671"] == "2026-03-14"
    assert conn.execute("SELECT id, order_id FROM return_requests").fetchall() == [
        ("RR-2026-000045", "ORD-77120")
    ]
    events = conn.execute("SELECT count(*) FROM journal").fetchone()[0]
    conn.close()

    assert main(["manifest", "update", example, "--store", str(db)]) == 0
    assert "unchanged 3" in capsys.readouterr().out
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM journal").fetchone()[0] == events
    conn.close()

    bad = tmp_path / "bad.json"
    bad.write_text(
        (DOCS / "examples/updates.json")
        .read_text(encoding="utf-8")
        .replace("1000012345701", "1000099999999"),
        encoding="utf-8",
    )
    assert main(["manifest", "update", str(bad), "--store", str(db)]) == 2
    assert (
        "$.updates[1].parcel: unknown parcel '1000099999999' (unknown_reference)" in capsys.readouterr().err
    )
