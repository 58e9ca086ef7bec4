"""Tests for the rack description: decoding, generation, and the upsert into the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from device.exc import ConfigError
from device.intake.rack import CellSpec, decode_cells, encode_cells, generate_rack, import_cells
from device.store.db import Store
from workflows.parcel import Size

DOCS = Path(__file__).resolve().parent.parent / "docs"
NOW = "2026-03-01T10:00:00+03:00"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "pvz.db")
    yield s
    s.close()


def rack(*cells: dict[str, Any]) -> bytes:
    return json.dumps({"cells": list(cells)}).encode()


def cell_rows(store: Store) -> dict[str, dict[str, Any]]:
    return {r["address"]: dict(r) for r in store.conn.execute("SELECT * FROM cells")}


def store_parcel(store: Store, barcode: str, address: str, size: str = "S") -> None:
    cell_id = store.scalar("SELECT id FROM cells WHERE address = ?", (address,))
    store.conn.execute(
        "INSERT INTO parcels (barcode, size, state, cell_id, updated_at) VALUES (?, ?, 'stored', ?, ?)",
        (barcode, size, cell_id, NOW),
    )


def test_decode_defaults() -> None:
    cells = decode_cells(rack({"address": "A-03-2", "size": "M", "channel": 4}))
    assert cells == [
        CellSpec(address="A-03-2", size=Size.M, channel=4, label="C-A-03-2", capacity=1, zone="main")
    ]


def test_docs_example_decodes_and_imports(store: Store) -> None:
    cells = decode_cells((DOCS / "examples" / "cells.json").read_bytes())
    assert import_cells(store, cells) == len(cells)
    rows = cell_rows(store)
    assert rows["R-01-1"]["zone"] == "returns" and rows["R-01-1"]["label"] == "RET-01"
    assert len({r["channel"] for r in rows.values()}) == len(cells)


@pytest.mark.parametrize(
    ("data", "reason", "path"),
    [
        (b"{oops", "not_json", "$"),
        (b'{"cells": {}}', "wrong_type", "$.cells"),
        (rack({"address": "A-1", "size": "XXL", "channel": 0}), "bad_value", "$.cells[0].size"),
        (rack({"address": "A-1", "size": "S", "channel": -1}), "out_of_range", "$.cells[0].channel"),
        (
            rack({"address": "A-1", "size": "S", "channel": 0, "capacity": 0}),
            "out_of_range",
            "$.cells[0].capacity",
        ),
        (
            rack({"address": "A-1", "size": "S", "channel": 0, "colour": "red"}),
            "unknown_field",
            "$.cells[0].colour",
        ),
        (rack({"address": "A-1", "size": "S"}), "missing_field", "$.cells[0].channel"),
        (rack({"address": "A 1", "size": "S", "channel": 0}), "bad_format", "$.cells[0].address"),
        (
            rack({"address": "A-1", "size": "S", "channel": 0, "zone": "Main!"}),
            "bad_format",
            "$.cells[0].zone",
        ),
        (b'{"cells": [], "rows": 3}', "unknown_field", "$.rows"),
        (
            rack(
                {"address": "A-1", "size": "S", "channel": 0}, {"address": "A-1", "size": "M", "channel": 1}
            ),
            "duplicate",
            "$.cells[1].address",
        ),
        (
            rack(
                {"address": "A-1", "size": "S", "channel": 0}, {"address": "A-2", "size": "M", "channel": 0}
            ),
            "duplicate",
            "$.cells[1].channel",
        ),
        (
            rack(
                {"address": "A-1", "size": "S", "channel": 0},
                {"address": "A-2", "label": "C-A-1", "size": "M", "channel": 1},
            ),
            "duplicate",
            "$.cells[1].label",
        ),
    ],
)
def test_bad_rack_rejected(data: bytes, reason: str, path: str) -> None:
    with pytest.raises(ConfigError) as info:
        decode_cells(data, source="cells.json")
    assert (info.value.reason, info.value.path) == (reason, path)
    assert str(info.value).startswith(f"cells.json: {path}: ")


def test_generate_rack() -> None:
    cells = generate_rack("AB", 2, 3)
    assert [c.address for c in cells[:4]] == ["A-01-1", "A-01-2", "A-01-3", "A-02-1"]
    assert [c.channel for c in cells] == list(range(12))
    assert cells[0].label == "C-A-01-1" and cells[-1].address == "B-02-3"
    assert [c.size for c in cells[:3]] == [Size.L, Size.M, Size.S]
    big = generate_rack("C", 1, 2, size_for_level=lambda level: Size.XL, capacity=2, zone="returns")
    assert {(c.size, c.capacity, c.zone) for c in big} == {(Size.XL, 2, "returns")}
    # What the demo generates survives a round trip through the rack file format.
    assert decode_cells(encode_cells(cells)) == cells


@pytest.mark.parametrize(
    ("rows", "columns", "levels"), [("", 1, 1), ("a", 1, 1), ("AA", 1, 1), ("A", 0, 1), ("A", 1, 10)]
)
def test_generate_rack_bounds(rows: str, columns: int, levels: int) -> None:
    with pytest.raises(ConfigError):
        generate_rack(rows, columns, levels)


def test_import_upserts_by_address(store: Store) -> None:
    assert import_cells(store, generate_rack("A", 2, 2)) == 4
    ids = {a: r["id"] for a, r in cell_rows(store).items()}
    changed = [
        CellSpec(address="A-01-1", size=Size.XL, channel=0, capacity=2, zone="returns"),
        CellSpec(address="B-01-1", size=Size.S, channel=10),
    ]
    assert import_cells(store, changed) == 2
    rows = cell_rows(store)
    assert len(rows) == 5
    assert rows["A-01-1"]["id"] == ids["A-01-1"]  # parcels keep pointing at the same cell
    assert (rows["A-01-1"]["size"], rows["A-01-1"]["capacity"], rows["A-01-1"]["zone"]) == (
        "XL",
        2,
        "returns",
    )
    assert rows["A-02-2"]["size"] == "M"  # cells not in the import are left alone


def test_import_swaps_channels_and_labels(store: Store) -> None:
    import_cells(store, generate_rack("A", 1, 2))
    swapped = [
        CellSpec(address="A-01-1", size=Size.L, channel=1, label="C-A-01-2"),
        CellSpec(address="A-01-2", size=Size.M, channel=0, label="C-A-01-1"),
    ]
    import_cells(store, swapped)
    rows = cell_rows(store)
    assert (rows["A-01-1"]["channel"], rows["A-01-1"]["label"]) == (1, "C-A-01-2")
    assert (rows["A-01-2"]["channel"], rows["A-01-2"]["label"]) == (0, "C-A-01-1")


def test_import_refuses_channel_of_untouched_cell(store: Store) -> None:
    import_cells(store, generate_rack("A", 1, 2))
    before = cell_rows(store)
    with pytest.raises(ConfigError) as info:
        import_cells(store, [CellSpec(address="B-01-1", size=Size.S, channel=1)])
    assert (info.value.reason, info.value.path) == ("duplicate", "$.cells[0].channel")
    assert "cell B-01-1: channel 1 is already used by cell A-01-2" in str(info.value)
    with pytest.raises(ConfigError) as info:
        import_cells(store, [CellSpec(address="B-01-1", size=Size.S, channel=7, label="C-A-01-1")])
    assert (info.value.reason, info.value.path) == ("duplicate", "$.cells[0].label")
    assert cell_rows(store) == before


def test_import_refuses_capacity_below_stored(store: Store) -> None:
    import_cells(store, [CellSpec(address="A-01-1", size=Size.M, channel=0, capacity=3)])
    store_parcel(store, "P1", "A-01-1")
    store_parcel(store, "P2", "A-01-1")
    before = cell_rows(store)
    with pytest.raises(ConfigError) as info:
        import_cells(
            store,
            [
                CellSpec(address="B-01-1", size=Size.S, channel=5),
                CellSpec(address="A-01-1", size=Size.M, channel=0),
            ],
        )
    assert (info.value.reason, info.value.path) == ("cell_occupied", "$.cells[1].capacity")
    assert "cell A-01-1: holds 2 parcels, capacity 1 is below that" in str(info.value)
    assert cell_rows(store) == before  # B-01-1 was not written either
    assert import_cells(store, [CellSpec(address="A-01-1", size=Size.M, channel=0, capacity=2)]) == 1


def test_import_refuses_size_that_stored_parcels_do_not_fit(store: Store) -> None:
    import_cells(store, [CellSpec(address="A-01-1", size=Size.L, channel=0, capacity=2)])
    store_parcel(store, "P1", "A-01-1", size="M")
    with pytest.raises(ConfigError) as info:
        import_cells(store, [CellSpec(address="A-01-1", size=Size.S, channel=0, capacity=2)])
    assert (info.value.reason, info.value.path) == ("cell_occupied", "$.cells[0].size")
    assert cell_rows(store)["A-01-1"]["size"] == "L"
    import_cells(store, [CellSpec(address="A-01-1", size=Size.M, channel=0, capacity=2)])
    assert cell_rows(store)["A-01-1"]["size"] == "M"


def test_import_checks_duplicates_in_the_list(store: Store) -> None:
    with pytest.raises(ConfigError) as info:
        import_cells(
            store,
            [
                CellSpec(address="A-1", size=Size.S, channel=0),
                CellSpec(address="A-2", size=Size.S, channel=0),
            ],
        )
    assert (info.value.reason, info.value.path) == ("duplicate", "$.cells[1].channel")
    assert cell_rows(store) == {}
