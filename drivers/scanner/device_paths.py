"""Where scanners are looked for: path patterns in natural order, and USB vendor:product ids."""

from __future__ import annotations

import glob
import re


def natural(path: str) -> list[int | str]:
    """A sort key that puts numbered nodes in number order (event2 before event10)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def glob_paths(pattern: str) -> list[str]:
    """Paths matching a shell pattern, in natural order (ttyACM2 before ttyACM10)."""
    # glob, not Path.glob: config paths are absolute patterns, which Path.glob refuses.
    return sorted(glob.glob(pattern), key=natural)  # noqa: PTH207


def parse_ids(device: str) -> tuple[int, int]:
    """ "vvvv:pppp" (hex) → (vendor, product)."""
    match = re.fullmatch(r"([0-9a-fA-F]{4}):([0-9a-fA-F]{4})", device)
    if match is None:
        raise ValueError(f"device must be 'vvvv:pppp' in hex, not {device!r}")
    return int(match[1], 16), int(match[2], 16)
