"""The bench store's rack: cells in blocks of columns and levels, sized by height, filled at random with room."""

from __future__ import annotations

import math
import random
from typing import Any

from bench.settings import BenchError

# The rack: blocks of 10 columns x 5 levels; every cell holds up to CAPACITY parcels. The
# history fills the cells to about PER_CELL parcels (never above FILL_CAP, so late parcels
# of an order still fit next to it) and leaves the last EMPTY_SHARE of the rack empty for
# the suggestions of new orders.
MIN_CELLS = 2000
CAPACITY = 50
FILL_CAP = 45
PER_CELL = 30
EMPTY_SHARE = 0.15
COLUMNS = 10
LEVELS = 5

SIZES = ("S", "M", "L", "XL")  # of cells and of parcels, smallest first


def rack_size(stored_parcels: int) -> int:
    """Main cells for the stored parcels at PER_CELL each, EMPTY_SHARE left free; whole blocks."""
    wanted = max(MIN_CELLS, stored_parcels / PER_CELL / (1 - EMPTY_SHARE))
    return math.ceil(wanted / (COLUMNS * LEVELS)) * COLUMNS * LEVELS


def occupied_cells(n_cells: int) -> int:
    """How many cells, from the start of the rack, the history fills."""
    return round(n_cells * (1 - EMPTY_SHARE))


def _cell_size(column: int, level: int) -> str:
    """Bigger parcels go low: L on the bottom (one XL per block), M above, S at the top."""
    if level == 1:
        return "XL" if column == COLUMNS else "L"
    if level <= 3:
        return "M"
    return "S"


def rack(n_cells: int) -> tuple[list[tuple[Any, ...]], list[int]]:
    """Rows of the `cells` table for a rack of n_cells main cells plus a returns shelf; size ranks."""
    rows: list[tuple[Any, ...]] = []
    ranks: list[int] = []
    for i in range(n_cells):
        block, rest = divmod(i, COLUMNS * LEVELS)
        column_index, level_index = divmod(rest, LEVELS)
        column = column_index + 1
        level = level_index + 1
        size = _cell_size(column, level)
        address = f"R{block + 1:04d}-{column:02d}-{level}"
        rows.append((i + 1, address, "C-" + address, size, CAPACITY, i, "main"))
        ranks.append(SIZES.index(size))
    rows.append((n_cells + 1, "RET-01", "C-RET-01", "XL", 1000, n_cells, "returns"))
    return rows, ranks


class Filler:
    """Puts each stored order in one cell of the occupied part of the rack, at random, with room."""

    def __init__(self, ranks: list[int], occupied: int, rng: random.Random) -> None:
        self.rng = rng
        self.fill = [0] * len(ranks)
        self.ranks = ranks
        self.open: list[list[int]] = [[] for _ in SIZES]
        self.spare: list[list[int]] = [[] for _ in SIZES]
        for i, rank in enumerate(ranks):
            if i < occupied:
                self.open[rank].append(i)
            else:
                self.spare[rank].append(i)

    def take(self, rank: int, k: int) -> int:
        for pools in (self.open, self.spare):
            for r in range(rank, len(SIZES)):
                cell = self._probe(pools[r], k)
                if cell is not None:
                    self.fill[cell] += k
                    return cell
        raise BenchError("the rack is too small for the stored parcels")

    def _probe(self, pool: list[int], k: int) -> int | None:
        for _ in range(8):
            if not pool:
                return None
            j = self.rng.randrange(len(pool))
            cell = pool[j]
            if self.fill[cell] + k <= FILL_CAP:
                return cell
            if self.fill[cell] >= FILL_CAP:  # full: drop it from the pool
                pool[j] = pool[-1]
                pool.pop()
        return None
