"""The rack description: storage cells, their sizes, labels and light channels; import and generation."""

from __future__ import annotations

import hashlib
import sqlite3
import string
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import msgspec

from device.decode import decode, read_input
from device.exc import ConfigError
from device.store.db import Store
from workflows.parcel import Size

Address = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z")]
# A label is what the clerk scans on the cell: printable ASCII without spaces, like a barcode.
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"\A[!-~]+\Z")]
Zone = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"\A[a-z][a-z0-9_-]*\Z")]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
Channel = Annotated[int, msgspec.Meta(ge=0, le=65535)]
MAX_CELLS = 10_000
# 10,000 cells with the longest address, label and zone, indented, fit with room to spare.
MAX_BYTES = 8_000_000


class CellSpec(msgspec.Struct, forbid_unknown_fields=True):
    """One storage cell as the rack file describes it; `label` defaults to "C-" + address."""

    address: Address
    size: Size
    channel: Channel
    label: Label = ""
    capacity: Capacity = 1
    zone: Zone = "main"

    def __post_init__(self) -> None:
        # Runs on decode and on construction alike, so every CellSpec carries its label.
        if not self.label:
            self.label = "C-" + self.address


class Rack(msgspec.Struct, forbid_unknown_fields=True):
    cells: Annotated[list[CellSpec], msgspec.Meta(max_length=MAX_CELLS)]


def decode_cells(raw: bytes, *, source: str = "cells") -> list[CellSpec]:
    """Decode a rack file; any problem is a ConfigError with its reason and path."""
    rack = decode(raw, Rack, max_bytes=MAX_BYTES, error=ConfigError, what=source)
    check_cells(rack.cells, source=source)
    return rack.cells


RACK_FILE_KEY = "rack_file_sha256"  # meta: the rack file last imported at start


def read_rack_file(path: Path) -> tuple[list[CellSpec], str]:
    """The cells of the rack file at `path` and the file's SHA-256; a ConfigError names the problem."""
    raw = read_input(path, "rack file", ConfigError)
    return decode_cells(raw, source=str(path)), hashlib.sha256(raw).hexdigest()


def sync_rack_file(store: Store, path: Path) -> int | None:
    """Import the configured rack file when the store has no cells or the file changed since the
    last import; return how many cells were written, None when nothing was to do.

    The import upserts by address (cells left out of the file stay), and is refused whole, with
    the cell named, when it would shrink a cell below the parcels in it.
    """
    cells, digest = read_rack_file(path)
    empty = store.conn.execute("SELECT count(*) FROM cells").fetchone()[0] == 0
    if not empty and store.get_meta(RACK_FILE_KEY) == digest:
        return None
    n = import_cells(store, cells)
    with store.transaction():
        store.set_meta(RACK_FILE_KEY, digest)
    return n


def check_cells(cells: Sequence[CellSpec], *, source: str = "cells") -> None:
    """Addresses, labels and light channels are each unique across the rack."""
    seen: dict[tuple[str, object], int] = {}
    for i, cell in enumerate(cells):
        for field, value in (("address", cell.address), ("label", cell.label), ("channel", cell.channel)):
            first = seen.setdefault((field, value), i)
            if first != i:
                raise ConfigError.at(
                    f"$.cells[{i}].{field}",
                    "duplicate",
                    f"duplicate {field} {value!r} (also $.cells[{first}])",
                    what=source,
                )


def encode_cells(cells: Sequence[CellSpec]) -> bytes:
    """The rack file for `cells`, as decode_cells reads it."""
    return msgspec.json.format(msgspec.json.encode(Rack(cells=list(cells))), indent=2)


def import_cells(store: Store, cells: Sequence[CellSpec]) -> int:
    """Upsert the cells by address in one transaction; return how many were written.

    Cells not in `cells` stay as they are. A cell that holds parcels may not shrink below
    them: neither a capacity under their count nor a size some of them no longer fit.
    """
    check_cells(cells)
    with store.transaction() as conn:
        existing = {str(r["address"]): r for r in conn.execute("SELECT * FROM cells")}
        updating = {c.address for c in cells if c.address in existing}
        # Labels and channels of cells this import leaves alone cannot be taken over.
        held: dict[tuple[str, object], str] = {}
        for address, r in existing.items():
            if address not in updating:
                held[("label", r["label"])] = address
                held[("channel", r["channel"])] = address
        for i, cell in enumerate(cells):
            for field, value in (("label", cell.label), ("channel", cell.channel)):
                other = held.get((field, value))
                if other is not None:
                    raise ConfigError.at(
                        f"$.cells[{i}].{field}",
                        "duplicate",
                        f"cell {cell.address}: {field} {value!r} is already used by cell {other}",
                    )
            row = existing.get(cell.address)
            if row is not None:
                _check_shrink(conn, cell, row, f"$.cells[{i}]")
        # Two cells may swap labels or channels: park the updated rows on values nothing
        # uses before writing the final ones, so the UNIQUE constraints never see a clash.
        top = int(conn.execute("SELECT coalesce(max(channel), 0) FROM cells").fetchone()[0])
        for n, address in enumerate(sorted(updating), start=1):
            conn.execute(
                "UPDATE cells SET label = ?, channel = ? WHERE address = ?",
                (f"\x00parked-{address}", top + n, address),
            )
        for cell in cells:
            values = (cell.label, cell.size.value, cell.capacity, cell.channel, cell.zone, cell.address)
            if cell.address in updating:
                conn.execute(
                    "UPDATE cells SET label = ?, size = ?, capacity = ?, channel = ?, zone = ? WHERE address = ?",
                    values,
                )
            else:
                conn.execute(
                    "INSERT INTO cells (label, size, capacity, channel, zone, address) VALUES (?, ?, ?, ?, ?, ?)",
                    values,
                )
    return len(cells)


def _check_shrink(conn: sqlite3.Connection, cell: CellSpec, row: sqlite3.Row, at: str) -> None:
    sizes = [
        Size(str(r[0]))
        for r in conn.execute("SELECT size FROM parcels WHERE cell_id = ?", (row["id"],)).fetchall()
    ]
    if len(sizes) > cell.capacity:
        raise ConfigError.at(
            f"{at}.capacity",
            "cell_occupied",
            f"cell {cell.address}: holds {len(sizes)} parcels, capacity {cell.capacity} is below that",
        )
    if cell.size.value != row["size"]:
        misfits = [s for s in sizes if not s.fits_in(cell.size)]
        if misfits:
            raise ConfigError.at(
                f"{at}.size",
                "cell_occupied",
                f"cell {cell.address}: holds a parcel of size {misfits[0].value}, "
                f"cannot become size {cell.size.value}",
            )


def _default_size(level: int) -> Size:
    # Heavier, bigger parcels go low: the bottom level takes L, the next M, the rest S.
    return {1: Size.L, 2: Size.M}.get(level, Size.S)


def generate_rack(
    rows: str,
    columns: int,
    levels: int,
    *,
    size_for_level: Callable[[int], Size] = _default_size,
    capacity: int = 1,
    zone: str = "main",
) -> list[CellSpec]:
    """Cells "A-01-1" … for each row letter, column (1-based, 2 digits) and level, channels 0.. in order."""
    if not rows or any(r not in string.ascii_uppercase for r in rows) or len(set(rows)) != len(rows):
        raise ConfigError(f"rack rows must be distinct letters A-Z, got {rows!r}", reason="bad_value")
    if not 1 <= columns <= 99 or not 1 <= levels <= 9:
        raise ConfigError(
            f"rack needs 1..99 columns and 1..9 levels, got {columns} and {levels}", reason="out_of_range"
        )
    cells: list[CellSpec] = []
    for row in rows:
        for column in range(1, columns + 1):
            for level in range(1, levels + 1):
                cells.append(
                    CellSpec(
                        address=f"{row}-{column:02d}-{level}",
                        size=size_for_level(level),
                        channel=len(cells),
                        capacity=capacity,
                        zone=zone,
                    )
                )
    return cells
